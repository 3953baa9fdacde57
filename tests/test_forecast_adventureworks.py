"""Growth a short history shows: AdventureWorks' plan 2013 from 24 months of data holds its real 2013."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib.forecast import build_monthly_series, forecast_series


def test_adventureworks_2013_actuals_fall_inside_the_p5_p95_of_the_year_paths(shared_data):
    raw = pd.read_csv(
        shared_data / "adventureworks" / "order_lines.csv.gz",
        usecols=["order_date", "line_total", "category", "territory"],
        parse_dates=["order_date"],
    )
    orders = raw.rename(columns={"line_total": "revenue", "category": "product_line", "territory": "region"})
    history = orders[orders["order_date"] < "2013-01-01"]
    series = build_monthly_series(history, [["product_line"], ["region"]], last_complete_month=pd.Timestamp("2012-12-01"))
    result = forecast_series(series, horizon=12, n_jobs=2, n_paths=1000, seed=0)

    year = orders[orders["order_date"].dt.year == 2013]
    actual = {"Total": year["revenue"].sum()}
    for dim in ("product_line", "region"):
        actual.update({f"{dim}={k}": v for k, v in year.groupby(dim)["revenue"].sum().items()})
    inside = {}
    for uid, a in actual.items():
        lo, hi = np.quantile(result.year_paths[uid].to_numpy(), [0.05, 0.95])
        inside[uid] = bool(lo <= a <= hi)
    segments = [u for u in inside if u != "Total"]
    assert len(segments) == 14
    assert inside["Total"], f"2013 actual {actual['Total']:,.0f} outside P5-P95 of the Total"
    share = np.mean([inside[u] for u in segments])
    assert share >= 0.7, f"only {share:.0%} of segments inside P5-P95: {[u for u in segments if not inside[u]]}"
    # the baseline reflects the growth the two years show (2012: +34.7%), stated in the warnings
    total_median = float(np.median(result.year_paths["Total"]))
    last_year = float(series.loc[series["unique_id"] == "Total", "y"].tail(12).sum())
    assert total_median > 1.1 * last_year
    assert any("pooled growth" in w for w in result.warnings)
