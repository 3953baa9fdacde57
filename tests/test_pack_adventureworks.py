"""End to end on the public AdventureWorks data: the 2013 plan and its second quarter.

Its own module, so a parallel test run builds these packs on one worker while the demo
packs of test_pack_e2e build on another.
"""

from __future__ import annotations

import pytest

from planlib import io
from planlib.decompose import check_consistency
from planlib.pack import run_pack
from test_pack_e2e import _copy_project


@pytest.fixture(scope="module")
def adventureworks_packs(tmp_path_factory, shared_data):
    project = _copy_project(tmp_path_factory.mktemp("aw"))
    (project.parent / "shared").symlink_to(shared_data.parent, target_is_directory=True)
    annual = run_pack("params/adventureworks.yaml", root=project)
    quarter = run_pack("params/adventureworks.yaml", root=project, period="2013-Q2")
    return annual, quarter


def test_adventureworks_plan_2013_and_its_second_quarter(adventureworks_packs):
    annual, quarter = adventureworks_packs
    quality = io.read_artifact(annual, "data_quality")
    assert quality["check"].str.startswith("incomplete month in the source: 2014-01").any()
    assert check_consistency(io.read_artifact(annual, "targets_long"))["exact"].all()
    replanned = io.read_artifact(quarter, "replanned_targets_long").groupby("dimension")["target"].sum()
    assert replanned.nunique() == 1
    assert (quarter / "adventureworks_2013-Q2_plan.xlsx").is_file()


def test_adventureworks_pack_backtests_prices_and_closes_its_plan(adventureworks_packs):
    annual, _ = adventureworks_packs
    # 24 months before 2013: the backtest still runs out of sample, on shortened windows
    backtest = io.read_artifact(annual, "backtest")
    assert (backtest.loc[backtest["kind"] == "regular", "n_origins"] > 0).all()
    coverage = io.read_artifact(annual, "forecast_coverage").set_index("level")
    assert 0.6 <= coverage.loc["all", "monthly"] <= 1.0
    # the target's probability is stated for every option, and the action plan says whether it closes the gap
    options = io.read_artifact(annual, "target_options")
    assert options["probability"].between(0, 1).all() and len(options) >= 2
    ledger = io.read_artifact(annual, "gap_closure").set_index("kind")
    target, baseline = ledger.loc["target", "incremental"], ledger.loc["baseline", "incremental"]
    actions = ledger.loc[["action"], "incremental"].sum() if "action" in ledger.index else 0.0
    assert ledger.loc["remaining_gap", "incremental"] == pytest.approx(target - baseline - actions, abs=1)
    # rep deal sizes come from what reps sell, not from web-shop orders nobody sold
    funnel = io.read_artifact(annual, "funnel")
    assert funnel["deal_size"].min() > 5_000
