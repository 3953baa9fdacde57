"""Reliability and security (issue 16): every bad input one line, a kill never loses both packs,
no orphan process, no secret in any file. Each class of fault is one table-driven test.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_notebook

from planlib import io, publish
from planlib.errors import DataError, PackError, ParamsError
from planlib.pack import run_pack
from planlib.plan import load_plan
from planlib.preflight import check_inputs
from planlib.secrets import check_sql_url, redact_url

ROOT = Path(__file__).resolve().parents[1]
PARAMS_CELL = 'params_path = ""\npack_dir = ""\nperiod = ""\nas_of = ""'


def _project(tmp_path: Path, notebooks: dict[str, list[str]]) -> Path:
    """A throwaway project: the shipped params and the given notebooks (name -> code cells)."""
    shutil.copytree(ROOT / "params", tmp_path / "params")
    (tmp_path / "notebooks").mkdir()
    for name, cells in notebooks.items():
        nb = new_notebook(cells=[new_code_cell(c) for c in cells])
        nb.cells[0].metadata["tags"] = ["parameters"]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, tmp_path / "notebooks" / name)
    return tmp_path


def _cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planlib.cli", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


# ---------------------------------------------------------------- bad params files

DEMO_TEXT = (ROOT / "params" / "demo.yaml").read_text(encoding="utf-8")


def _sql(url: str) -> str:
    return DEMO_TEXT.replace("source: demo", f"source: sql\n  url: {url}\n  query: select * from orders")


BAD_PARAMS = [
    ("duplicate key", DEMO_TEXT + "plan_year: 2024\n", "key 'plan_year' is written twice (lines 6 and 65); keep one"),
    ("duplicate nested key", DEMO_TEXT.replace("  green: 0.98\n", "  green: 0.98\n  green: 0.95\n"), "key 'green' is written twice"),
    ("infinite budget", DEMO_TEXT.replace("budget: 3000000", "budget: .inf"), "actions.budget must be a finite number; got inf"),
    ("nan growth", DEMO_TEXT.replace("min_growth: 0.08", "min_growth: .nan"), "targets.min_growth must be a finite number; got nan"),
    ("bool as rate", DEMO_TEXT.replace("win_rate: 0.40", "win_rate: true"), "actions.win_rate must be a number, not true/false; got true"),
    ("bool as count", DEMO_TEXT.replace("n_lines: 40000", "n_lines: yes"), "data.demo.n_lines must be a number, not true/false; got true"),
    ("bool in a list", DEMO_TEXT.replace("[0.20, 0.25, 0.25, 0.30]", "[0.20, true, 0.25, 0.30]"), "targets.quarter_weights must be a number, not true/false"),
    ("bool in a mapping", DEMO_TEXT.replace("{mature: 0.05, strategic: 0.45", "{mature: false, strategic: 0.45"), "targets.role_growth must be a number, not true/false"),
    ("plan year far ahead", DEMO_TEXT.replace("plan_year: 2025 ", "plan_year: 2090 "), "plan_year must be between 1990 and"),
    ("unknown key in a list item", DEMO_TEXT.replace("      budget: 250000", "      budgett: 250000"), "unknown key actions.events.0.budgett; did you mean 'budget'?"),
    ("unknown key far from any", DEMO_TEXT.replace("      leads: 80", "      leads: 80\n      colour: red"), "unknown key actions.events.1.colour; expected one of name, start, end, owner, budget, leads, kpi"),
    ("unknown key in a mapping value", DEMO_TEXT.replace("  # promotions:", "  service_levels: {A: {visits_per_month: 4, owner: x, visits: 2}}\n  # promotions:"), "unknown key actions.service_levels.A.visits; expected one of visits_per_month, owner"),
    ("negative item budget", DEMO_TEXT.replace("      budget: 250000", "      budget: -5"), "actions.events.0.budget must be at least 0; got -5"),
    ("a long value cut short", DEMO_TEXT.replace('title: "Demo Trading Co. - 2025 sales plan"', "title: [" + "xyz, " * 200 + "]"),
     "title must be a valid string; got ['xyz', 'xyz', 'xyz', 'xyz', 'xyz', 'xyz', 'xyz', 'xyz', 'xyz', 'xyz', 'xyz',..."),
    ("NUL byte", DEMO_TEXT.replace("title:", "title: \x00"), "not valid YAML: unacceptable character #x0000"),
    ("password in the user part", _sql("postgresql://planner:hunter2@db:5432/sales"), "data.url must not hold a password (found in the user part"),
    ("password with a slash", _sql("postgresql://planner:hun/ter2@db:5432/sales"), "data.url must not hold a password (found in the user part"),
    ("password in the query", _sql("postgresql://planner@127.0.0.1:5432/sales?password=hunter2"), "data.url must not hold a password (found in the query string (key 'password'))"),
    ("encoded password key", _sql("postgresql://planner@db/sales?pass%77ord=hunter2"), "found in the query string (key 'password')"),
    ("twice-encoded key", _sql("postgresql://planner@db/sales?pass%2577ord=hunter2"), "found in the query string (key 'password')"),
    ("encoded colon in user", _sql("postgresql://planner%3Ahunter2@db/sales"), "found in the user part (an encoded ':'"),
    ("probability band reversed", DEMO_TEXT.replace("  min_growth: 0.08\n", "  min_growth: 0.08\n  probability_band: [0.8, 0.2]\n"),
     "targets.probability_band must be two probabilities [low, high] with 0 <= low < high <= 1; got [0.8, 0.2]"),
    ("override band outside 0-1", DEMO_TEXT.replace("  min_growth: 0.08\n", "  min_growth: 0.08\n  probability_overrides: {Pumps: [0.2, 1.5]}\n"),
     "targets.probability_overrides.Pumps must be two probabilities [low, high] with 0 <= low < high <= 1; got [0.2, 1.5]"),
    ("sslpassword", _sql("postgresql://planner@db/sales?sslmode=require&sslpassword=hunter2"), "key 'sslpassword'"),
]


@pytest.mark.parametrize("name, text, message", BAD_PARAMS, ids=[row[0] for row in BAD_PARAMS])
def test_bad_params_files_give_one_line_naming_the_key(tmp_path, name, text, message):
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as caught:
        load_plan(path)
    line = str(caught.value)
    assert message in line
    assert "\n" not in line
    assert "hunter2" not in line  # a refused secret is never echoed


@pytest.mark.parametrize("command", ["validate", "pack"])
def test_non_utf8_params_give_one_line_and_exit_2_from_validate_and_pack(tmp_path, command):
    project = _project(tmp_path, {"00_x.ipynb": [PARAMS_CELL, "raise SystemExit('must not run')"]})
    (project / "params" / "latin.yaml").write_bytes(DEMO_TEXT.encode().replace(b"Demo", b"D\xe9mo"))
    result = _cli(command, "params/latin.yaml", cwd=project)
    assert result.returncode == 2
    assert result.stderr == "planlib: params/latin.yaml: not UTF-8 text: byte 0xe9 at line 4; save the file as UTF-8\n"


@pytest.mark.parametrize(
    "url",
    ["sqlite:///plan.db", "sqlite:////tmp/a.db?mode=ro", "postgresql://planner@db:5432/sales",
     "postgresql+psycopg://planner@db/sales?sslmode=require", "mysql://planner@db/sales?auth_plugin=mysql_native_password"],
)
def test_urls_without_a_secret_pass(url):
    check_sql_url(url)


def test_redacted_url_keeps_no_credential():
    assert redact_url("postgresql://planner@db:5432/sales?sslmode=require") == "postgresql://db:5432/sales?sslmode=require"
    assert redact_url("postgresql://planner:hunter2@db/sales?password=hunter2&sslmode=require") == "postgresql://db/sales?sslmode=require"


# ---------------------------------------------------------------- validate reads the inputs

ORDERS = pd.DataFrame({
    "date": ["2023-01-05", "2023-07-01", "2024-03-10", "2024-12-20"],
    "order": ["S1", "S2", "S3", "S4"], "cust": ["C1", "C2", "C1", "C3"],
    "amount": ["100", "250.5", "80", "120"], "line": ["Bikes"] * 4, "area": ["East"] * 4,
})
CSV_PARAMS = """plan: shop
plan_year: {year}
data:
  source: {source}
  path: {path}
  columns: {{order_date: date, order_id: order, customer_id: cust, revenue: amount, product_line: line, region: area}}
{extra}"""
COMMITMENTS = "targets:\n  commitments:\n    path: {path}\n    columns: {{rep: rep, amount: commitment}}\n"


def _orders_csv(folder: Path, frame: pd.DataFrame = ORDERS) -> None:
    frame.to_csv(folder / "orders.csv", index=False)


INPUT_CASES = [
    ("ok", {}, None, None),
    ("data file missing", {"path": "nowhere.csv"}, DataError, "nowhere.csv: file not found"),
    ("mapped column missing", {"frame": ORDERS.rename(columns={"area": "zone"})}, DataError, "orders.csv: missing required column 'area' (for region)"),
    ("date that does not parse", {"frame": ORDERS.assign(date=["2023-01-05", "soon", "2024-03-10", "2024-12-20"])}, DataError, "orders.csv: column 'date': 1 value is not a date (row 3: 'soon')"),
    ("plan year after the data", {"year": 2030}, ParamsError, "plan_year 2030 reviews 2029, but orders.csv ends 2024-12-20; the latest plan year this data supports is 2025"),
    ("plan year before the data", {"year": 2020}, ParamsError, "plan_year 2020 uses history up to 2019-12-31, but orders.csv starts 2023-01-05"),
    ("commitments file missing", {"extra": COMMITMENTS.format(path="commit.csv")}, DataError, "commit.csv: file not found (named by targets.commitments.path)"),
    ("commitments column missing", {"extra": COMMITMENTS.format(path="commit.csv"), "commit": "rep,amount\nR1,5\n"}, DataError, "commit.csv: missing column 'commitment' (for amount) (targets.commitments)"),
    ("strategic share without a strategic line", {"extra": "targets:\n  strategic_share_min: 0.1\n"}, ParamsError, "targets.strategic_share_min is 0.1, but no product line of orders.csv has the role strategic"),
    ("override naming no unit", {"extra": "targets:\n  probability_overrides: {Bikez: [0.2, 0.5]}\n"}, ParamsError,
     "targets.probability_overrides names 'Bikez', which is no product line or region of orders.csv; they are: Bikes, East"),
    ("CSV named .xlsx", {"path": "orders.xlsx", "source": "excel"}, DataError, "orders.xlsx: is not an Excel .xlsx workbook: its content looks like text (CSV?)"),
]


@pytest.mark.parametrize("name, case, error, message", INPUT_CASES, ids=[c[0] for c in INPUT_CASES])
def test_validate_checks_the_inputs_without_running_the_plan(tmp_path, name, case, error, message):
    project = _project(tmp_path, {})
    _orders_csv(project, case.get("frame", ORDERS))
    shutil.copy(project / "orders.csv", project / "orders.xlsx")
    if "commit" in case:
        (project / "commit.csv").write_text(case["commit"])
    text = CSV_PARAMS.format(
        year=case.get("year", 2025), source=case.get("source", "csv"), path=case.get("path", "orders.csv"), extra=case.get("extra", "")
    )
    (project / "params" / "shop.yaml").write_text(text)
    plan = load_plan(project / "params" / "shop.yaml")
    if error is None:
        lines = check_inputs(plan, project)
        assert lines == ["data: orders.csv, 6 columns, 4 rows from 2023-01-05 to 2024-12-20"]
        result = _cli("validate", "params/shop.yaml", cwd=project)
        assert result.returncode == 0 and "valid" in result.stdout
        return
    with pytest.raises(error) as caught:
        check_inputs(plan, project)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    result = _cli("validate", "params/shop.yaml", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("planlib: ") and message in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("kind, suffix", [("excel", ".xlsx"), ("parquet", ".parquet")])
def test_validate_reads_excel_and_parquet_headers_and_dates(tmp_path, kind, suffix):
    project = _project(tmp_path, {})
    frame = ORDERS.assign(date=pd.to_datetime(ORDERS["date"]), amount=ORDERS["amount"].astype(float))
    path = project / f"orders{suffix}"
    frame.to_excel(path, index=False) if kind == "excel" else frame.to_parquet(path, index=False)
    text = CSV_PARAMS.format(year=2025, source=kind, path=path.name, extra="")
    (project / "params" / "shop.yaml").write_text(text)
    plan = load_plan(project / "params" / "shop.yaml")
    assert check_inputs(plan, project) == [f"data: {path.name}, 6 columns, 4 rows from 2023-01-05 to 2024-12-20"]
    (project / "params" / "shop.yaml").write_text(text.replace("region: area", "region: zone"))
    with pytest.raises(DataError, match=f"{path.name}: missing required column 'zone' \\(for region\\)"):
        check_inputs(load_plan(project / "params" / "shop.yaml"), project)


def test_validate_knows_the_years_the_demo_company_covers(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(DEMO_TEXT.replace("plan_year: 2025 ", "plan_year: 2028 "))
    with pytest.raises(ParamsError, match="plan_year 2028 reviews 2027, but the demo company ends 2025-12-31; the latest plan year this data supports is 2026"):
        check_inputs(load_plan(path), ROOT)


# ---------------------------------------------------------------- bad files at the boundary

def _write_bad(folder: Path, name: str) -> Path:
    if name == "corrupt.xlsx":
        (folder / name).write_bytes(b"PK\x03\x04" + os.urandom(200))
    elif name == "csv_named.xlsx":
        (folder / name).write_text("date,amount\n2024-01-01,5\n")
    elif name == "old.xls.xlsx":
        (folder / name).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    elif name == "empty.xlsx":
        (folder / name).write_bytes(b"")
    elif name == "text.parquet":
        (folder / name).write_text("not parquet at all\n")
    elif name == "truncated.parquet":
        pd.DataFrame({"a": range(100)}).to_parquet(folder / name)
        (folder / name).write_bytes((folder / name).read_bytes()[:60])
    elif name == "latin1.csv":
        (folder / name).write_bytes("date,amount\n2024-01-01,5\xe9\xff\xfe\n".encode("latin-1"))
    return folder / name


@pytest.mark.parametrize(
    "name, message",
    [
        ("corrupt.xlsx", "cannot read as excel: File is not a zip file"),
        ("csv_named.xlsx", "is not an Excel .xlsx workbook: its content looks like text (CSV?)"),
        ("old.xls.xlsx", "is an old Excel 97-2003 workbook (.xls); save it as .xlsx"),
        ("empty.xlsx", "the file is empty"),
        ("text.parquet", "is not a Parquet file"),
        ("truncated.parquet", "cannot read as parquet"),
    ],
)
def test_a_bad_file_gives_a_data_error_naming_the_file(tmp_path, name, message):
    path = _write_bad(tmp_path, name)
    for read in (io.read_table, io.read_header):
        with pytest.raises(DataError) as caught:
            read(path, label=f"data/{name}")
        assert str(caught.value).startswith(f"data/{name}: ") and message in str(caught.value)
        assert "\n" not in str(caught.value)


# ---------------------------------------------------------------- publish, lock, stale folders

def _pack(folder: Path, marker: str) -> Path:
    """A whole pack (manifest last) holding ``marker``."""
    folder.mkdir(parents=True)
    (folder / "marker").write_text(marker)
    (folder / "manifest.json").write_text(json.dumps({"status": "complete"}))
    return folder


class _Killed(BaseException):
    """Stands for kill -9: raised at one step, nothing after it runs."""


def _fail_at(monkeypatch, step: str, exc: type[BaseException]) -> None:
    """Make one step of ``publish.publish`` raise ``exc`` (once)."""
    real_rename, real_rmtree = os.rename, shutil.rmtree
    calls = {"n": 0}

    def rename(src, dst):
        calls["n"] += 1
        if (step == "first rename" and calls["n"] == 1) or (step == "second rename" and calls["n"] == 2):
            raise exc("injected")
        return real_rename(src, dst)

    def rmtree(path, *args, **kwargs):
        if step == "remove old" and ".replaced-" in str(path) and not calls.get("removed"):
            calls["removed"] = True
            raise exc("injected")
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(publish.os, "rename", rename)
    monkeypatch.setattr(publish.shutil, "rmtree", rmtree)


@pytest.mark.parametrize("step, expected", [("first rename", "old"), ("second rename", "new"), ("remove old", "new")])
def test_a_swap_killed_at_any_step_is_completed_or_rolled_back_by_the_next_run(tmp_path, monkeypatch, step, expected):
    final = tmp_path / "reports" / "demo" / "2025"
    _pack(final, "old")
    token = publish.new_token()
    staging = _pack(publish.staging_dir(final, token), "new")
    _fail_at(monkeypatch, step, _Killed)
    with pytest.raises(_Killed):
        publish.publish(staging, final, token=token)
    monkeypatch.undo()
    survivors = [p for p in final.parent.iterdir() if p.name != "2025"]
    assert survivors or step == "first rename"  # the kill left something to mend
    publish.recover(final)
    assert (final / "marker").read_text() == expected and publish.is_whole(final)
    assert sorted(p.name for p in final.parent.iterdir()) == ["2025"]


def test_a_swap_killed_between_renames_rolls_back_when_the_new_pack_is_not_whole(tmp_path):
    final = tmp_path / "2025"
    _pack(final, "old")
    token = publish.new_token()
    os.rename(final, publish.replaced_dir(final, token))
    publish.staging_dir(final, token).mkdir()  # the new pack never got its manifest
    assert publish.recover(final)[0].startswith("rolled back")
    assert (final / "marker").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025"]


@pytest.mark.parametrize("step, kept", [("first rename", "old"), ("second rename", "old"), ("remove old", "new")])
def test_ctrl_c_at_any_publish_step_keeps_a_whole_pack_and_no_leftovers(tmp_path, monkeypatch, step, kept):
    project = _project(tmp_path, {"00_x.ipynb": [PARAMS_CELL, "import pathlib\npathlib.Path(pack_dir, 'marker').write_text('new')"]})
    first = run_pack("params/demo.yaml", root=project)
    (first / "marker").write_text("old")
    _fail_at(monkeypatch, step, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        run_pack("params/demo.yaml", root=project, force=True)
    monkeypatch.undo()
    pack = project / "reports" / "demo" / "2025"
    assert publish.is_whole(pack) and (pack / "marker").read_text() == kept
    assert sorted(p.name for p in pack.parent.iterdir()) == ["2025"]


def test_stale_staging_folders_of_dead_runs_are_removed_by_the_next_run(tmp_path):
    project = _project(tmp_path, {"00_x.ipynb": [PARAMS_CELL, "x = 1"]})
    plan_dir = project / "reports" / "demo"
    run_pack("params/demo.yaml", root=project)
    for token in ("dead0001", "dead0002"):  # hex tokens, as new_token() makes them
        (publish.staging_dir(plan_dir / "2025", token) / "artifacts").mkdir(parents=True)
    _pack(plan_dir / ".replaced-2025-dead0003", "older")  # the pack exists: a dead run's leftover
    (plan_dir / ".staging-2025-Q1-dead0004").mkdir()  # another period's, whose run is dead too
    (plan_dir / ".staging-2025-Q2-a11fe005").mkdir()  # another period's, whose run is alive (holds its lock)
    lines: list[str] = []
    with publish.pack_lock(project / "reports" / ".locks" / "demo-2025-Q2.lock", label="2025-Q2"):
        run_pack("params/demo.yaml", root=project, force=True, echo=lines.append)
    assert lines[:2] == ["removed 3 folder(s) left by stopped runs", "2025-Q1: removed 1 folder(s) left by stopped runs"]
    assert sorted(p.name for p in plan_dir.iterdir()) == [".staging-2025-Q2-a11fe005", "2025"]


def test_a_second_run_of_the_same_plan_and_period_refuses_with_one_line(tmp_path):
    project = _project(tmp_path, {"00_x.ipynb": [PARAMS_CELL, "x = 1"]})
    lock_file = project / "reports" / ".locks" / "demo-2025.lock"
    with publish.pack_lock(lock_file, label="reports/demo/2025"):
        with pytest.raises(PackError, match=r"another run is writing reports/demo/2025 \(pid \d+, started .*\); wait for it"):
            run_pack("params/demo.yaml", root=project)
        result = _cli("pack", "params/demo.yaml", cwd=project)
        assert result.returncode == 2
        assert result.stderr.startswith("planlib: another run is writing reports/demo/2025 (pid ") and result.stderr.count("\n") == 1
    assert not (project / "reports" / "demo" / "2025").exists()
    run_pack("params/demo.yaml", root=project)  # released: the next run goes ahead


def test_the_workbook_is_written_with_the_mode_of_every_other_file(tmp_path):
    cell = (
        "import pandas as pd\nfrom planlib import io\nfrom pathlib import Path\n"
        "io.write_artifact(pd.DataFrame({'target': [1.0]}), Path(pack_dir), 'annual_target')"
    )
    project = _project(tmp_path, {"00_x.ipynb": [PARAMS_CELL, cell]})
    pack = run_pack("params/demo.yaml", root=project)
    umask = os.umask(0)
    os.umask(umask)
    modes = {p.name: p.stat().st_mode & 0o777 for p in pack.rglob("*") if p.is_file()}
    assert modes["demo_2025_plan.xlsx"] == 0o666 & ~umask
    assert set(modes.values()) == {0o666 & ~umask}


# ---------------------------------------------------------------- no secret in any file

def _sqlite_project(tmp_path: Path) -> Path:
    from planlib import demo

    cells = [
        PARAMS_CELL,
        "import os\nfrom planlib import workflow\n"
        "run = workflow.open_run(params_path, pack_dir=pack_dir, period=period, as_of=as_of)\n"
        "tables = workflow.build_intake(run)\n"
        "for name, table in tables.items():\n    run.save(name, table)\n"
        "print(run.plan)\nprint(tables['data_quality'].to_string())",
    ]
    project = _project(tmp_path, {"00_data.ipynb": cells})
    orders = demo.generate_demo_orders(3000, seed=3, start="2022-01-01", end="2024-12-31")
    with sqlite3.connect(project / "sales.db") as conn:
        orders.astype({c: str for c in orders.columns if str(orders[c].dtype) == "category"}).to_sql("orders", conn, index=False)
    return project


def _files(project: Path) -> list[Path]:
    return [p for p in (project / "reports").rglob("*") if p.is_file()]


def test_no_file_of_a_pack_from_a_sql_source_holds_the_password(tmp_path):
    project = _sqlite_project(tmp_path)
    secret, user = "Zq9-hunter2-s3cret", "planner_x7"
    env = {**os.environ, "PLANLIB_TEST_DB_PASSWORD": secret}
    url = f"sqlite:///{project / 'sales.db'}"
    params = DEMO_TEXT.replace("source: demo", f"source: sql\n  url: {url}\n  query: select * from orders")
    (project / "params" / "demo.yaml").write_text(params)
    result = _cli("pack", "params/demo.yaml", cwd=project, env=env)  # the secret sits in the environment
    assert result.returncode == 0, result.stderr
    pack = project / "reports" / "demo" / "2025"
    assert io.has_artifact(pack, "orders") and len(io.read_artifact(pack, "orders")) > 2000
    assert json.loads((pack / "manifest.json").read_text())["params"]["data"]["url"] == url
    assert len(_files(project)) >= 10
    assert [p for p in _files(project) if secret.encode() in p.read_bytes()] == []

    # a PostgreSQL-style URL: the password from data.password_env is set on the connection,
    # which fails here (no server, no driver); the failed notebook and the line hold no secret
    pg = f"postgresql://{user}@127.0.0.1:1/sales"
    (project / "params" / "demo.yaml").write_text(params.replace(url, pg).replace(
        "query: select * from orders", "query: select * from orders\n  password_env: PLANLIB_TEST_DB_PASSWORD"))
    failed = _cli("pack", "params/demo.yaml", "--force", cwd=project, env=env)
    assert failed.returncode == 2 and "00_data.ipynb failed" in failed.stderr and secret not in failed.stderr
    assert (project / "reports" / "demo" / "failed" / "2025" / "00_data.ipynb").is_file()

    # the password written into the URL is refused before anything runs, and never echoed
    # (every other form of it is in BAD_PARAMS above)
    (project / "params" / "demo.yaml").write_text(params.replace(url, f"postgresql://{user}@db/sales?password={secret}"))
    refused = _cli("pack", "params/demo.yaml", "--force", cwd=project, env=env)
    assert refused.returncode == 2 and "data.password_env" in refused.stderr and secret not in refused.stderr
    assert [p for p in _files(project) if secret.encode() in p.read_bytes()] == []


def test_the_manifest_records_a_sql_url_without_the_user_name(tmp_path):
    from planlib.pack import _manifest

    path = tmp_path / "plan.yaml"
    path.write_text(_sql("postgresql://planner_x7@db.example:5432/sales?sslmode=require"))
    manifest = _manifest(load_plan(path), path, tmp_path, period="2025", as_of="2024-12-31", timings={}, seconds=1.0)
    text = json.dumps(manifest)
    assert "planner_x7" not in text
    assert manifest["params"]["data"]["url"] == "postgresql://db.example:5432/sales?sslmode=require"


# ---------------------------------------------------------------- kill -9: no orphans, a whole pack

WORKER_CELL = """
import multiprocessing as mp, os, time, pathlib
from concurrent.futures import ProcessPoolExecutor
def nap(i):
    time.sleep(300)
