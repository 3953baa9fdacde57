"""Tests of incentives (planlib.actions.incentives): the payout curve over the forecast paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planlib import actions as A
from planlib.plan import ActionsSpec

CURVE = ActionsSpec.Incentives(threshold=0.8, threshold_payout=0.5, accelerator=2.0, cap=1.5, on_target_bonus=1_000)


def test_the_payout_curve_threshold_linear_accelerated_capped():
    a = np.array([0.79, 0.8, 0.9, 1.0, 1.1, 1.5])
    assert A.payout_share(a, CURVE) == pytest.approx([0.0, 0.5, 0.75, 1.0, 1.2, 1.5])


def test_expected_payout_per_rep_from_the_regions_paths_by_book_share():
    reps = pd.DataFrame({"rep": ["a", "b", "c"], "region": ["N", "N", "S"], "target": [100, 100, 200],
                         "book": [75.0, 25.0, 50.0]})
    # two equally likely years: N sells 200 or 100, S 200 or 200
    paths = pd.DataFrame({"Total": [400.0, 300.0], "region=N": [200.0, 100.0], "region=S": [200.0, 200.0]})
    per_rep, sens = A.plan_incentives(reps, paths, curve=CURVE, quota_scales=(1.0, 1.25))
    r = per_rep.set_index("rep")
    # a: 150 or 75 of 100 -> attainment 1.5 or 0.75 -> share 1.5 (capped) or 0
    assert r.loc["a", "expected_attainment"] == pytest.approx(1.125)
    assert r.loc["a", "expected_payout_share"] == pytest.approx(0.75) and r.loc["a", "expected_payout"] == 750
    # b: 50 or 25 of 100 -> nothing; c: 200 of 200 -> 1.0
    assert r.loc["b", "expected_payout_share"] == 0 and r.loc["b", "p_threshold"] == 0
    assert r.loc["c", "expected_payout_share"] == 1.0 and r.loc["c", "p_target"] == 1.0
    assert r.loc["Total", "expected_payout"] == pytest.approx(1_750)
    # quotas 25% higher: good year a 150/125 -> 1.4, c 200/250 -> 0.5; bad year only c's 0.5
    s = sens.set_index("quota_scale")
    assert s.loc[1.25, "expected_payout"] == pytest.approx((1.9 + 0.5) / 2 * 1_000)
    assert s.loc[1.0, "cost_of_sales"] == pytest.approx(1_750 / 350)
    text = A.summarize_incentives(per_rep, sens)
    assert "3 reps earn on average 58.3% of their on-target bonus" in text and "expected payout 1.8K" in text


def test_without_an_on_target_bonus_only_shares_are_stated():
    reps = pd.DataFrame({"rep": ["a"], "region": ["X"], "target": [100], "book": [10.0]})
    paths = pd.DataFrame({"Total": [100.0, 120.0]})  # no region paths: the company's, by book share (all of it)
    per_rep, sens = A.plan_incentives(reps, paths, curve=ActionsSpec.Incentives())
    assert per_rep["expected_payout"].isna().all() and per_rep["expected_payout_share"].iloc[0] == pytest.approx(1.2)
    assert "expected payout" not in A.summarize_incentives(per_rep, sens)
