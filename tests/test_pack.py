"""The pack runner and the CLI: whole packs or none, one-line errors, exit code 2."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from planlib.errors import PackError, ParamsError
from planlib.pack import run_pack

ROOT = Path(__file__).resolve().parents[1]


def _project(tmp_path: Path, notebooks: dict[str, list[str]]) -> Path:
    """A throwaway project: the demo params and the given notebooks (name -> code cells)."""
    shutil.copytree(ROOT / "params", tmp_path / "params")
    (tmp_path / "notebooks").mkdir()
    for name, cells in notebooks.items():
        nb = new_notebook(cells=[new_code_cell(c) for c in cells])
        nb.cells[0].metadata["tags"] = ["parameters"]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, tmp_path / "notebooks" / name)
    return tmp_path


PARAMS_CELL = 'params_path = ""\npack_dir = ""\nperiod = ""\nas_of = ""'


def test_a_failing_notebook_stops_the_pack_with_one_line_and_leaves_no_pack(tmp_path):
    project = _project(
        tmp_path,
        {
            "00_ok.ipynb": [PARAMS_CELL, "x = 1"],
            "01_broken.ipynb": [PARAMS_CELL, "y = 2", "raise ValueError('the forecast table is empty')"],
        },
    )
    lines: list[str] = []
    with pytest.raises(PackError) as caught:
        run_pack("params/demo.yaml", root=project, echo=lines.append)
    text = str(caught.value)
    # cell 4 as numbered in the kept notebook (papermill inserts the injected parameters)
    assert text.startswith("01_broken.ipynb failed in cell 4: ValueError: the forecast table is empty")
    assert "\n" not in text
    assert lines == ["[1/2] 00_ok.ipynb done in " + lines[0].split(" in ")[1]]
    plan_dir = project / "reports" / "demo"
    assert sorted(p.name for p in plan_dir.iterdir()) == ["failed"]  # no pack, no staging folder
    kept = plan_dir / "failed" / "2025" / "01_broken.ipynb"
    assert "ValueError" in kept.read_text()
    # once fixed, the pack appears and the stale failure goes away
    fixed = nbformat.read(project / "notebooks" / "01_broken.ipynb", as_version=4)
    fixed.cells[-1].source = "print('fixed')"
    nbformat.write(fixed, project / "notebooks" / "01_broken.ipynb")
    run_pack("params/demo.yaml", root=project, echo=lines.append)
    assert sorted(p.name for p in plan_dir.iterdir()) == ["2025"]


def test_a_small_pack_is_complete_and_is_not_overwritten_without_force(tmp_path):
    project = _project(
        tmp_path,
        {"00_write.ipynb": [PARAMS_CELL, "import pathlib\npathlib.Path(pack_dir, 'artifacts').mkdir()\nprint(period, as_of)"]},
    )
    pack = run_pack("params/demo.yaml", root=project)
    assert pack == project / "reports" / "demo" / "2025"
    manifest = json.loads((pack / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["as_of"] == "2024-12-31"
    assert set(manifest["inputs"]) == {"params/demo.yaml", "params/demo_commitments.csv", "demo company"}
    assert all(len(v) == 64 for k, v in manifest["inputs"].items() if k.startswith("params/"))  # sha256
    assert manifest["params"]["plan_year"] == 2025
    assert "00_write.ipynb" in manifest["timings_seconds"]
    assert (pack / "html" / "00_write.html").is_file()
    html = (pack / "html" / "00_write.html").read_text()
    assert "2025 2024-12-31" in html and "pathlib" not in html  # outputs, no code
    with pytest.raises(PackError, match="reports/demo/2025 exists already; use --force to replace it"):
        run_pack("params/demo.yaml", root=project)
    (pack / "marker").write_text("old")
    again = run_pack("params/demo.yaml", root=project, force=True)
    assert not (again / "marker").exists()


def test_bad_params_stop_before_any_notebook_runs(tmp_path):
    project = _project(tmp_path, {"00_x.ipynb": [PARAMS_CELL, "raise SystemExit('must not run')"]})
    (project / "params" / "demo.yaml").write_text("plan: demo\nplan_year: 2025\ntargets: {growht: 0.1}\n")
    with pytest.raises(ParamsError, match="unknown key targets.growht; did you mean 'growth'"):
        run_pack("params/demo.yaml", root=project)
    assert not (project / "reports").exists()


def test_quarterly_period_sets_the_as_of_date_and_wrong_periods_are_refused(tmp_path):
    project = _project(tmp_path, {"00_x.ipynb": [PARAMS_CELL, "print(period, as_of)"]})
    run_pack("params/demo.yaml", root=project)  # a quarterly pack needs its annual plan first
    pack = run_pack("params/demo.yaml", root=project, period="2025-Q2")
    assert json.loads((pack / "manifest.json").read_text())["as_of"] == "2025-06-30"
    with pytest.raises(ParamsError, match="period 2024-Q1 is not in the plan year 2025"):
        run_pack("params/demo.yaml", root=project, period="2024-Q1")
    with pytest.raises(ParamsError, match="period must look like 2025 or 2025-Q2; got '2025Q3'"):
        run_pack("params/demo.yaml", root=project, period="2025Q3")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planlib.cli", *args], cwd=cwd, capture_output=True, text=True)


def test_cli_turns_planlib_errors_into_one_line_and_exit_code_2(tmp_path):
    project = _project(tmp_path, {"00_x.ipynb": [PARAMS_CELL]})
    (project / "params" / "bad.yaml").write_text("plan: bad\nplan_year: 2025\ntargets: {growth: 12}\n")
    result = _cli("validate", "params/bad.yaml", cwd=project)
    assert result.returncode == 2
    assert result.stderr == "planlib: params/bad.yaml: targets.growth must be between -0.5 and 3; got 12\n"
    ok = _cli("validate", "params/demo.yaml", cwd=project)
    assert ok.returncode == 0 and "valid" in ok.stdout


def test_a_papermill_user_may_type_the_year_as_an_int_and_the_date_as_a_number(tmp_path):
    """`papermill ... -p period 2025` passes an int (it failed with TypeError); `-p as_of 20250630` too."""
    import datetime as dt

    from planlib.plan import load_plan
    from planlib.periods import resolve_period

    plan = load_plan(ROOT / "params" / "demo.yaml")
    assert resolve_period(plan, period=2025) == ("2025", plan.history_end)
    assert resolve_period(plan, period="2025-Q2", as_of=20250630) == ("2025-Q2", dt.date(2025, 6, 30))
    assert resolve_period(plan, period="2025-Q2", as_of=dt.date(2025, 5, 31)) == ("2025-Q2", dt.date(2025, 5, 31))
    with pytest.raises(ParamsError, match="as_of must be a date"):
        resolve_period(plan, period="2025-Q2", as_of="mid June")


def test_a_stage_reads_only_the_columns_it_needs(tmp_path):
    """``run.columns`` reads a few columns of an artifact from Parquet (the forecast stage reads 3-6 of the lines')."""
    import pandas as pd

    from planlib import io, workflow

    frame = pd.DataFrame({"order_date": pd.to_datetime(["2024-01-05", "2024-02-01"]), "revenue": [1.0, 2.5],
                          "customer_id": ["c1", "c2"], "region": ["East", "West"]})
    io.write_artifact(frame, tmp_path, "orders")
    run = workflow.Run(plan=None, root=tmp_path, pack=tmp_path, period="2025", as_of=None)
    got = run.columns("orders", ["order_date", "revenue", "channel", "region"])  # channel: not in this export
    assert list(got.columns) == ["order_date", "revenue", "region"]
    pd.testing.assert_frame_equal(got, frame[["order_date", "revenue", "region"]])
    assert "orders" not in run._cache  # the whole table was never read
    run.table("orders")
    assert list(run.columns("orders", ["revenue"]).columns) == ["revenue"]  # from the table at hand once read


def test_a_pack_shows_the_what_if_table_without_live_widgets(tmp_path, monkeypatch):
    """In a batch run (PLANLIB_BATCH=1, set by the pack) the what-if cell displays the table at the params'
    settings and creates no widget: live widgets under nbclient can block a cell forever (seen in CI)."""
    from unittest import mock

    import pandas as pd

    from planlib import whatif

    monkeypatch.setenv(whatif.BATCH_ENV_VAR, "1")
    shown = []
    with mock.patch.object(whatif, "decompose_targets", return_value={"t": 1}), \
         mock.patch.object(whatif, "summarize_whatif", return_value=pd.DataFrame({"target": ["annual target"], "value": ["144,931,624"]})), \
         mock.patch("IPython.display.display", side_effect=shown.append):
        assert whatif.build_whatif(inputs=None, spec=None) is None
    table = shown[-1]._repr_html_()
    assert "annual target" in table and "144,931,624" in table and "What if" in shown[0].data


def test_a_pack_what_if_table_is_the_plans_own_headline(monkeypatch):
    """In a pack the what-if table summarises the tables the plan has just built (read from the run),
    equal to a fresh decomposition at the params' settings; no second decomposition runs."""
    from unittest import mock

    import pandas as pd

    from planlib import whatif
    from planlib.decompose import decompose_targets
    from planlib.workflow import open_run, target_inputs

    from planlib.display import format_table

    run = open_run("params/demo.yaml", root=ROOT)
    fresh = whatif.summarize_whatif(decompose_targets(target_inputs(run), run.plan.targets))
    monkeypatch.setenv(whatif.BATCH_ENV_VAR, "1")
    shown = []
    with mock.patch.object(whatif, "decompose_targets", side_effect=AssertionError("decomposed again")), \
         mock.patch("IPython.display.display", side_effect=shown.append):
        assert whatif.show_whatif(run) is None
    pd.testing.assert_frame_equal(shown[-1].frame, format_table(fresh).frame)


def test_an_optional_table_the_stage_did_not_produce_does_not_run_the_stage_again(tmp_path, monkeypatch):
    """A stage that ran without producing an optional table (attainment without quotas) is not re-run
    for it by a later notebook: the pack notes what the stage left out (at 10M lines a re-run cost 20 s)."""
    import pandas as pd

    from planlib import io, workflow

    calls = []

    def stage(run):
        calls.append(1)
        return {"kept": pd.DataFrame({"x": [1]})}

    monkeypatch.setitem(workflow._BUILDERS, "kept", stage)
    monkeypatch.setitem(workflow._BUILDERS, "left_out", stage)
    first = workflow.Run(plan=None, root=tmp_path, pack=tmp_path, period="2025", as_of=None)
    assert first.table("left_out", optional=True) is None
    assert len(calls) == 1 and "left_out" in io.absent_artifacts(tmp_path)
    later = workflow.Run(plan=None, root=tmp_path, pack=tmp_path, period="2025", as_of=None)  # the next notebook
    assert later.table("left_out", optional=True) is None
    assert list(later.table("kept")["x"]) == [1]
    assert len(calls) == 1
    with pytest.raises(KeyError, match="did not produce"):
        later.table("left_out")
