"""Rep quotas against the real company's: AdventureWorks 2013, IQR of log(actual / quota) per rep-quarter.

Plans 2013 from the order lines to 2012-12-31 (``params/adventureworks.yaml``, the whole
planlib chain: intake, forecast, targets), takes each rep's quarterly targets from
``targets_long``, and compares them with the company's own 2013 quotas
(``quota_history.csv`` in ``../shared/data/adventureworks``) on the same rep-quarters,
against what each rep actually sold in 2013. Lower is fairer (every rep equally far
from quota); the company's own quotas give about 0.334.

    .venv/bin/python benchmarks/quota_spread_adventureworks.py            # a few minutes (forecast)
    .venv/bin/python benchmarks/quota_spread_adventureworks.py --pack DIR # reuse a pack's artifacts
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planlib import schema  # noqa: E402
from planlib.targets import measure_quota_spread  # noqa: E402

AW = ROOT.parent / "shared" / "data" / "adventureworks"
YEAR = 2013


def planlib_quarters(pack: str) -> pd.DataFrame:
    """``rep, quarter, quota``: planlib's 2013 rep targets by quarter (fresh plan, or a pack's artifacts)."""
    if pack:
        long = pd.read_parquet(Path(pack) / "targets_long.parquet")
    else:
        from planlib.workflow import build_targets, open_run

        long = build_targets(open_run("params/adventureworks.yaml", root=ROOT))["targets_long"]
    reps = long.loc[long["dimension"] == schema.REP]
    quarter = pd.to_datetime(reps["month"]).dt.quarter
    return reps.groupby([reps["segment"].rename("rep"), quarter.rename("quarter")])["target"].sum().rename("quota").reset_index()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", default="", help="an artifacts folder of an AdventureWorks 2013 plan (else plan it now)")
    args = parser.parse_args()
    lines = pd.read_csv(AW / "order_lines.csv.gz", parse_dates=["order_date"])
    sold = lines.loc[lines["sales_person_name"].notna() & (lines["order_date"].dt.year == YEAR)]
    actuals = (sold.groupby([sold["sales_person_name"].rename("rep"), sold["order_date"].dt.quarter.rename("quarter")])["line_total"]
               .sum().rename("actual").reset_index())
    history = pd.read_csv(AW / "quota_history.csv")
    company = (history.loc[history["calendar_year"] == YEAR]
               .rename(columns={"sales_person_name": "rep", "calendar_quarter": "quarter", "sales_quota": "quota"})
               [["rep", "quarter", "quota"]])
    mine = planlib_quarters(args.pack)
    same = mine.merge(company[["rep", "quarter"]], on=["rep", "quarter"])  # the rep-quarters the company set quotas for
    print(f"company quotas, all its rep-quarters:        {measure_quota_spread(actuals, company)}")
    print(f"planlib quotas, the company's rep-quarters:  {measure_quota_spread(actuals, same)}")
    shared = company.merge(same[["rep", "quarter"]], on=["rep", "quarter"])
    print(f"company quotas, the rep-quarters both have:  {measure_quota_spread(actuals, shared)}")
    missing = sorted(set(company["rep"]) - set(mine["rep"]))
    print(f"reps with a company quota and no planlib quota: {missing or 'none'}")
    if not args.pack:
        oracle = oracle_region_spread(lines, actuals, company)
        print(f"planlib rep shares under the ACTUAL 2013 region-month totals (hindsight, a diagnosis only): {oracle}")
        print("  the gap between the two planlib lines is the region-level forecast error; the rest is the rep split")
    print(what_company_quotas_follow(lines, pd.read_csv(AW / "quota_history.csv", parse_dates=["quota_date"])))


def oracle_region_spread(lines: pd.DataFrame, actuals: pd.DataFrame, company: pd.DataFrame) -> dict:
    """The spread if each region's 2013 month totals had been known: books share them as in the plan."""
    from planlib.targets import allocate_quotas_from_books, forecast_rep_books
    from planlib.workflow import open_run, target_inputs

    inputs = target_inputs(open_run("params/adventureworks.yaml", root=ROOT))
    year = lines.loc[lines["order_date"].dt.year == YEAR]
    month = year["order_date"].dt.to_period("M").dt.to_timestamp().rename("month")
    regions = year.groupby([year["territory"].rename(schema.REGION), month])["line_total"].sum().round().rename("target").reset_index()
    books = forecast_rep_books(inputs.orders, inputs.reps, plan_year=YEAR)
    regions = regions.loc[regions[schema.REGION].isin(set(books[schema.REGION]))]
    quotas = allocate_quotas_from_books(regions, books)
    quarter = pd.to_datetime(quotas["month"]).dt.quarter.rename("quarter")
    mine = quotas.groupby([quotas[schema.REP].rename("rep"), quarter])["target"].sum().rename("quota").reset_index()
    return measure_quota_spread(actuals, mine.merge(company[["rep", "quarter"]], on=["rep", "quarter"]))


def what_company_quotas_follow(lines: pd.DataFrame, history: pd.DataFrame) -> str:
    """How closely the company's quotas track each rep's sales in the 3 months before and after the quota date.

    A quota set from history can only know the months before its date; a quota that
    tracks the months after far more closely than any history does was set (or its
    sales steered) with knowledge a plan made at the start of the year does not have.
    """
    import numpy as np

    sold = lines.loc[lines["sales_person_name"].notna(), ["sales_person_name", "order_date", "line_total"]]
    rows = []
    for quota in history.itertuples():
        own = sold.loc[sold["sales_person_name"] == quota.sales_person_name]
        after = own.loc[(own["order_date"] > quota.quota_date) & (own["order_date"] <= quota.quota_date + pd.DateOffset(months=3)), "line_total"].sum()
        before = own.loc[(own["order_date"] <= quota.quota_date) & (own["order_date"] > quota.quota_date - pd.DateOffset(months=3)), "line_total"].sum()
        rows.append((quota.sales_quota, after, before))
    frame = pd.DataFrame(rows, columns=["quota", "after", "before"])
    frame = frame.loc[(frame > 0).all(axis=1)]
    logs = np.log(frame)
    return (
        f"company quotas vs the rep's sales, correlation of logs over {len(frame)} rep-quarters: "
        f"3 months after the quota date {logs['quota'].corr(logs['after']):.3f}, "
        f"3 months before {logs['quota'].corr(logs['before']):.3f}; "
        f"the 3 months before vs the 3 months after {logs['before'].corr(logs['after']):.3f}"
    )


if __name__ == "__main__":
    main()
