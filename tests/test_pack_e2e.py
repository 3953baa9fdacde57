"""End to end: the demo plan pack and a quarterly pack, then the real AdventureWorks data.

One pack per fixture (module scope): the slow part of the suite, so every check of the
pack's contents shares it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from planlib import io
from planlib.decompose import check_consistency, decompose_targets
from planlib.pack import diff_packs, run_pack
from planlib.report import PLAN_SHEETS
from planlib.workflow import open_run, target_inputs

ROOT = Path(__file__).resolve().parents[1]


def _copy_project(target: Path) -> Path:
    shutil.copytree(ROOT / "notebooks", target / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(ROOT / "params", target / "params")
    return target


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Send this process's file descriptor 2 (where kernels and papermill write) to ``path``."""
    saved = os.dup(2)
    with path.open("wb") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield path
        finally:
            os.dup2(saved, 2)
            os.close(saved)


@pytest.fixture(scope="module")
def demo_packs(tmp_path_factory):
    project = _copy_project(tmp_path_factory.mktemp("demo"))
    lines: list[str] = []
    with _stderr_to(project / "stderr.txt"):
        annual = run_pack("params/demo.yaml", root=project, echo=lines.append)
        quarter = run_pack("params/demo.yaml", root=project, period="2025-Q2", echo=lines.append)
    return project, annual, quarter


def test_a_good_pack_prints_only_its_progress_lines(demo_packs):
    """No kernel chatter on a good run (it printed "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel")."""
    project, _, _ = demo_packs
    stderr = (project / "stderr.txt").read_text(errors="replace")
    assert "ERROR" not in stderr and "Traceback" not in stderr, stderr[-2000:]


