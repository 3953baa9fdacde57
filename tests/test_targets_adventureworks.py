"""AdventureWorks 2013 planned from data to 2012-12-31: targets a director signs, on data planlib was not built around.

One test (the forecast stage runs once, about a minute): every product-line, region and
channel target is 10-75% likely or says why not, house sales stay out of rep quotas, the
fairness scores are finite, and the rep-quarter spread of log(actual / quota) is measured
against the company's own 2013 quotas (benchmarks/quota_spread_adventureworks.py prints it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from planlib import targets as T
from planlib.decompose import check_consistency
from planlib.workflow import build_targets, open_run

ROOT = Path(__file__).resolve().parents[1]
OLD_SPREAD = 0.668  # planlib's capacity x months quotas before issue 13, same measure


def test_adventureworks_2013_targets_are_balanced_fair_and_exact(tmp_path, shared_data):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "params", project / "params")
    (project / "notebooks").mkdir()
    (tmp_path / "shared").symlink_to(shared_data.parent, target_is_directory=True)
    tables = build_targets(open_run("params/adventureworks.yaml", root=project))

    assert check_consistency(tables["targets_long"])["exact"].all()
    for name in ("targets_product_line", "targets_region", "targets_channel"):
        units = tables[name]
        inside = units["probability"].between(0.095, 0.755)
        assert (inside | units["note"].str.contains("band")).all(), units
    reps = tables["targets_rep"].set_index("rep")
    assert reps.loc[T.HOUSE, "status"] == "house" and reps.loc[T.HOUSE, "target"] > 0
    fairness = tables["rep_fairness"]
    assert T.HOUSE not in set(fairness["rep"])
    assert np.isfinite(fairness[["z_target_per_capacity", "z_target_to_potential"]]).all().all()
    assert fairness["target_per_capacity"].nunique() > 1  # no longer the same 12.0 for everyone

    long = tables["targets_long"].loc[lambda t: t["dimension"] == "rep"]
    quarter = pd.to_datetime(long["month"]).dt.quarter
    mine = long.groupby([long["segment"].rename("rep"), quarter.rename("quarter")])["target"].sum().rename("quota").reset_index()
    lines = pd.read_csv(shared_data / "adventureworks" / "order_lines.csv.gz", parse_dates=["order_date"])
    sold = lines.loc[lines["sales_person_name"].notna() & (lines["order_date"].dt.year == 2013)]
    actuals = (sold.groupby([sold["sales_person_name"].rename("rep"), sold["order_date"].dt.quarter.rename("quarter")])
               ["line_total"].sum().rename("actual").reset_index())
    history = pd.read_csv(shared_data / "adventureworks" / "quota_history.csv")
    company = (history.loc[history["calendar_year"] == 2013]
               .rename(columns={"sales_person_name": "rep", "calendar_quarter": "quarter", "sales_quota": "quota"}))
    theirs = T.measure_quota_spread(actuals, company[["rep", "quarter", "quota"]])
    ours = T.measure_quota_spread(actuals, mine.merge(company[["rep", "quarter"]]))
    print(f"AdventureWorks 2013 rep-quarter IQR of log(actual/quota): planlib {ours}, company {theirs}")
    assert theirs["n"] == 51 and abs(theirs["iqr"] - 0.334) < 0.001
    assert ours["n"] >= 45 and ours["iqr"] < OLD_SPREAD
