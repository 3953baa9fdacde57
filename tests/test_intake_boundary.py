"""Bad data at the loader boundary (issue 16, point 1): each bad file written here stops in 00 with one line, or is fixed and counted."""

from __future__ import annotations

import pandas as pd
import pytest

from planlib import demo, schema
from planlib.errors import DataError
from planlib.intake import reconcile_ledger
from test_intake_zoo import _build, _case


@pytest.fixture(scope="module")
def lines() -> pd.DataFrame:
    return demo.generate_demo_orders(1500, seed=5, start="2023-01-01", end="2025-12-31")


def _spoil(lines: pd.DataFrame, how: str) -> pd.DataFrame:
    out = lines.copy()
    if how == "single month":
        return out.loc[out[schema.ORDER_DATE].dt.to_period("M") == pd.Period("2024-03")]
    if how == "all zero":
        return out.assign(revenue=0.0)
    if how == "only returns":
        return out.assign(revenue=-out[schema.REVENUE].abs())
    if how == "ends before the review year":
        return out.loc[out[schema.ORDER_DATE] < "2023-07-01"]
    raise ValueError(how)


@pytest.mark.parametrize(
    "how, message",
    [
        ("single month", "cover a single month (2024-03); a plan needs at least 12 months of history"),
        ("all zero", "order lines up to 2024-12-31 has zero revenue"),
        ("only returns", "hold only returns (negative revenue); a plan needs sales"),
        ("ends before the review year", "the data end on 2023-06-30, before the review year 2024 (the year before plan_year); set plan_year to 2024 or less"),
    ],
)
def test_a_history_that_cannot_carry_a_plan_stops_in_the_intake(tmp_path, lines, how, message):
    case = _case("bad", _spoil(lines, how))
    with pytest.raises(DataError) as caught:
        _build(tmp_path, case)
    assert str(caught.value).startswith("data/bad.csv: ") and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_absurd_amount_is_refused_with_its_row(tmp_path, lines):
    case = _case("bad", lines)
    case["frame"]["Sales"] = case["frame"]["Sales"].map(str)
    case["frame"].loc[41, "Sales"] = "1e300"
    with pytest.raises(DataError) as caught:
        _build(tmp_path, case)
    assert str(caught.value).startswith("data/bad.csv: column 'Sales': 1 value is out of range (row 43: '1e300')")
    assert caught.value.rows == [43]


def test_a_nul_in_a_rep_name_makes_no_extra_rep_and_is_counted(tmp_path, lines):
    case = _case("nul_rep", lines)
    rep = case["frame"].loc[7, "Sales Rep"]
    case["frame"].loc[7, "Sales Rep"] = rep + "\x00"
    tables = _build(tmp_path, case)
    reconcile_ledger(tables["data_quality"])
    history = lines.loc[lines[schema.ORDER_DATE] <= "2024-12-31"]
    assert set(tables["reps"][schema.REP]) == set(history[schema.REP].astype(str))
    row = tables["data_quality"].set_index("check").loc["control characters (NUL, tab, line break...) removed from text"]
    assert (row["rows"], row["kind"]) == (1, "fixed") and row["note"] == "columns 'Sales Rep'; row 9"
    assert row["amount"] == pytest.approx(lines[schema.REVENUE].iloc[7])


def test_a_mapping_to_a_missing_column_names_it(tmp_path, lines):
    case = _case("map", lines.drop(columns=schema.COST))
    case["data"]["columns"]["cost"] = "Sales - Profit"
    with pytest.raises(DataError, match=r"^data/map.csv: data.columns maps cost to 'Sales - Profit', which the file does not have; to derive cost"):
        _build(tmp_path, case)
