"""Rep quotas from each rep's own book, the house line, and fairness per capacity and potential."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planlib import targets as T
from planlib.errors import DataError

MONTHS = pd.date_range("2023-01-01", "2024-12-01", freq="MS")


def _orders(rows: dict[tuple[str, str], float]) -> pd.DataFrame:
    """One order per (rep, region) and month of 2023-2024 at the given monthly amount."""
    return pd.DataFrame([{"order_date": m + pd.Timedelta(days=14), "revenue": amount, "rep": rep, "region": region}
                         for (rep, region), amount in rows.items() for m in MONTHS])


def test_book_is_the_run_rate_with_damped_trend_and_house_is_its_own_line():
    orders = _orders({("a", "N"): 100.0, ("b", "N"): 300.0, ("(none)", "N"): 50.0})
    growing = orders["rep"].eq("b") & orders["order_date"].dt.year.eq(2024)
    orders.loc[growing, "revenue"] = 400.0  # b grew by a third: run rate (2 x 400 + 300) / 3 a month, trend sqrt(4/3)
    reps = pd.DataFrame({"rep": ["a", "b"], "region": ["N", "N"]})
    books = T.forecast_rep_books(orders, reps, plan_year=2025)
    year = books.groupby("rep")["book"].sum()
    assert year["a"] == pytest.approx(1200.0)
    assert year["b"] == pytest.approx(12 * (2 * 400 + 300) / 3 * np.sqrt(4 / 3))
    assert year[T.HOUSE] == pytest.approx(600.0)
    assert books.loc[books["rep"] == "a", "book"].tolist() == pytest.approx([100.0] * 12)  # flat history, flat shape


def test_a_ramping_rep_is_annualised_at_full_speed_and_the_trend_is_capped():
    orders = _orders({("r", "N"): 60.0, ("s", "N"): 100.0})
    late = orders["order_date"] < pd.Timestamp("2024-07-01")
    orders = orders.loc[~(late & orders["rep"].eq("r"))]  # r hired in July 2024, ramping over 6 months
    orders.loc[orders["rep"].eq("r"), "revenue"] = [60.0 * k / 6 for k in range(1, 7)]
    orders.loc[orders["rep"].eq("s") & orders["order_date"].dt.year.eq(2024), "revenue"] = 900.0  # s x9: capped at 1.5
    reps = pd.DataFrame({"rep": ["r", "s"], "region": ["N", "N"], "hire_date": pd.to_datetime(["2024-07-01", None])})
    year = T.forecast_rep_books(orders, reps, plan_year=2025, ramp_months=6, trend_cap=1.5).groupby("rep")["book"].sum()
    assert year["r"] == pytest.approx(720.0)  # 60 a month at full speed, in seat all 2025
    assert year["s"] == pytest.approx(12 * (2 * 900 + 100) / 3 * 1.5)


def test_new_hire_gets_the_regions_typical_book_times_ramp_and_a_leaver_nothing_after_leaving():
    orders = _orders({("a", "N"): 100.0, ("c", "N"): 300.0})
    reps = pd.DataFrame({"rep": ["a", "c", "new"], "region": ["N", "N", "N"],
                         "hire_date": pd.to_datetime([None, None, "2025-01-01"]),
                         "leave_date": pd.to_datetime([None, "2025-06-30", None])})
    books = T.forecast_rep_books(orders, reps, plan_year=2025, ramp_months=4).set_index(["rep", "month"])["book"]
    assert books["new"].iloc[:4].tolist() == pytest.approx([2400 / 12 * k / 4 for k in (1, 2, 3, 4)])  # median of 1200 and 3600
    assert books["c"].iloc[6:].sum() == 0 and books["c"].iloc[:6].sum() == pytest.approx(1800.0)


def test_quotas_follow_books_and_add_up_exactly_per_region_and_month():
    books = pd.DataFrame({"rep": ["a"] * 2 + ["b"] * 2 + [T.HOUSE] * 2, "region": ["N"] * 6,
                          "month": list(pd.to_datetime(["2025-01-01", "2025-02-01"])) * 3,
                          "book": [10.0, 10.0, 30.0, 0.0, 10.0, 10.0]})
    region_months = pd.DataFrame({"region": ["N", "N", "S"], "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-01"]),
                                  "target": [101, 40, 7]})
    out = T.allocate_quotas_from_books(region_months, books)
    got = out.set_index(["region", "rep", "month"])["target"]
    assert got[("N", "a", pd.Timestamp("2025-01-01"))] + got[("N", "b", pd.Timestamp("2025-01-01"))] + got[("N", T.HOUSE, pd.Timestamp("2025-01-01"))] == 101
    assert got[("N", "a", pd.Timestamp("2025-02-01"))] == 20 and got[("N", "b", pd.Timestamp("2025-02-01"))] == 0
    assert got[("S", T.VACANT_REP, pd.Timestamp("2025-01-01"))] == 7  # no book in S: the vacant seat
    assert out.groupby(["region", "month"])["target"].sum().tolist() == [101, 40, 7]
    with pytest.raises(DataError, match="no target"):
        T.allocate_quotas_from_books(region_months.iloc[2:], books)


def _seats(names, statuses=None):
    n = len(names)
    return pd.DataFrame({"rep": names, "region": ["N"] * n, "status": statuses or ["active"] * n,
                         "capacity": [40.0] * n, "months_present": [12.0] * n, "effective_months": [12.0] * n})


def test_rep_table_keeps_house_apart_and_capacity_as_a_check():
    rep_months = pd.DataFrame({"rep": ["a", "b", T.HOUSE], "region": ["N", "N", "N"], "month": pd.Timestamp("2025-01-01"),
                               "book": [100.0, 300.0, 50.0], "target": [110, 330, 60]})
    out = T.summarize_rep_quotas(rep_months, _seats(["a", "b"]), last_year=pd.Series({"a": 100.0, "b": 330.0}))
    rows = out.set_index("rep")
    assert list(out["rep"]) == ["a", "b", T.HOUSE]
    assert rows.loc[T.HOUSE, "status"] == "house" and rows.loc[T.HOUSE, "capacity"] == 0
    assert rows.loc["a", "quota_to_book"] == pytest.approx(1.1) and rows.loc["b", "growth_vs_last_year"] == pytest.approx(0.0)
    assert out["target"].sum() == 500


def test_fairness_per_capacity_is_money_per_capacity_finite_and_flags_only_real_outliers():
    seats = _seats(list("abcdef"))
    reps = seats.assign(target=[100, 110, 105, 95, 100, 400], book=[100.0, 100.0, 100.0, 100.0, 100.0, 100.0])
    out = T.assess_rep_fairness(reps).set_index("rep")
    assert out["effective_capacity"].tolist() == pytest.approx([40.0] * 6)  # capacity x months / 12, not money
    assert out.loc["a", "target_per_capacity"] == pytest.approx(100 / 40)
    assert np.isfinite(out["z_target_per_capacity"]).all() and np.isfinite(out["z_target_to_potential"]).all()
    assert out["outlier"].to_dict() == {"a": False, "b": False, "c": False, "d": False, "e": False, "f": True}
    assert "quota per unit of capacity 10.00 is 290% above the typical 2.56" in out.loc["f", "reason"]
    assert "check the seat can carry it" in out.loc["f", "reason"]


def test_fairness_ignores_tiny_differences_house_vacant_and_new_hires_growth():
    seats = _seats(list("abcdefg") + [T.HOUSE], ["active"] * 6 + ["joining", "house"])
    reps = seats.assign(target=[100, 100, 100, 100, 100, 101, 900, 5000], book=100.0)
    out = T.assess_rep_fairness(reps, orders=pd.DataFrame({"order_date": pd.to_datetime(["2024-03-01"] * 7),
                                                           "revenue": [100.0] * 6 + [10.0], "rep": list("abcdefg")}), year=2024)
    rows = out.set_index("rep")
    assert T.HOUSE not in rows.index
    assert not rows.loc["f", "outlier"]  # z is large (MAD 0) but 1% is no outlier
    assert np.isnan(rows.loc["g", "z_growth"])  # a joiner's growth on last year says nothing
    assert "growth on last year" not in rows.loc["g", "reason"]
    spread = T.summarize_quota_spread(out).set_index("measure")
    assert spread.loc["target_per_capacity", "outliers"] == int(rows["reason"].str.contains("capacity").sum())


def test_quota_spread_is_the_iqr_of_log_actual_over_quota_on_shared_rep_quarters():
    actuals = pd.DataFrame({"rep": list("abcde"), "quarter": 1, "actual": [100.0, 200.0, 50.0, 80.0, 10.0]})
    quotas = pd.DataFrame({"rep": list("abcdf"), "quarter": 1, "quota": [100.0, 100.0, 100.0, 0.0, 5.0]})
    got = T.measure_quota_spread(actuals, quotas)  # a, b, c only: d has no quota, e and f no pair
    logs = np.log([1.0, 2.0, 0.5])
    assert got["n"] == 3 and got["iqr"] == pytest.approx(np.quantile(logs, 0.75) - np.quantile(logs, 0.25))
    assert got["median"] == pytest.approx(0.0)


def test_a_rep_working_two_territories_carries_a_piece_in_each_and_the_cube_follows():
    orders = _orders({("a", "N"): 100.0, ("a", "W"): 50.0, ("b", "W"): 150.0})
    reps = pd.DataFrame({"rep": ["a", "b"], "region": ["N", "W"]})
    books = T.forecast_rep_books(orders, reps, plan_year=2025)
    assert sorted(map(tuple, books[["rep", "region"]].drop_duplicates().to_numpy())) == [("a", "N"), ("a", "W"), ("b", "W")]
    months = pd.date_range("2025-01-01", periods=12, freq="MS")
    cube = pd.DataFrame([{"region": r, "product_line": pl, "month": m, "target": v}
                         for r, per_line in (("N", {"X": 120}), ("W", {"X": 180, "Y": 60})) for pl, v in per_line.items() for m in months])
    region_months = cube.groupby(["region", "month"], as_index=False)["target"].sum()
    rep_months = T.allocate_quotas_from_books(region_months, books)
    pieces = rep_months.groupby(["rep", "region"], as_index=False)["target"].sum()
    # N: 120 a month all a's; W: 240 a month shared 50:150
    assert pieces.set_index(["rep", "region"])["target"].to_dict() == {("a", "N"): 1440, ("a", "W"): 720, ("b", "W"): 2160}
    rep_cube = T.fit_rep_cube(cube, pieces, rep_months=rep_months)
    assert rep_cube.groupby(["rep", "region"])["target"].sum().to_dict() == {("a", "N"): 1440, ("a", "W"): 720, ("b", "W"): 2160}
    assert rep_cube.groupby(["region", "product_line", "month"])["target"].sum().tolist() == cube.sort_values(
        ["region", "product_line", "month"])["target"].tolist()
    with pytest.raises(DataError, match="repeats a rep in one region"):
        T.fit_rep_cube(cube, pd.concat([pieces, pieces.iloc[:1]]), rep_months=rep_months)