pool = ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context('fork'))
futures = [pool.submit(nap, i) for i in range(2)]
time.sleep(1.5)
pids = [os.getpid(), *pool._processes]
pathlib.Path(os.environ['PLANLIB_TEST_PIDS']).write_text(' '.join(map(str, pids)))
[f.result() for f in futures]
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_a_pack_leaves_no_kernel_or_worker_and_the_old_pack_whole(tmp_path):
    project = _project(tmp_path, {"00_x.ipynb": [PARAMS_CELL, WORKER_CELL]})
    old = _pack(project / "reports" / "demo" / "2025", "old")
    pid_file = tmp_path / "pids.txt"
    env = {**os.environ, "PLANLIB_TEST_PIDS": str(pid_file)}
    started = time.monotonic()
    pack = subprocess.Popen([sys.executable, "-m", "planlib.cli", "pack", "params/demo.yaml", "--force"], cwd=project, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not pid_file.exists() or len(pid_file.read_text().split()) < 3:
        assert pack.poll() is None and time.monotonic() - started < 60, "the pack never started its workers"
        time.sleep(0.2)
    pids = [int(p) for p in pid_file.read_text().split()]
    assert all(_alive(p) for p in pids)
    os.kill(pack.pid, signal.SIGKILL)
    pack.wait()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [p for p in pids if _alive(p)] == []  # kernel and both workers are gone
    assert (old / "marker").read_text() == "old" and publish.is_whole(old)
    assert any(p.name.startswith(".staging-2025-") for p in old.parent.iterdir())  # the dead run's folder...
    publish.recover(old)
    assert sorted(p.name for p in old.parent.iterdir()) == ["2025"]  # ...is removed by the next run


KILL_AT_SECOND_RENAME = """
import os, sys
from planlib import publish
from planlib.pack import run_pack
real, calls = os.rename, []
def rename(src, dst):
    calls.append(dst)
    if len(calls) == 2:
        os._exit(9)  # as kill -9: no except, no finally
    real(src, dst)
publish.os.rename = rename
run_pack("params/demo.yaml", root=sys.argv[1], force=True)
"""


def test_a_process_killed_between_the_two_renames_has_its_swap_completed_by_the_next_run(tmp_path):
    project = _project(tmp_path, {"00_x.ipynb": [PARAMS_CELL, "import pathlib\npathlib.Path(pack_dir, 'marker').write_text('new')"]})
    pack = project / "reports" / "demo" / "2025"
    _pack(pack, "old")
    killed = subprocess.run([sys.executable, "-c", KILL_AT_SECOND_RENAME, str(project)], capture_output=True, timeout=300)
    assert killed.returncode == 9
    assert not pack.exists()  # neither pack in place: the state the issue found unrecoverable
    lines: list[str] = []
    with pytest.raises(PackError, match="exists already"):
        run_pack("params/demo.yaml", root=project, echo=lines.append)
    assert lines == ["completed the swap a stopped run left half done: 2025 is its new pack", "removed 1 folder(s) left by stopped runs"]
    assert (pack / "marker").read_text() == "new" and publish.is_whole(pack)
    assert sorted(p.name for p in pack.parent.iterdir()) == ["2025"]


# ---------------------------------------------------------------- random bytes at the boundary

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".parquet"]),
       prefix=st.sampled_from([b"", b"PK\x03\x04", b"PAR1", b"date,amount\n"]))
