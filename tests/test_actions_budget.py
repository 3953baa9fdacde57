"""Tests of the one budget (planlib.actions.budget): actions and support draw from one total."""

from __future__ import annotations

import pandas as pd
import pytest

from planlib import actions as A
from planlib.errors import ParamsError

MONTHS = pd.date_range("2025-01-01", periods=12, freq="MS")


def long_targets() -> pd.DataFrame:
    rows = []
    for m in MONTHS:
        rows += [("total", "Total", m, 100), ("month", "Total", m, 100), ("region", "N", m, 60), ("region", "W", m, 40),
                 ("channel", "direct", m, 70), ("channel", "partner", m, 30)]
    return pd.DataFrame(rows, columns=["dimension", "segment", "month", "target"])


def calendar(budgets=(100, 200)) -> pd.DataFrame:
    return pd.DataFrame({"action_type": ["event", "new_customers"], "action": ["Expo", "Drive"], "budget": list(budgets),
                         "expected_revenue": [500.0, 300.0], "in_baseline": [False, True]})


def test_every_dimension_adds_up_to_the_one_budget():
    split = A.allocate_budget(calendar(), long_targets(), budget=1_000)
    assert split.attrs == {"budget": 1_000, "actions": 300, "pool": 700}
    assert split.groupby("dimension")["budget"].sum().to_dict() == {"channel": 1_000, "region": 1_000}
    s = split.set_index(["dimension", "segment"])["budget"]
    assert s[("region", "N")] == 420 and s[("region", "W")] == 280  # the pool of 700 by target share
    assert s[("channel", A.ACTIONS_ROW)] == 300
    # per region: the growth its target asks (no history here: NaN) per unit of its budget
    assert "increase_per_budget" in split.columns
    support = A.plan_channel_support(long_targets(), split).set_index("channel")["support_budget"]
    assert support.drop(A.ACTIONS_ROW).sum() == 700  # channel support is the pool, not the whole budget again
    assert support.sum() == 1_000 and support[A.ACTIONS_ROW] == 300


def test_budget_ledger_counts_every_draw_once_with_its_return():
    gap = A.build_gap_ledger(calendar(), target=2_000, baseline=1_000)
    split = A.allocate_budget(calendar(), long_targets(), budget=1_000)
    ledger = A.build_budget_ledger(gap, split, budget=1_000)
    body = ledger[ledger["use"] != "total"]
    assert body["budget"].sum() == 1_000 and ledger.loc[ledger["use"] == "total", "budget"].iloc[0] == 1_000
    acts = ledger[ledger["use"] == "action"].set_index("item")
    assert acts.loc["Expo", "revenue_per_budget"] == 5.0  # 500 / 100
    assert acts.loc["Drive", "revenue_per_budget"] == 0.0  # already in the baseline: adds nothing
    assert set(ledger.loc[ledger["use"] == "channel support", "item"]) == {"direct", "partner"}
    text = A.summarize_budget(ledger)
    assert "Budget 1.0K: actions 300, support 700" in text and "best 'Expo' at 5.0" in text


def test_a_plan_that_spends_more_than_its_budget_is_refused_in_one_line():
    with pytest.raises(ParamsError, match=r"^the plan spends 1,200 but actions.budget is 1,000: lower"):
        A.allocate_budget(calendar((400, 800)), long_targets(), budget=1_000)


def test_no_budget_is_said_not_shown_as_zeros():
    split = A.allocate_budget(calendar((0, 0)), long_targets(), budget=0)
    assert split["budget"].isna().all() and split["note"].str.startswith("no budget given").all()
    ledger = A.build_budget_ledger(A.build_gap_ledger(calendar((0, 0)), target=1, baseline=1), split, budget=0)
    assert list(ledger["use"]) == ["none"] and ledger["item"].iloc[0].startswith("no budget given")
    assert A.summarize_budget(ledger).startswith("No budget given")


def test_channel_support_without_a_budget_leaves_the_budget_cells_empty():
    """A plan with no budget packs (it failed on int(NaN)) and shows no invented zeros."""
    split = A.allocate_budget(calendar((0, 0)), long_targets(), budget=0)
    support = A.plan_channel_support(long_targets(), split)
    assert support["support_budget"].isna().all()
    assert support["budget_per_target"].isna().all()


def test_a_plan_without_channel_or_region_targets_still_adds_up():
    total_only = long_targets().query("dimension in ['total', 'month']")
    split = A.allocate_budget(calendar(), total_only, budget=1_000)
    assert split.set_index("segment")["budget"].to_dict() == {"(support pool)": 700, A.ACTIONS_ROW: 300}
    ledger = A.build_budget_ledger(A.build_gap_ledger(calendar(), target=1, baseline=1), split, budget=1_000)
    assert ledger.loc[ledger["use"] != "total", "budget"].sum() == 1_000
