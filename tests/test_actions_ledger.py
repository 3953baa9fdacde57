"""Tests of the gap ledger (planlib.actions.ledger): one ledger the chart, the text and the tables read."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from matplotlib.figure import Figure

from planlib import actions as A
from planlib import charts
from planlib.errors import DataError, ParamsError


def calendar() -> pd.DataFrame:
    """A recurring promotion (in the baseline), a drive and an event."""
    return pd.DataFrame({
        "action_type": ["promotion", "new_customers", "event"], "action": ["618", "Drive Q1", "Expo"],
        "budget": [100, 50, 200], "expected_revenue": [400.0, 60.0, 100.0], "in_baseline": [True, False, False],
    })


def test_an_effect_inside_the_baseline_is_listed_but_never_counted():
    ledger = A.build_gap_ledger(calendar(), target=1_300, baseline=1_000)
    assert list(ledger["kind"]) == ["target", "baseline", "action", "action", "action", "remaining_gap"]
    acts = ledger[ledger["kind"] == "action"]
    assert list(acts["incremental"]) == [0.0, 60.0, 100.0]
    assert list(acts["running"]) == [1_000.0, 1_060.0, 1_160.0]
    remaining = ledger.loc[ledger["kind"] == "remaining_gap", "incremental"].iloc[0]
    assert remaining == 140.0  # 300 gap - 160 new effects; the 400 of the promotion is not stacked
    text = A.summarize_gap_ledger(ledger)
    assert "a gap of 300" in text and "add 160 on top" in text and "400 of recurring effects" in text
    assert "140 of the gap remains open" in text


def test_chart_text_and_table_agree_on_the_remaining_gap():
    ledger = A.build_gap_ledger(calendar(), target=1_300, baseline=1_000)
    fig = charts.plot_gap_closure(ledger)
    assert isinstance(fig, Figure)
    title = fig.axes[0].get_title()
    assert "140 of the gap remains open" in title and "140 of the gap remains open" in A.summarize_gap_ledger(ledger)
    # the plan bar is the ledger's running level, not baseline + every effect
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights[-1] == pytest.approx(1_160.0)


def test_spare_and_no_gap():
    spare = A.build_gap_ledger(calendar(), target=1_100, baseline=1_000)
    assert spare["incremental"].iloc[-1] == -60.0 and spare["item"].iloc[-1] == "to spare"
    assert "60 to spare" in A.summarize_gap_ledger(spare)
    assert A.propose_gap_closing(spare).empty
    empty = A.build_gap_ledger(calendar().iloc[:0], target=900, baseline=1_000)
    assert list(empty["kind"]) == ["target", "baseline", "remaining_gap"]
    assert "already reaches the target" in A.summarize_gap_ledger(empty)


def test_what_would_close_a_remaining_gap():
    ledger = A.build_gap_ledger(calendar(), target=1_300, baseline=1_000)
    options = A.propose_gap_closing(ledger, revenue_per_visit=7.0, visits_per_rep_year=10).set_index("lever")
    # best return: the drive, 60 / 50 = 1.2 per unit of budget -> 140 / 1.2 = 116.67 more budget
    assert options.loc["budget", "amount"] == pytest.approx(140 / 1.2)
    assert "Drive Q1" in options.loc["budget", "detail"]
    assert options.loc["capacity", "amount"] == 20  # ceil(140 / 7)
    assert options.loc["hires", "amount"] == 2  # ceil(20 / 10)
    assert options.loc["lower target", "amount"] == 1_160
    only_target = A.propose_gap_closing(ledger.assign(budget=0.0))
    assert list(only_target["lever"]) == ["lower target"]


def test_bad_inputs_name_what_is_wrong():
    with pytest.raises(ParamsError, match="'target' parameter of build_gap_ledger must be a finite number"):
        A.build_gap_ledger(calendar(), target=math.nan, baseline=1_000)
    with pytest.raises(DataError, match="lacks column"):
        A.build_gap_ledger(calendar().drop(columns="in_baseline"), target=1, baseline=1)
    with pytest.raises(DataError, match="missing expected_revenue in rows \\[1\\]"):
        A.build_gap_ledger(calendar().assign(expected_revenue=[1.0, None, 2.0]), target=1, baseline=1)