def test_random_bytes_give_a_frame_or_one_line_naming_the_file(tmp_path, blob, suffix, prefix):
    path = tmp_path / f"orders{suffix}"
    path.write_bytes(prefix + blob)
    try:
        frame = io.read_table(path, label=f"data/orders{suffix}")
    except DataError as err:
        assert str(err).startswith(f"data/orders{suffix}: ") and "\n" not in str(err)
    else:
        assert isinstance(frame, pd.DataFrame)


def test_three_packs_of_the_same_plan_at_once_give_one_pack_and_one_line_each(tmp_path):
    project = _project(tmp_path, {"00_x.ipynb": [PARAMS_CELL, "import time\ntime.sleep(2)"]})
    runs = [subprocess.Popen([sys.executable, "-m", "planlib.cli", "pack", "params/demo.yaml", "--force"], cwd=project,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    assert {code for code, _ in results} <= {0, 2} and any(code == 0 for code, _ in results)
    for code, err in results:
        assert "Traceback" not in err
        if code == 2:
            assert err.startswith("planlib: another run is writing reports/demo/2025 (pid ") and err.count("\n") == 1
    pack = project / "reports" / "demo" / "2025"
    assert publish.is_whole(pack) and sorted(p.name for p in pack.parent.iterdir()) == ["2025"]


def test_a_role_or_stage_left_out_keeps_its_default(tmp_path):
    """``role_tilt: {mature: 0.2}`` changes mature only (it stopped the pack with 'the tilt parameter of balance_split')."""
    path = tmp_path / "plan.yaml"
    path.write_text(DEMO_TEXT.replace("  min_growth: 0.08\n", "  min_growth: 0.08\n  role_tilt: {mature: 0.2}\n  stage_tilt: {growth: 0.05}\n"
                                      ).replace("stage_growth: {mature: 0.04, growth: 0.15, emerging: 0.30}", "stage_growth: {emerging: 0.5}"),
                    encoding="utf-8")
    spec = load_plan(path).targets
    assert spec.role_tilt == {"mature": 0.2, "strategic": -0.10, "potential": -0.05}
    assert spec.stage_tilt == {"mature": 0.10, "growth": 0.05, "emerging": -0.05}
    assert spec.stage_growth == {"mature": 0.04, "growth": 0.15, "emerging": 0.5}
    assert spec.role_growth == {"mature": 0.05, "strategic": 0.45, "potential": 0.20}  # as the demo writes it


def test_an_annual_as_of_before_the_review_year_is_refused_with_the_option_name():
    from planlib.periods import resolve_period

    plan = load_plan(ROOT / "params" / "demo.yaml")
    with pytest.raises(ParamsError) as caught:
        resolve_period(plan, period="2025", as_of="2022-01-31")
    assert str(caught.value) == ("as-of 2022-01-31 is before 2024, the year an annual plan for 2025 reviews; "
                                 "give a date in 2024 or leave it empty (2024-12-31)")
    assert resolve_period(plan, period="2025", as_of="2024-06-30")[1].isoformat() == "2024-06-30"
