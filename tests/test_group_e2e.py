"""End to end: three small demo business units packed on a dask LocalCluster of 2 workers, a
unit with a missing data file beside them, then their group plan.

One run per module (the slow part): every check of the unit packs and the group pack shares it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from planlib import io, publish
from planlib.group import run_many, write_group_pack

ROOT = Path(__file__).resolve().parents[1]
UNITS = {"north": 11, "south": 23, "west": 37}  # plan name -> demo seed: three different small companies


def _unit_params(name: str, seed: int) -> dict:
    """The demo plan, made small: 10k order lines, three forecast levels, 200 paths, one forecast job."""
    data = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))
    data["plan"] = name
    data["title"] = f"Unit {name}"
    data["data"]["demo"] = {"n_lines": 10_000, "seed": seed}
    data["forecast"] = {"levels": [["product_line"], ["region"], ["channel"]], "n_paths": 200, "n_jobs": 1}
    data["targets"].pop("commitments")
    return data


@pytest.fixture(scope="module")
def group_run(tmp_path_factory):
    project = tmp_path_factory.mktemp("group")
    shutil.copytree(ROOT / "notebooks", project / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (project / "params" / "units").mkdir(parents=True)
    for name, seed in UNITS.items():
        (project / "params" / "units" / f"{name}.yaml").write_text(yaml.safe_dump(_unit_params(name, seed)), encoding="utf-8")
    broken = _unit_params("east", 5)
    broken["data"] = {"source": "csv", "path": "data/east_orders.csv",
                      "columns": {"order_date": "date", "order_id": "order", "customer_id": "customer",
                                  "revenue": "amount", "product_line": "line", "region": "area"}}
    (project / "params" / "east.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    lines: list[str] = []
    outcome = run_many(["params/units", "params/east.yaml"], group="holding", workers=2, root=project, echo=lines.append)
    return project, outcome, lines


def test_each_good_unit_publishes_a_whole_pack_on_two_workers(group_run):
    project, outcome, lines = group_run
    assert outcome.workers == 2 and lines[0] == "4 unit(s) on 2 dask worker(s)"
    good = {r.plan: r for r in outcome.units if r.ok}
    assert set(good) == set(UNITS)
    for name in UNITS:
        pack = project / "reports" / name / "2025"
        assert Path(good[name].pack) == pack and publish.is_whole(pack)
        assert (pack / f"{name}_2025_plan.xlsx").is_file() and (pack / "html" / "03_targets.html").is_file()
        assert json.loads((pack / "manifest.json").read_text())["inputs"]["demo company"].endswith(f"seed={UNITS[name]}")
        assert [p.name for p in (project / "reports" / name).iterdir()] == ["2025"]  # no staging folder left


def test_the_failing_unit_is_reported_in_one_line_and_blocks_only_the_group_plan(group_run):
    project, outcome, lines = group_run
    [failed] = outcome.failed
    assert failed.plan == "east" and not failed.traceback
    assert "data/east_orders.csv" in failed.message
    [line] = [line for line in lines if "east" in line]
    assert line.startswith("params/east.yaml (plan 'east'): FAILED: ") and "\n" not in line
    assert not (project / "reports" / "east" / "2025").exists()
    assert outcome.group_pack is None and not (project / "reports" / "holding").exists()
    assert lines[-1] == "group plan 'holding' not written: 1 of 4 unit(s) failed"
    assert [r.plan for r in outcome.units] == ["north", "south", "west", "east"]  # the order given


@pytest.fixture(scope="module")
def group_pack(group_run):
    project, outcome, _ = group_run
    packs = {r.plan: Path(r.pack) for r in outcome.units if r.ok}
    lines: list[str] = []
    pack = write_group_pack(packs, group="holding", period="2025", root=project, echo=lines.append)
    return project, pack, lines


def _final(pack: Path) -> pd.Series:
    annual = io.read_artifact(pack, "annual_target")
    return annual.loc[annual["step"] == "final"].iloc[0]


def test_the_group_target_is_the_exact_sum_of_the_unit_targets(group_pack):
    project, pack, _ = group_pack
    assert publish.is_whole(pack) and pack == project / "reports" / "holding" / "2025"
    units = io.read_artifact(pack, "group_units").set_index("unit")
    group = io.read_artifact(pack, "group_target")
    expected = {name: int(_final(project / "reports" / name / "2025")["amount"]) for name in UNITS}
    assert units["target"].to_dict() == expected
    assert set(group["target"]) == {sum(expected.values())}
    months = io.read_artifact(pack, "group_targets_month")
    assert len(months) == 12 and int(months["group"].sum()) == sum(expected.values())
    assert (months[list(UNITS)].sum(axis=1) == months["group"]).all()
    assert units["share"].sum() == pytest.approx(1.0)


def test_the_group_probability_lies_within_sensible_bounds(group_pack):
    project, pack, _ = group_pack
    units = io.read_artifact(pack, "group_units").set_index("unit")
    p = io.read_artifact(pack, "group_target").set_index("coupling")["probability"]
    # each unit's probability recomputed from its paths matches what its own pack states (two decimals)
    assert (units["probability"] - units["probability_stated"]).abs().max() <= 0.005 + 1e-9
    assert units["probability"].min() <= p["comonotonic"] <= units["probability"].max()
    assert 0.0 < p["independent"] < 1.0
    low, high = sorted((p["independent"], p["comonotonic"]))
    assert low - 0.02 <= p["estimated"] <= high + 0.02


def test_the_group_pack_has_a_workbook_a_summary_and_a_manifest(group_pack):
    project, pack, lines = group_pack
    book = openpyxl.load_workbook(pack / "holding_2025_group_plan.xlsx", read_only=True)
    assert book.sheetnames == ["Contents", "Units", "Group", "Months", "Spread"]
    summary = (pack / "group_summary.md").read_text(encoding="utf-8")
    total = int(io.read_artifact(pack, "group_target")["target"].iloc[0])
    assert f"**{total:,}**" in summary and all(f"| {name} |" in summary for name in UNITS)
    assert "<table>" in (pack / "group_summary.html").read_text(encoding="utf-8")
    manifest = json.loads((pack / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["kind"] == "group" and sorted(manifest["units"]) == sorted(UNITS)
    assert manifest["units"]["north"]["targets_sha256"] == io.hash_file(
        project / "reports" / "north" / "2025" / "artifacts" / "targets_long.parquet")
    assert lines[-1].startswith(f"group plan 'holding': target {total:,} from 3 units")


def test_an_existing_group_pack_is_not_replaced_without_force(group_pack):
    project, pack, _ = group_pack
    packs = {name: project / "reports" / name / "2025" for name in UNITS}
    before = (pack / "manifest.json").read_text()
    with pytest.raises(Exception, match="reports/holding/2025 exists already; use --force to replace it"):
        write_group_pack(packs, group="holding", period="2025", root=project)
    assert (pack / "manifest.json").read_text() == before
    again = write_group_pack(packs, group="holding", period="2025", root=project, force=True)
    pd.testing.assert_frame_equal(io.read_artifact(again, "group_target"), io.read_artifact(pack, "group_target"))


def test_the_group_command_consolidates_existing_packs_without_running_them(group_pack):
    from click.testing import CliRunner

    from planlib.cli import main

    project, pack, _ = group_pack
    before = io.read_artifact(pack, "group_target")
    env = {"PLANLIB_ROOT": str(project)}
    refused = CliRunner().invoke(main, ["group", "params/units", "params/east.yaml", "--group", "holding"], env=env)
    assert refused.exit_code == 2
    assert "no whole pack for 1 unit(s): params/east.yaml (reports/east/2025)" in refused.output
    done = CliRunner().invoke(main, ["group", "params/units", "--group", "holding", "--force"], env=env)
    assert done.exit_code == 0, done.output
    assert done.output.startswith("group plan 'holding': target ")
    pd.testing.assert_frame_equal(io.read_artifact(pack, "group_target"), before)


def test_units_on_an_existing_scheduler_refuse_to_overwrite_their_packs(group_pack):
    """--scheduler: a LocalCluster started apart, reached by its address; packs exist, so each unit fails alone."""
    from distributed import LocalCluster

    project, _, _ = group_pack
    before = {name: (project / "reports" / name / "2025" / "manifest.json").read_text() for name in UNITS}
    with pytest.raises(Exception, match="^reports/holding/2025 exists already; use --force to replace it$"):
        run_many(["params/units"], group="holding", root=project)  # refused before any unit runs
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        lines: list[str] = []
        outcome = run_many(["params/units"], group="holding2", root=project, scheduler=cluster.scheduler_address,
                           echo=lines.append)
    assert lines[0] == f"3 unit(s) on 2 dask worker(s) at {cluster.scheduler_address}"
    assert len(outcome.failed) == 3 and outcome.group_pack is None and not outcome.ok
    assert all(r.message.endswith("exists already; use --force to replace it") for r in outcome.failed)
    assert before == {name: (project / "reports" / name / "2025" / "manifest.json").read_text() for name in UNITS}
