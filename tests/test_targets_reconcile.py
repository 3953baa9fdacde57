"""Bottom-up commitments reconciled with top-down quotas by the params rule, exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from planlib import targets as T
from planlib.errors import DataError, ParamsError

REPS = pd.DataFrame({"rep": ["a", "b", "c", "d", T.HOUSE], "region": ["N", "N", "N", "S", "(several)"],
                     "status": ["active", "active", "active", "active", "house"], "target": [1000, 1000, 1000, 500, 300]})
COMMIT = pd.DataFrame({"rep": ["a", "b", "d"], "amount": [980.0, 800.0, 400.0]})


def rows(rule, band=0.05):
    return T.reconcile_quotas(REPS, COMMIT, rule=rule, band=band).set_index("rep")


def test_within_the_band_is_accepted_and_the_region_closes_its_own_difference():
    out = rows("escalate")
    assert out.loc["a", "reconciled"] == 980 and not out.loc["a", "conversation"]
    assert out.loc["b", "conversation"] and "20% below the quota" in out.loc["b", "reason"]
    assert out.loc["c", "action"] == "no commitment yet" and out.loc["c", "conversation"]
    assert out.loc[["a", "b", "c"], "reconciled"].sum() == 3000  # N keeps its total: b and c take up a's 20
    assert out.loc["d", "reconciled"] == 500 and out.loc[T.HOUSE, "reconciled"] == 300
    assert out["reconciled"].sum() == REPS["target"].sum()


def test_halfway_meets_the_rep_halfway_and_still_sums_exactly():
    out = rows("halfway")
    assert out.loc["d", "reconciled"] == 500  # alone in S: no one else can take up the difference
    assert "no one else in S" in out.loc["d", "reason"]
    n = out.loc[["a", "b", "c"], "reconciled"]
    assert n.sum() == 3000 and n["b"] < n["c"]  # b met halfway (900) before c absorbs the rest
    assert out["reconciled"].sum() == 3800


def test_accept_keeps_the_quota_outside_the_band_and_a_wide_band_accepts_all():
    assert rows("accept").loc["b", "action"] == "quota kept"
    wide = rows("accept", band=0.25)
    assert wide.loc["b", "reconciled"] == 800 and wide.loc["c", "reconciled"] == 1220


def test_bad_rule_and_unknown_rep_are_refused():
    with pytest.raises(ParamsError, match="must be one of"):
        T.reconcile_quotas(REPS, COMMIT, rule="split")
    with pytest.raises(DataError, match="without a quota"):
        T.reconcile_quotas(REPS, pd.DataFrame({"rep": ["zz"], "amount": [1.0]}))


def test_reconciled_quotas_refit_the_month_table_exactly():
    months = pd.to_datetime(["2025-01-01", "2025-02-01"])
    rep_months = pd.DataFrame({"rep": ["a", "a", "b", "b"], "region": "N", "month": list(months) * 2,
                               "book": 1.0, "target": [50, 50, 50, 50]})
    out = T.apply_reconciled_quotas(rep_months, pd.DataFrame({"rep": ["a", "b"], "reconciled": [120, 80]}))
    assert out.groupby("rep")["target"].sum().to_dict() == {"a": 120, "b": 80}
    assert out.groupby("month")["target"].sum().tolist() == [100, 100]


def test_the_gap_table_does_not_count_house_or_vacant_as_missing_commitments():
    gaps = T.reconcile_commitments(REPS, COMMIT)
    reps = gaps.loc[gaps["level"] == "rep"].set_index("rep")
    assert reps.loc["c", "missing"] == 1 and reps.loc[T.HOUSE, "missing"] == 0
    assert gaps.loc[gaps["level"] == "total", "missing"].iloc[0] == 1
    assert gaps.loc[gaps["level"] == "total", "gap"].iloc[0] == 3800 - 2180
