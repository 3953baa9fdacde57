"""Order dates: one day/month order per column, decided by the data or by data.date_format."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from planlib.errors import DataError, ParamsError
from planlib.intake import dates
from planlib.plan import validate_plan


def _parse(values, **kwargs):
    return dates.parse_dates(pd.Series(values), label="x.csv", column="Order Date", **kwargs)


def test_day_first_is_inferred_from_the_whole_column_and_said():
    parsed, reading = _parse(["03/01/19", "13/01/19", "05/02/19", "28/12/19"])
    assert parsed.dt.strftime("%Y-%m-%d").tolist() == ["2019-01-03", "2019-01-13", "2019-02-05", "2019-12-28"]
    assert reading.order == dates.DAYFIRST and reading.deciding_lines == 2
    assert reading.note == "dates read as day/month/year: 2 lines decide it"


def test_month_first_is_inferred_and_one_deciding_line_is_enough():
    parsed, reading = _parse(["1/3/2019", "1/13/2019", "2/5/2019 14:30"])
    assert parsed.dt.strftime("%Y-%m-%d").tolist() == ["2019-01-03", "2019-01-13", "2019-02-05"]
    assert reading.note == "dates read as month/day/year: 1 line decides it"


def test_an_ambiguous_column_stops_with_one_line_naming_the_key():
    with pytest.raises(DataError) as caught:
        _parse(["03/01/19", "04/02/19", "12/11/19"])
    text = str(caught.value)
    assert text.startswith("x.csv: column 'Order Date': 3 dates such as '03/01/19' read either as day/month or month/day")
    assert "set data.date_format to dayfirst or monthfirst" in text and "\n" not in text


@pytest.mark.parametrize("order, expected", [("dayfirst", "2019-01-03"), ("monthfirst", "2019-03-01")])
def test_the_params_key_settles_an_ambiguous_column(order, expected):
    parsed, reading = _parse(["03/01/19", "04/02/19"], date_format=order)
    assert parsed.iloc[0] == pd.Timestamp(expected)
    assert reading.source == "params" and "set by data.date_format" in reading.note


def test_a_column_that_contradicts_itself_is_refused_never_read_per_line():
    with pytest.raises(DataError, match=r"mix day/month/year \(row 3: '13/01/19'\) and month/day/year \(row 4: '01/13/19'\)"):
        _parse(["03/01/19", "13/01/19", "01/13/19"])


def test_a_strftime_pattern_applies_to_every_line():
    parsed, _ = _parse(["03.01.2019", "13.01.2019"], date_format="%d.%m.%Y")
    assert parsed.tolist() == [pd.Timestamp("2019-01-03"), pd.Timestamp("2019-01-13")]
    with pytest.raises(DataError, match=r"1 value is not a date \(row 3: '2019-01-13'\) \(data.date_format is '%d.%m.%Y'\)"):
        _parse(["03.01.2019", "2019-01-13"], date_format="%d.%m.%Y")


def test_unambiguous_shapes_keep_working_without_a_setting():
    values = ["2019-01-03", "2019/1/4", "2019年1月5日", "2019.01.06", "20190107", "08-Jan-2019", "2019-01-09 13:45:00"]
    parsed, reading = _parse(values)
    assert parsed.tolist() == list(pd.date_range("2019-01-03", "2019-01-09"))
    assert reading.order is None and reading.note is None


def test_excel_date_cells_and_a_mix_of_cells_and_text():
    cells = pd.Series(pd.to_datetime(["2019-01-03 10:00", "2019-02-01"], format="ISO8601"))
    parsed, reading = dates.parse_dates(cells, label="x.xlsx", column="d")
    assert parsed.tolist() == [pd.Timestamp("2019-01-03"), pd.Timestamp("2019-02-01")] and reading.note is None
    mixed = pd.Series([dt.datetime(2019, 1, 3), "13/01/2019"], dtype=object)
    parsed, reading = dates.parse_dates(mixed, label="x.xlsx", column="d")
    assert parsed.tolist() == [pd.Timestamp("2019-01-03"), pd.Timestamp("2019-01-13")]
    assert reading.order == dates.DAYFIRST


def test_values_that_are_no_dates_are_named():
    with pytest.raises(DataError, match=r"2 values are not dates \(row 3: 'soon', row 4: '2019-02-30'\)"):
        _parse(["2019-01-03", "soon", "2019-02-30"])


@pytest.mark.parametrize("bad", ["%Y-%m", "dd/mm/yyyy", "day-first"])
def test_params_refuse_a_date_format_that_cannot_read_a_day(bad):
    with pytest.raises(ParamsError, match=r"data.date_format must be dayfirst, monthfirst or a strftime pattern"):
        validate_plan({"plan": "x", "plan_year": 2025, "data": {"date_format": bad}})


def test_lines_not_distinct_values_are_counted_and_rows_are_the_first_lines():
    _, reading = _parse(["13/01/19", "03/01/19", "13/01/19", "13/01/19"])
    assert reading.note == "dates read as day/month/year: 3 lines decide it"
    with pytest.raises(DataError) as caught:
        _parse(["03/01/19", "03/01/19", "01/13/19", "13/01/19", "01/13/19"])
    assert caught.value.rows == [4, 5]
    with pytest.raises(DataError, match=r"column 'Order Date': 4 dates such as '03/01/19'"):
        _parse(["03/01/19", "03/01/19", "04/01/19", "03/01/19"])
