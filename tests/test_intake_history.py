"""The history as a whole: last-month completeness, whether it can carry a plan, rep home regions, plan names."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from planlib import paths, schema
from planlib.errors import DataError, ParamsError, PlanlibError
from planlib.intake import check_plannable, home_regions, summarize_months
from planlib.plan import validate_plan


def _daily(end: str, *, start: str = "2021-01-01", weekdays_only: bool = False, amount: float = 100.0) -> pd.DataFrame:
    days = pd.date_range(start, end)
    if weekdays_only:
        days = days[days.weekday < 5]
    return pd.DataFrame({schema.ORDER_DATE: days, schema.REVENUE: amount})


def test_data_ending_a_day_early_is_a_whole_month_when_every_day_sells_little():
    months = summarize_months(_daily("2021-12-30"))
    assert months["complete"].iloc[-1]
    assert "the 1 missing day would carry 3.2% of the month" in months["reason"].iloc[-1]


def test_data_ending_on_the_20th_is_incomplete_and_points_to_the_key():
    months = summarize_months(_daily("2021-12-20"))
    assert not months["complete"].iloc[-1]
    assert months["reason"].iloc[-1].endswith("(set data.complete_through if the month is whole)")


def test_a_weekday_business_ending_on_a_friday_is_complete():
    months = summarize_months(_daily("2021-12-31", weekdays_only=True).query("order_date <= '2021-12-24'").pipe(
        lambda f: pd.concat([f, _daily("2021-12-27", start="2021-12-27")])))  # last sale Mon 27th: Tue..Fri missing
    assert not months["complete"].iloc[-1]
    friday = summarize_months(_daily("2021-10-29", weekdays_only=True))  # Oct 30-31 2021 is a weekend
    assert friday["complete"].iloc[-1] and "would carry 0.0%" in friday["reason"].iloc[-1]


def test_complete_through_decides_and_the_as_of_date_still_cuts():
    assert summarize_months(_daily("2021-12-20"), complete_through=dt.date(2021, 12, 31))["complete"].iloc[-1]
    short = summarize_months(_daily("2021-12-30"), complete_through=dt.date(2021, 12, 15))
    assert not short["complete"].iloc[-1] and "data.complete_through is 2021-12-15" in short["reason"].iloc[-1]
    cut = summarize_months(_daily("2021-12-20"), as_of=dt.date(2021, 12, 20), complete_through=dt.date(2021, 12, 31))
    assert not cut["complete"].iloc[-1] and "as-of date 2021-12-20" in cut["reason"].iloc[-1]


@pytest.mark.parametrize(
    "frame, message",
    [
        (_daily("2021-03-31").assign(revenue=0.0), "every one of the 90 order lines up to 2021-12-31 has zero revenue"),
        (_daily("2021-03-31").assign(revenue=-5.0), "hold only returns (negative revenue)"),
        (pd.concat([_daily("2021-03-31"), _daily("2021-01-01", start="2021-01-01").assign(revenue=-1e6)]), "returns exceed sales"),
        (_daily("2021-01-31"), "the data up to 2021-12-31 cover a single month (2021-01); a plan needs at least 12 months"),
        (_daily("2021-03-31"), "the data end on 2021-03-31, before the review year 2022"),
    ],
)
def test_a_history_that_cannot_carry_a_plan_stops_with_one_line(frame, message):
    with pytest.raises(DataError) as caught:
        check_plannable(frame, label="x.csv", as_of=dt.date(2021, 12, 31), review_year=2022)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_rep_who_moved_is_placed_where_they_sell_now():
    lines = pd.DataFrame({
        schema.ORDER_DATE: pd.to_datetime(["2010-03-01", "2011-03-01", "2011-06-01", "2012-05-01", "2012-09-01", "2012-06-01"]),
        schema.REP: ["Ann", "Ann", "Ann", "Ann", "Ann", "(none)"],
        schema.REGION: ["Canada", "Canada", "Canada", "UK", "UK", "Web"],
        schema.REVENUE: [900.0, 900.0, 900.0, 100.0, 100.0, 5.0],
    })
    regions = home_regions(lines)
    assert regions.to_dict("index") == {"Ann": {"region": "UK", "region_all_history": "Canada"}}


@pytest.mark.parametrize("name", ["超市计划", "Überplan-2025", "plan_ø"])
def test_any_script_makes_a_plan_name_and_its_folder(name, tmp_path):
    plan = validate_plan({"plan": name, "plan_year": 2025})
    folder = paths.pack_dir(tmp_path, plan.plan, "2025")
    folder.mkdir(parents=True)
    assert folder.name == "2025" and folder.parent.name == name


@pytest.mark.parametrize("name, problem", [("../up", "'.' is not allowed"), ("a/b", "'/' is not allowed"), ("x\x00", "'\\x00' is not allowed"),
                                           ("nul", "reserved device name"), ("长" * 101, "longer than 100 characters")])
def test_unsafe_plan_names_are_refused_with_one_line(name, problem):
    with pytest.raises(ParamsError, match="plan must be a name that is safe as a folder") as caught:
        validate_plan({"plan": name, "plan_year": 2025})
    assert problem in str(caught.value)
    with pytest.raises(PlanlibError):
        paths.pack_dir(paths.Path("/tmp"), name, "2025")


def test_the_rep_summary_names_who_moved():
    from planlib.intake import summarize_reps

    reps = pd.DataFrame({
        schema.REP: ["Ann", "Bo", "Cy"], schema.REGION: ["UK", "East", "East"], "region_all_history": ["Canada", "East", "East"],
        "moved": [True, False, False], schema.REP_LEAVE_DATE: pd.to_datetime([None, "2012-03-01", None]),
    })
    assert summarize_reps(reps, as_of=dt.date(2012, 12, 31)) == (
        "3 reps in the data, 2 still active at 2012-12-31; 1 placed in the main region of their last 12 months of sales, "
        "where they sell now (Ann: Canada -> UK).")
    assert summarize_reps(reps.assign(moved=False), as_of=dt.date(2012, 1, 31)) == "3 reps in the data, 3 still active at 2012-01-31."