def test_demo_pack_is_complete(demo_packs):
    project, annual, _ = demo_packs
    manifest = json.loads((annual / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    ran = [name for name in manifest["timings_seconds"] if name.endswith(".ipynb")]
    assert ran == ["00_data.ipynb", "01_review.ipynb", "02_forecast.ipynb", "03_targets.ipynb", "04_action_plan.ipynb"]
    for name in ran:
        html = (annual / "html" / name.replace(".ipynb", ".html")).read_text()
        assert "open_run(" not in html and "params_path" not in html  # code-free, no injected parameters
    assert sorted(p.name for p in (project / "reports" / "demo").iterdir()) == ["2025", "2025-Q2"]  # no staging left


def test_every_target_split_adds_up_exactly(demo_packs):
    _, annual, _ = demo_packs
    long = io.read_artifact(annual, "targets_long")
    consistency = check_consistency(long)
    assert consistency["exact"].all(), consistency
    final = io.read_artifact(annual, "annual_target").set_index("step").loc["final", "amount"]
    assert (consistency["annual_total"] == final).all()
    cube = io.read_artifact(annual, "targets_cube")
    for table, dimension in (("targets_region", "region"), ("targets_product_line", "product_line")):
        expected = io.read_artifact(annual, table).set_index(dimension)["target"].sort_index()
        got = cube.groupby(dimension, observed=True)["target"].sum().sort_index()
        pd.testing.assert_series_equal(got, expected, check_names=False, check_dtype=False)


def test_same_inputs_give_byte_identical_targets(demo_packs):
    project, annual, _ = demo_packs
    run = open_run("params/demo.yaml", pack_dir=str(annual), root=project)
    first = decompose_targets(target_inputs(run), run.plan.targets)["targets_long"].to_csv(index=False)
    second = decompose_targets(target_inputs(run), run.plan.targets)["targets_long"].to_csv(index=False)
    assert first == second == io.read_artifact(annual, "targets_long").to_csv(index=False)


def test_workbook_matches_the_artifacts(demo_packs):
    _, annual, _ = demo_packs
    workbook = annual / "demo_2025_plan.xlsx"
    sheets = pd.read_excel(workbook, sheet_name=None)
    assert list(sheets)[0] == "Contents"
    for artifact, (title, _) in PLAN_SHEETS.items():
        if not io.has_artifact(annual, artifact):
            continue
        frame = io.read_artifact(annual, artifact)
        sheet = sheets[title[:31]]
        assert len(sheet) == len(frame), title
        if "target" in frame.columns:
            assert sheet["target"].sum() == pytest.approx(frame["target"].sum()), title


def test_quarterly_pack_tracks_the_annual_plan_and_respreads_exactly(demo_packs):
    _, annual, quarter = demo_packs
    manifest = json.loads((quarter / "manifest.json").read_text())
    assert manifest["as_of"] == "2025-06-30"
    assert manifest["tracks"]["targets_sha256"] == io.hash_file(annual / "artifacts" / "targets_long.parquet")
    ran = [name for name in manifest["timings_seconds"] if name.endswith(".ipynb")]
    assert ran == ["00_data.ipynb", "02_forecast.ipynb", "05_tracking.ipynb"]
    respread = io.read_artifact(quarter, "respread")
    by_month = respread.pivot_table(index="month", columns="dimension", values="target", aggfunc="sum")
    assert by_month.eq(by_month["total"], axis=0).all().all(), by_month  # every split exact, month by month
    assert list(by_month.index.month) == [7, 8, 9, 10, 11, 12]
    # carry_shortfall (the default): the company is ahead at mid-year, so no open month falls
    # below its annual plan and the re-planned year keeps the lead (it never gives it back)
    annual_long = io.read_artifact(annual, "targets_long").query("dimension == 'total'")
    annual_total = annual_long["target"].sum()
    orders = io.read_artifact(quarter, "orders")
    closed = round(orders.loc[orders["order_date"] >= "2025-01-01", "revenue"].sum())
    planned_closed = annual_long.loc[pd.to_datetime(annual_long["month"]).dt.month <= 6, "target"].sum()
    assert closed > planned_closed  # the demo company is ahead at 2025-06-30
    planned_open = annual_long.assign(month=pd.to_datetime(annual_long["month"])).set_index("month")["target"]
    assert (by_month["total"].to_numpy() >= planned_open[planned_open.index.month > 6].to_numpy()).all()
    assert closed + by_month["total"].sum() >= annual_total
    replanned = io.read_artifact(quarter, "replanned_targets_long").groupby("dimension")["target"].sum()
    assert replanned.nunique() == 1  # the re-planned year adds up the same in every dimension
    tracking = io.read_artifact(quarter, "tracking")
    assert set(tracking["status"]) <= {"green", "amber", "red", "n/a"}
    summary, table = diff_packs(annual, quarter)
    assert len(table) > 0 and summary


def test_the_year_end_pack_closes_the_year_without_a_forecast(demo_packs):
    project, annual, _ = demo_packs
    lines: list[str] = []
    year_end = run_pack("params/demo.yaml", root=project, period="2025-Q4", echo=lines.append)
    manifest = json.loads((year_end / "manifest.json").read_text())
    assert manifest["timings_seconds"]["02_forecast.ipynb"].startswith("skipped")
    assert any("02_forecast.ipynb skipped: the plan year is over" in line for line in lines)
    assert sorted(p.name for p in (year_end / "html").iterdir()) == ["00_data.html", "05_tracking.html"]
    assert io.read_artifact(year_end, "respread").empty
    tracking = io.read_artifact(year_end, "tracking").set_index("dimension")
    orders = io.read_artifact(year_end, "orders")
    assert tracking.loc["total", "actual"] == pytest.approx(orders.loc[orders["order_date"] >= "2025-01-01", "revenue"].sum())


def test_a_quarterly_pack_without_its_annual_plan_stops(tmp_path):
    project = _copy_project(tmp_path)
    from planlib.errors import PackError

    with pytest.raises(PackError, match=r"^no annual plan pack at reports/demo/2025: run `planlib pack params/demo.yaml` first"):
        run_pack("params/demo.yaml", root=project, period="2025-Q3")
