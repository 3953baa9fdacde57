"""The whole target decomposition on a tiny company: balanced splits, book quotas, house line, reconciliation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from planlib import targets as T
from planlib.decompose import TargetInputs, check_consistency, decompose_targets
from planlib.plan import TargetsSpec

MONTHS = pd.date_range("2025-01-01", periods=12, freq="MS")
CELLS = {("A", "N"): 6_000.0, ("A", "W"): 2_000.0, ("S", "N"): 1_000.0, ("S", "W"): 1_000.0}  # plan-year means


def _forecast() -> pd.DataFrame:
    rows = []
    series = {"Total": sum(CELLS.values())}
    for pos, dim in ((0, "product_line"), (1, "region")):
        for key, value in CELLS.items():
            series[f"{dim}={key[pos]}"] = series.get(f"{dim}={key[pos]}", 0.0) + value
    series |= {f"product_line={a}|region={b}": v for (a, b), v in CELLS.items()}
    for uid, annual in series.items():
        for ds in MONTHS:
            mean = annual / 12
            rows.append({"unique_id": uid, "ds": ds, "mean": mean,
                         **{f"p{q}": mean * (1 + 0.1 * norm.ppf(q / 100)) for q in range(10, 100, 10)}})
    return pd.DataFrame(rows)


def _paths() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    cells = {k: v * (1 + 0.08 * rng.standard_normal(2000)) for k, v in CELLS.items()}
    out = {f"product_line={a}|region={b}": x for (a, b), x in cells.items()}
    for pos, dim in ((0, "product_line"), (1, "region")):
        for level in sorted({k[pos] for k in CELLS}):
            out[f"{dim}={level}"] = sum(x for k, x in cells.items() if k[pos] == level)
    out["Total"] = sum(cells.values())
    return pd.DataFrame(out)


def _orders() -> pd.DataFrame:
    rows = []
    for ds in pd.date_range("2023-01-01", "2024-12-01", freq="MS"):
        for i, (rep, region, line, amount) in enumerate([("r1", "N", "A", 400.0), ("r2", "N", "S", 150.0),
                                                         ("r3", "W", "A", 120.0), ("(none)", "W", "S", 60.0)]):
            rows.append({"order_date": ds + pd.Timedelta(days=9), "order_id": f"{ds:%Y%m}-{i}", "customer_id": f"c{i}",
                         "revenue": amount, "product_line": line, "region": region, "rep": rep})
    rows.append({"order_date": pd.Timestamp("2024-11-20"), "order_id": "new", "customer_id": "c9", "revenue": 30.0,
                 "product_line": "A", "region": "W", "rep": "r3"})
    return pd.DataFrame(rows)


def _inputs(commitments: pd.DataFrame | None = None) -> TargetInputs:
    return TargetInputs(
        forecast=_forecast(), year_total_paths=_paths()["Total"].to_numpy(), year_paths=_paths(), orders=_orders(),
        product_lines=pd.DataFrame({"product_line": ["A", "S"], "role": ["mature", "strategic"]}),
        regions=pd.DataFrame({"region": ["N", "W"], "stage": ["mature", "growth"]}), channels=None,
        reps=pd.DataFrame({"rep": ["r1", "r2", "r3"], "region": ["N", "N", "W"], "capacity": [40, 40, 40],
                           "hire_date": pd.to_datetime(["2020-01-01"] * 3), "leave_date": pd.NaT}),
        plan_year=2025, commitments=commitments)


@pytest.fixture(scope="module")
def tables():
    spec = TargetsSpec(method="quantile", quantile=0.6, reconciliation="halfway", reconciliation_band=0.05)
    return decompose_targets(_inputs(pd.DataFrame({"rep": ["r1", "r2"], "amount": [5_000.0, 1_000.0]})), spec)


def test_every_dimension_adds_up_exactly_to_the_month_targets(tables):
    consistency = check_consistency(tables["targets_long"])
    assert consistency["exact"].all()
    assert T.HOUSE in set(tables["targets_long"].loc[lambda t: t["dimension"] == "rep", "segment"])


def test_units_are_balanced_inside_the_band_and_tilted_by_role(tables):
    lines = tables["targets_product_line"].set_index("product_line")
    assert lines["probability"].between(0.10, 0.75).all()
    assert lines.loc["S", "probability"] < lines.loc["A", "probability"]  # strategic stretches more
    assert {"last_year", "baseline", "target", "growth", "probability", "note"} <= set(lines.columns)
    assert lines["target"].sum() == tables["targets_region"]["target"].sum()


def test_quotas_follow_books_house_is_its_own_line_and_commitments_are_reconciled(tables):
    reps = tables["targets_rep"].set_index("rep")
    assert reps.loc[T.HOUSE, "status"] == "house"
    assert reps.loc["r1", "target"] > reps.loc["r2", "target"]  # r1's book is larger
    rec = tables["quota_reconciliation"].set_index("rep")
    assert rec["reconciled"].sum() == rec["top_down"].sum()
    assert reps["target"].to_dict() == pytest.approx(rec["reconciled"].to_dict())
    fairness = tables["rep_fairness"]
    assert T.HOUSE not in set(fairness["rep"])
    assert np.isfinite(fairness["z_target_per_capacity"]).all()


def test_smart_rows_are_grouped_and_flags_say_what_to_do(tables):
    smart = tables["smart_targets"]
    assert smart["group"].iloc[0] == "company"
    flagged = smart.loc[smart["flag"] != ""]
    assert (flagged["action"] != "").all()


def test_the_old_growth_split_is_still_available():
    spec = TargetsSpec(method="quantile", quantile=0.6, split_method="growth")
    lines = decompose_targets(_inputs(), spec)["targets_product_line"]
    assert "role_growth" in lines.columns and "quota_reconciliation" not in decompose_targets(_inputs(), spec)


def test_a_dimension_the_forecast_did_not_simulate_falls_back_to_the_growth_split():
    inputs = _inputs()
    paths = inputs.year_paths.loc[:, [c for c in inputs.year_paths.columns if not c.startswith("region=")]]
    tables = decompose_targets(TargetInputs(**{**inputs.__dict__, "year_paths": paths}), TargetsSpec(method="quantile", quantile=0.6))
    assert "probability" in tables["targets_product_line"].columns
    assert "stage_growth" in tables["targets_region"].columns
    assert check_consistency(tables["targets_long"])["exact"].all()
