"""Tests of the review stage: planlib.review, planlib.customers, planlib.abc_analysis.

Tiny frames whose answers can be checked by hand, the edge cases of the brief
(year boundary, returns above sales, a line new this year), a few properties, and
the AdventureWorks quota check when ../shared/data is present.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planlib import abc_analysis as abc, customers, review
from planlib.errors import DataError, ParamsError

CATEGORY_COLUMNS = ("order_id", "customer_id", "product_line", "region", "channel", "rep", "product")


def make_lines(rows: list[tuple], *, extra: dict | None = None, categorical: bool = True) -> pd.DataFrame:
    """Order lines from ``(date, order_id, customer_id, revenue, product_line, region)`` tuples."""
    frame = pd.DataFrame(rows, columns=["order_date", "order_id", "customer_id", "revenue", "product_line", "region"])
    frame["order_date"] = pd.to_datetime(frame["order_date"], format="mixed").astype("datetime64[ns]")
    frame["revenue"] = frame["revenue"].astype(float)
    for name, values in (extra or {}).items():
        frame[name] = values
    if categorical:
        for name in CATEGORY_COLUMNS:
            if name in frame.columns:
                frame[name] = frame[name].astype("category")
    return frame


@pytest.fixture
def two_years() -> pd.DataFrame:
    """2022: 350 from c1, c2; 2023: 550 from c1, c3 with a stand-alone return of -50."""
    rows = [
        ("2022-01-03", "A1", "c1", 100.0, "Bikes", "East"),
        ("2022-01-03", "A1", "c1", 50.0, "Parts", "East"),
        ("2022-07-01", "A2", "c2", 200.0, "Bikes", "West"),
        ("2023-02-01", "B1", "c1", 300.0, "Bikes", "East"),
        ("2023-05-01", "B2", "c3", 100.0, "Parts", "West"),
        ("2023-11-01", "B3", "c3", 200.0, "Bikes", "West"),
        ("2023-12-01", "R1", "c1", -50.0, "Bikes", "East"),
        ("2023-12-31", "B4", "c3", 0.0, "Parts", "West"),  # a zero line: not an order
    ]
    cost = [60.0, 30.0, 100.0, 200.0, 60.0, 100.0, -30.0, 0.0]
    return make_lines(rows, extra={"cost": cost})


# ---------------------------------------------------------------------------
# window
# ---------------------------------------------------------------------------


def test_window_full_year(two_years):
    window = review.resolve_window(two_years)
    assert (window.year, window.as_of, window.partial, window.label) == (2023, pd.Timestamp("2023-12-31"), False, "2023")
    assert window.previous.label == "2022"


def test_window_infers_last_complete_month():
    lines = make_lines([("2022-01-01", "o1", "c", 1.0, "x", "r"), ("2023-06-15", "o2", "c", 1.0, "x", "r")])
    window = review.resolve_window(lines)
    assert window.as_of == pd.Timestamp("2023-05-31") and window.partial
    assert window.label == "2023 to 31 May" and window.previous.as_of == pd.Timestamp("2022-05-31")
    lines_end = make_lines([("2023-01-01", "o1", "c", 1.0, "x", "r"), ("2023-06-30", "o2", "c", 1.0, "x", "r")])
    assert review.infer_as_of(lines_end) == pd.Timestamp("2023-06-30")


def test_window_leap_day_as_of():
    lines = make_lines([("2023-01-05", "o1", "c", 1.0, "x", "r"), ("2024-02-29", "o2", "c", 1.0, "x", "r")])
    window = review.resolve_window(lines, as_of="2024-02-29")
    assert window.previous.as_of == pd.Timestamp("2023-02-28")


def test_window_errors(two_years):
    with pytest.raises(DataError, match="no order lines in the review period 2030"):
        review.resolve_window(two_years, year=2030, as_of="2030-12-31")
    with pytest.raises(ParamsError, match="'as_of' parameter must fall in the review year 2023"):
        review.resolve_window(two_years, year=2023, as_of="2022-05-01")
    with pytest.raises(DataError, match="need column 'customer_id'"):
        review.compute_kpis(two_years.drop(columns="customer_id"))
    with pytest.raises(DataError, match="'order_date' must be datetime64"):
        review.compute_kpis(two_years.assign(order_date=two_years["order_date"].astype(str)))


# ---------------------------------------------------------------------------
# 1. KPIs
# ---------------------------------------------------------------------------


def test_kpis_known_answer(two_years):
    kpis = review.compute_kpis(two_years, year=2023).set_index("metric")
    assert kpis.loc["revenue", "current"] == pytest.approx(550.0)
    assert kpis.loc["revenue", "previous"] == pytest.approx(350.0)
    assert kpis.loc["revenue", "growth"] == pytest.approx(550 / 350 - 1)
    assert kpis.loc["orders", ["current", "previous"]].tolist() == [3, 2]  # R1 (return) and B4 (zero) are no orders
    assert kpis.loc["active_customers", ["current", "previous"]].tolist() == [2, 2]
    assert kpis.loc["avg_order_value", "current"] == pytest.approx(550 / 3)
    assert kpis.loc["gross_margin", "current"] == pytest.approx((550 - 330) / 550)
    assert kpis.loc["gross_margin", "change"] == pytest.approx(0.4 - 160 / 350)
    assert np.isnan(kpis.loc["gross_margin", "growth"])
    assert set(kpis["period"]) == {"2023"} and set(kpis["previous_period"]) == {"2022"}


def test_kpis_without_cost_and_plain_text_columns(two_years):
    lines = two_years.drop(columns="cost")
    for column in CATEGORY_COLUMNS:
        if column in lines.columns:
            lines[column] = lines[column].astype(str)
    kpis = review.compute_kpis(lines, year=2023)
    assert "gross_margin" not in set(kpis["metric"])
    assert kpis.set_index("metric").loc["orders", "current"] == 3


def test_kpis_year_to_date(two_years):
    kpis = review.compute_kpis(two_years, year=2023, as_of="2023-06-30").set_index("metric")
    assert kpis.loc["revenue", "current"] == pytest.approx(400.0)
    assert kpis.loc["revenue", "previous"] == pytest.approx(150.0)  # Jan-Jun 2022 only
    assert kpis["period"].iloc[0] == "2023 to 30 Jun" and kpis["previous_period"].iloc[0] == "2022 to 30 Jun"


def test_kpis_first_year_has_no_previous(two_years):
    kpis = review.compute_kpis(two_years, year=2022).set_index("metric")
    assert kpis["previous"].isna().all() and kpis["growth"].isna().all()


def test_return_on_an_earlier_order_does_not_remove_an_order():
    lines = make_lines([
        ("2023-01-10", "o1", "c1", 100.0, "x", "r"),
        ("2023-01-10", "o1", "c1", 100.0, "x", "r"),
        ("2023-03-01", "o1", "c1", -100.0, "x", "r"),  # partial return, booked later on the same order
        ("2023-12-31", "o2", "c2", 10.0, "x", "r"),
    ])
    kpis = review.compute_kpis(lines).set_index("metric")
    assert kpis.loc["orders", "current"] == 2 and kpis.loc["revenue", "current"] == 110


def test_kpis_by_month(two_years):
    table = review.compute_kpis_by_period(two_years, year=2023, as_of="2023-06-30")
    assert len(table) == 12 and table["month"].tolist() == list(range(1, 13))
    assert table.loc[1, "revenue"] == 300 and table.loc[1, "label"] == "Feb"
    assert table.loc[5, "revenue"] == 0  # June: in the period, nothing sold
    assert table.loc[6:, "revenue"].isna().all()  # after as_of
    assert table.loc[6, "revenue_previous"] == 200  # July 2022 shown in full for the overlay
    assert table.loc[0, "revenue_previous"] == 150 and table.loc[0, "revenue_growth"] == -1.0  # Jan: nothing this year
    assert table["revenue_cumulative"].iloc[5] == 400
    assert review.summarize_kpis_by_period(table) == (
        "Best month Feb (300), weakest Jan (0); 0 of 1 month grew on 2022."  # months without 2022 sales: no growth
    )


def test_kpis_by_quarter_adds_up(two_years):
    quarters = review.compute_kpis_by_period(two_years, year=2023, freq="quarter")
    kpis = review.compute_kpis(two_years, year=2023).set_index("metric")
    assert quarters["revenue"].sum() == pytest.approx(kpis.loc["revenue", "current"])
    assert quarters["orders"].sum() == kpis.loc["orders", "current"]
    assert quarters["revenue_previous"].sum() == pytest.approx(350)
    with pytest.raises(ParamsError, match="'freq' parameter"):
        review.compute_kpis_by_period(two_years, freq="week")


def test_months_before_the_data_are_nan():
    lines = make_lines([("2022-07-01", "o1", "c", 10.0, "x", "r"), ("2023-12-31", "o2", "c", 10.0, "x", "r")])
    table = review.compute_kpis_by_period(lines, year=2023)
    assert table.loc[:5, "revenue_previous"].isna().all()  # Jan-Jun 2022: before the data starts
    assert table.loc[7, "revenue_previous"] == 0  # Aug 2022: covered, nothing sold
    kpis = review.compute_kpis(lines, year=2023).set_index("metric")
    assert np.isnan(kpis.loc["revenue", "previous"])  # 2022 is only half covered: no fake growth


def test_summarize_kpis(two_years):
    kpis = review.compute_kpis(two_years, year=2023)
    regions = review.break_down(two_years, by="region", year=2023)
    text = review.summarize_kpis(kpis, regions)
    assert text.startswith("Revenue 550 in 2023, +57.1% on 2022")
    assert "gross margin 40.0%" in text
    assert "(orders +50.0%, active customers +0.0%, average order value +4.8%)" in text
    assert "West carried 50% of the growth" in text  # West +100, East +100: the larger line first


# ---------------------------------------------------------------------------
# 2. Breakdowns
# ---------------------------------------------------------------------------


@pytest.fixture
def lines_new_line() -> pd.DataFrame:
    """Bikes 100 -> 120, Parts 100 -> 80, Apps 0 -> 50 (new this year)."""
    rows = [
        ("2022-01-02", "a", "c1", 100.0, "Bikes", "East"),
        ("2022-05-01", "b", "c2", 100.0, "Parts", "West"),
        ("2023-05-01", "c", "c1", 120.0, "Bikes", "East"),
        ("2023-05-01", "d", "c2", 80.0, "Parts", "West"),
        ("2023-12-31", "e", "c3", 50.0, "Apps", "East"),
    ]
    return make_lines(rows, extra={"cost": [50.0, 80.0, 60.0, 60.0, 10.0]})


def test_break_down_known_answer(lines_new_line):
    table = review.break_down(lines_new_line, by="product_line", year=2023).set_index("product_line")
    assert table.index.tolist() == ["Bikes", "Parts", "Apps"]
    assert table.loc["Bikes", "growth"] == pytest.approx(0.2)
    assert np.isnan(table.loc["Apps", "growth"])  # no sales last year: NaN, not inf
    assert not np.isinf(table["growth"]).any()
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["contribution"].sum() == pytest.approx(250 / 200 - 1)  # sums to total growth
    assert table.loc["Apps", "contribution"] == pytest.approx(0.25)
    assert table["growth_share"].sum() == pytest.approx(1.0)
    assert table.loc["Apps", "growth_share"] == pytest.approx(1.0)
    assert table.loc["Bikes", "gross_margin"] == pytest.approx(0.5)
    assert table.loc["Bikes", "gross_margin_previous"] == pytest.approx(0.5)
    assert np.isnan(table.loc["Apps", "gross_margin_previous"])
    first_year = review.break_down(lines_new_line, by="product_line", year=2022, as_of="2022-12-31")
    assert first_year["revenue_previous"].isna().all() and first_year["growth"].isna().all()  # 2021 not in the data


def test_break_down_with_side_table(lines_new_line):
    roles = pd.DataFrame({"product_line": ["Bikes", "Parts"], "role": ["mature", "strategic"], "revenue": [1, 2]})
    table = review.break_down(lines_new_line, by="product_line", year=2023, side_table=roles)
    assert table.columns[:2].tolist() == ["product_line", "role"]
    assert dict(zip(table["product_line"], table["role"])) == {"Bikes": "mature", "Parts": "strategic", "Apps": "(none)"}
    by_role = review.break_down(lines_new_line, by="role", year=2023, side_table=roles).set_index("role")
    assert by_role.loc["mature", "revenue"] == 120 and by_role.loc["(none)", "revenue"] == 50
    assert by_role["revenue"].sum() == 250
    with pytest.raises(DataError, match="lists product_line more than once"):
        review.break_down(lines_new_line, by="role", side_table=pd.concat([roles, roles]))
    with pytest.raises(DataError, match="'by' must be a column"):
        review.break_down(lines_new_line, by="colour")


def test_break_down_keeps_missing_values(lines_new_line):
    lines = lines_new_line.assign(channel=pd.Categorical(["direct", None, "(none)", "direct", None]))
    table = review.break_down(lines, by="channel", year=2023).set_index("channel")
    assert table.index.tolist() == ["(none)", "direct"]  # NaN and the loader's label are one group
    assert table["revenue"].sum() == 250 and table["revenue_previous"].sum() == 200


def test_summarize_breakdown(lines_new_line):
    text = review.summarize_breakdown(review.break_down(lines_new_line, by="product_line", year=2023))
    assert text.startswith("Bikes is the largest product line with 48% of revenue (-2.0 pts)")
    assert "1 product line without sales last year (50)" in text
    assert "Apps carried 100% of the growth" in text


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(2022, 2023), st.integers(1, 12), st.sampled_from("abcd"), st.floats(-50, 500)),
        min_size=2,
        max_size=30,
    )
)
def test_break_down_properties(records):
    rows = [(f"{y}-{m:02d}-15", f"o{i}", f"c{i % 3}", rev, line, "r") for i, (y, m, line, rev) in enumerate(records)]
    rows.append(("2023-12-31", "end", "c0", 1.0, "a", "r"))
    rows.append(("2022-01-01", "start", "c0", 1.0, "a", "r"))
    lines = make_lines(rows)
    table = review.break_down(lines, by="product_line", year=2023)
    kpis = review.compute_kpis(lines, year=2023).set_index("metric")
    assert table["revenue"].sum() == pytest.approx(kpis.loc["revenue", "current"], abs=1e-6)
    total_prev = table["revenue_previous"].sum()
    if total_prev > 0:
        assert table["contribution"].sum() == pytest.approx(table["revenue"].sum() / total_prev - 1, abs=1e-9)
    assert not np.isinf(table[["growth", "contribution", "growth_share"]].to_numpy()).any()


# ---------------------------------------------------------------------------
# 3. Customers
# ---------------------------------------------------------------------------


@pytest.fixture
def boundary() -> pd.DataFrame:
    """x: first order on Dec 31 2022 (late evening); y: first order on Jan 1 2023; p: 2022 only."""
    rows = [
        ("2021-01-04", "o0", "p", 10.0, "x", "r"),  # data from the first week of 2021
        ("2022-03-01", "o1", "p", 40.0, "x", "r"),
        ("2022-12-31 23:59", "o2", "x", 100.0, "x", "r"),
        ("2023-01-01 00:00", "o3", "y", 60.0, "x", "r"),
        ("2023-04-01", "o4", "y", 40.0, "x", "r"),
        ("2023-05-01", "o5", "x", 200.0, "x", "r"),
        ("2023-12-31", "o6", "z", 30.0, "x", "r"),
        ("2023-12-31", "o7", "z", -30.0, "x", "r"),  # z: a credit note the same day
    ]
    return make_lines(rows)


def test_new_vs_returning_at_the_year_boundary(boundary):
    kpis = customers.compute_customer_kpis(boundary, year=2023).set_index("metric")["current"]
    assert kpis["active_customers"] == 3  # x, y, z
    assert kpis["new_customers"] == 2  # y (Jan 1) and z; x started on Dec 31
    assert kpis["returning_customers"] == 1 and kpis["retained_customers"] == 1
    assert kpis["reactivated_customers"] == 0 and kpis["lost_customers"] == 1  # p
    assert kpis["retention_rate"] == pytest.approx(0.5)  # of {p, x}, x came back
    assert kpis["repurchase_rate"] == pytest.approx(1 / 3)  # y ordered twice
    assert kpis["new_customer_revenue"] == pytest.approx(100.0)  # y 100, z 30 - 30
    assert kpis["returning_customer_revenue"] == pytest.approx(200.0)
    previous = customers.compute_customer_kpis(boundary, year=2023).set_index("metric")["previous"]
    assert previous["active_customers"] == 2 and previous["new_customers"] == 1  # 2022: p returning, x new
    assert previous["retention_rate"] == pytest.approx(1.0)  # 2021's p bought in 2022


def test_customer_groups(boundary):
    groups = customers.compute_customer_groups(boundary, year=2023).set_index("group")
    assert groups.loc["new", "customers"] == 2 and groups.loc["returning", "customers"] == 1
    assert groups.loc["new", "orders"] == 3 and groups.loc["all", "orders"] == 4
    assert groups.loc["new", "revenue"] + groups.loc["returning", "revenue"] == pytest.approx(groups.loc["all", "revenue"])
    assert groups.loc["all", "revenue"] == pytest.approx(300.0)
    assert groups.loc["new", "avg_order_value"] == pytest.approx(100 / 3)
    assert groups.loc["new", "repurchase_rate"] == pytest.approx(0.5)
    assert customers.summarize_customer_groups(groups.reset_index()) == (
        "Returning customers ordered 1.0 times at 200 per order, new ones 1.5 times at 33; "
        "returning customers brought 67% of revenue."
    )


def test_summarize_customers(boundary):
    text = customers.summarize_customers(customers.compute_customer_kpis(boundary, year=2023))
    assert text == (
        "3 active customers in 2023 (+50.0%): 2 new bringing 33% of revenue; "
        "50% of last year's customers bought again (-50.0 pts); 33% ordered twice or more."
    )


def test_cohorts(boundary):
    table = customers.compute_cohorts(boundary, freq="year")
    assert table.index.tolist() == ["2021", "2022", "2023"] and table.columns.tolist() == ["2021", "2022", "2023"]
    assert table.loc["2021"].tolist() == [1, 1, 0]  # p
    assert table.loc["2022", "2023"] == 1 and np.isnan(table.loc["2022", "2021"])
    assert table.loc["2023", "2023"] == 2  # y, z
    revenue = customers.compute_cohorts(boundary, freq="year", value="revenue")
    assert revenue.loc["2022", "2023"] == 200 and revenue.loc["2023", "2023"] == 100
    retention = customers.compute_cohorts(boundary, freq="year", value="retention")
    assert retention.loc["2021", "2022"] == 1.0 and retention.loc["2022", "2023"] == 1.0
    quarterly = customers.compute_cohorts(boundary, since="2022-10-01")
    assert quarterly.index[0] == "2022Q4" and quarterly.loc["2022Q4", "2023Q2"] == 1
    assert "2 years later" not in customers.summarize_cohorts(table)
    assert customers.summarize_cohorts(table, lag=1) == (
        "Of the customers won in a year, on average 100% 1 year later were still buying (3 cohorts)."
    )


# ---------------------------------------------------------------------------
# 4. ABC
# ---------------------------------------------------------------------------


def _revenue_lines(revenues: dict[str, float], year: int = 2023) -> pd.DataFrame:
    rows = [(f"{year}-06-01", f"o{i}", name, value, "x", "r") for i, (name, value) in enumerate(revenues.items())]
    rows += [(f"{year}-01-01", "start", "anchor", 0.0, "x", "r"), (f"{year}-12-31", "end", "anchor", 0.0, "x", "r")]
    return make_lines(rows)


def test_classify_abc_cut_points():
    lines = _revenue_lines({"a": 50, "b": 30, "c": 10, "d": 6, "e": 4})
    classes = abc.classify_abc(lines, year=2023).set_index("customer_id")
    # the entity whose predecessors hold exactly 80% starts B; d's hold 90% < 95% -> B
    assert classes.loc[["a", "b", "c", "d", "e"], "abc_class"].tolist() == ["A", "A", "B", "B", "C"]
    assert classes.loc["a", "rank"] == 1 and classes.loc["e", "cumulative_share"] == pytest.approx(1.0)
    assert classes.loc["anchor", "abc_class"] == "C"  # zero revenue
    wider = abc.classify_abc(lines, year=2023, thresholds=(0.5, 0.3, 0.2)).set_index("customer_id")
    assert wider.loc[["a", "b", "c"], "abc_class"].tolist() == ["A", "B", "C"]


def test_a_single_dominant_customer_is_a():
    classes = abc.classify_abc(_revenue_lines({"big": 90, "s1": 5, "s2": 5}), year=2023).set_index("customer_id")
    assert classes.loc[["big", "s1", "s2"], "abc_class"].tolist() == ["A", "B", "C"]


def test_returns_above_sales_are_class_c_and_do_not_move_the_cuts():
    base = {"a": 50, "b": 30, "c": 10, "d": 6, "e": 4}
    with_returns = abc.classify_abc(_revenue_lines({**base, "r": -20}), year=2023).set_index("customer_id")
    without = abc.classify_abc(_revenue_lines(base), year=2023).set_index("customer_id")
    assert with_returns.loc[list(base), "abc_class"].tolist() == without.loc[list(base), "abc_class"].tolist()
    assert with_returns.loc["r", "abc_class"] == "C" and with_returns.loc["r", "net_negative"]
    assert with_returns.loc["r", "rank"] == len(with_returns)  # ranked last
    assert with_returns.loc["r", "share"] == pytest.approx(-20 / 80)  # share of net total revenue
    assert with_returns.loc["r", "cumulative_share"] == pytest.approx(1.0)
    table = abc.tabulate_abc(with_returns.reset_index()).set_index("abc_class")
    assert table["revenue"].sum() == pytest.approx(80) and table["revenue_share"].sum() == pytest.approx(1.0)
    assert table.loc["C", "net_negative"] == 1 and table["entities"].sum() == 7
    assert "1 with returns above sales, classed C" in abc.summarize_abc(with_returns.reset_index())


def test_classify_abc_products_and_bad_thresholds():
    lines = _revenue_lines({"a": 50, "b": 50}).assign(product=pd.Categorical(["p1", "p2", "p1", "p1"]))
    classes = abc.classify_abc(lines, by="product", year=2023)
    assert classes["product"].tolist() == ["p1", "p2"] and classes["revenue"].tolist() == [50, 50]
    with pytest.raises(ParamsError, match=r"'thresholds' parameter of classify_abc must be three positive"):
        abc.classify_abc(lines, thresholds=(0.8, 0.1))
    with pytest.raises(ParamsError, match="summing to 1"):
        abc.classify_abc(lines, thresholds=(0.8, 0.15, 0.15))


def test_summarize_abc():
    classes = abc.classify_abc(_revenue_lines({"a": 50, "b": 30, "c": 10, "d": 6, "e": 4}), year=2023)
    assert abc.summarize_abc(classes) == "2 A customers (33% of customers) bring 80% of revenue; 2 C customers (33%) bring 4%."


def test_abc_transitions():
    rows = [
        # 2022: a 60 (A), b 25 (A: before=60%), c 10 (B), d 5 (C)
        ("2022-03-01", "p1", "a", 60.0, "x", "r"),
        ("2022-03-01", "p2", "b", 25.0, "x", "r"),
        ("2022-03-01", "p3", "c", 10.0, "x", "r"),
        ("2022-03-01", "p4", "d", 5.0, "x", "r"),
        # 2023: c 70 (A), a 20 (A: before=70%), e 10 (B: before=90%); b and d lost
        ("2023-03-01", "q1", "c", 70.0, "x", "r"),
        ("2023-03-01", "q2", "a", 20.0, "x", "r"),
        ("2023-03-01", "q3", "e", 10.0, "x", "r"),
        ("2023-12-31", "q4", "e", 0.0, "x", "r"),
        ("2022-01-01", "p0", "e", 0.0, "x", "r"),
    ]
    lines = make_lines(rows)
    table = abc.track_abc_transitions(lines, year=2023)
    assert table.index.tolist() == ["A", "B", "C", "new"] and table.columns.tolist() == ["A", "B", "C", "lost"]
    assert table.loc["A", "A"] == 1  # a: A -> A (70% before it is < 80%)
    assert table.loc["A", "lost"] == 1  # b
    assert table.loc["B", "A"] == 1  # c
    assert table.loc["C", "B"] == 1  # e had a zero line in 2022 (C), B in 2023
    assert table.loc["C", "lost"] == 1  # d
    assert table.loc["new", "lost"] == 0 and table.to_numpy().sum() == 5
    revenue = abc.track_abc_transitions(lines, year=2023, value="revenue")
    assert revenue.to_numpy().sum() == pytest.approx(100.0)
    assert abc.summarize_transitions(table) == (
        "Of last year's 2 A, 1 stayed A, 0 slipped to B/C and 1 were lost; 1 moved up into A and 0 entered A new."
    )


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-100, 1000, allow_nan=False), min_size=1, max_size=40))
def test_abc_properties(values):
    classes = abc.classify_abc(_revenue_lines({f"c{i}": v for i, v in enumerate(values)}), year=2023)
    order = {"A": 0, "B": 1, "C": 2}
    ranks = classes["abc_class"].map(order).to_numpy()
    assert (np.diff(ranks) >= 0).all()  # classes never go back up along the ranking
    assert (classes.loc[classes["revenue"] <= 0, "abc_class"] == "C").all()
    positive = classes["revenue"].clip(lower=0)
    if positive.sum() > 0:
        a_share = positive[classes["abc_class"] == "A"].sum() / positive.sum()
        assert a_share >= 0.8 - 1e-9  # A holds at least its threshold
        assert classes["abc_class"].iloc[0] == "A"


# ---------------------------------------------------------------------------
# 5. Reps
# ---------------------------------------------------------------------------


@pytest.fixture
def rep_lines() -> pd.DataFrame:
    """Tenured t1 (100/month all 2023), t2 (50/month), new hire n (hired Mar 2023: 10, 0, 40, ...)."""
    rows, reps = [], []
    for month in range(1, 13):
        rows.append((f"2023-{month:02d}-10", f"t1-{month}", "c1", 100.0, "x", "East"))
        reps.append("t1")
        rows.append((f"2023-{month:02d}-10", f"t2-{month}", "c2", 50.0, "x", "West"))
        reps.append("t2")
    for month, value in ((3, 10.0), (5, 40.0), (6, 80.0)):
        rows.append((f"2023-{month:02d}-20", f"n-{month}", "c3", value, "x", "East"))
        reps.append("n")
    rows.append(("2022-01-05", "t1-old", "c1", 1200.0, "x", "East"))
    reps.append("t1")
    rows.append(("2023-07-01", "web", "c9", 999.0, "x", "East"))
    reps.append("(none)")
    return make_lines(rows, extra={"rep": reps})


@pytest.fixture
def rep_table() -> pd.DataFrame:
    return pd.DataFrame({
        "rep": ["t1", "t2", "n"],
        "region": ["East", "West", "East"],
        "hire_date": pd.to_datetime(["2019-01-01", "2020-06-01", "2023-03-15"]),
        "leave_date": pd.to_datetime([None, None, "2023-06-30"]),
        "capacity": [40, 40, 30],
    })


def test_rep_productivity(rep_lines, rep_table):
    table = review.compute_rep_productivity(rep_lines, year=2023, as_of="2023-12-31", reps=rep_table).set_index("rep")
    assert table.index.tolist() == ["t1", "t2", "n"]  # "(none)" (web orders) is not a rep
    assert table.loc["t1", "revenue"] == 1200 and table.loc["t1", "growth"] == pytest.approx(0.0)
    assert table.loc["n", "active_months"] == 4  # Mar..Jun
    assert table.loc["n", "revenue_per_month"] == pytest.approx(130 / 4)
    assert table.loc["t2", "revenue_per_month"] == pytest.approx(50)
    assert table.loc["n", "new_hire"] and not table.loc["t1", "new_hire"]
    assert np.isnan(table.loc["n", "growth"])
    assert table.loc["t1", "orders"] == 12 and table.loc["t1", "customers"] == 1
    assert table.loc["t1", "vs_median"] == pytest.approx(2.0)
    assert table.loc["n", "capacity"] == 30 and table.loc["n", "region"] == "East"
    assert review.summarize_reps(table.reset_index()) == (
        "3 reps, median 50 per active month; top t1 100 (2.0x the median); 1 hired this year."
    )


def test_rep_ramp(rep_lines, rep_table):
    ramp = review.compute_rep_ramp(rep_lines, year=2023, as_of="2023-12-31", reps=rep_table)
    assert ramp["rep"].unique().tolist() == ["n"]
    assert ramp["months_since_hire"].tolist() == [1, 2, 3, 4]  # left at the end of June
    assert ramp["revenue"].tolist() == [10.0, 0.0, 40.0, 80.0]
    assert ramp["month"].iloc[0] == pd.Timestamp("2023-03-01")
    assert ramp["tenured_average"].iloc[0] == pytest.approx(75.0)  # (1200 + 600) / 24 rep-months
    assert ramp["ramp_ratio"].iloc[3] == pytest.approx(80 / 75)
    assert review.summarize_ramp(ramp) == "1 rep hired in the period sold 43% of the tenured monthly average (75) over their 4 months since hire."
    # without a reps table: hired at the first sale (t2 and n are new), left at the last sale
    # when that is 90+ days before the data ends (n); t1 (first sale Jan 2022) is tenured
    inferred = review.compute_rep_ramp(rep_lines, year=2023, as_of="2023-12-31")
    assert set(inferred["rep"]) == {"n", "t2"} and inferred["tenured_average"].iloc[0] == pytest.approx(100.0)
    assert (inferred["rep"] == "n").sum() == 4 and (inferred["rep"] == "t2").sum() == 12


def test_attainment_by_period_start():
    rows = [
        ("2023-01-15", "o1", "c", 80.0, "x", "r"),
        ("2023-03-31", "o2", "c", 10.0, "x", "r"),
        ("2023-04-01", "o3", "c", 120.0, "x", "r"),
        ("2023-04-02", "o4", "c", 50.0, "x", "r"),
    ]
    lines = make_lines(rows, extra={"rep": ["ann", "ann", "ann", "bob"]})
    quotas = pd.DataFrame({
        "rep": ["ann", "ann", "bob"],
        "date": pd.to_datetime(["2023-01-01", "2023-04-01", "2023-04-01"]),
        "quota": [100.0, 100.0, 0.0],
    })
    table = review.compute_attainment(lines, quotas)
    assert table[["rep", "quota", "revenue"]].values.tolist() == [["ann", 100, 90], ["ann", 100, 120], ["bob", 0, 50]]
    assert table["attainment"].iloc[:2].tolist() == pytest.approx([0.9, 1.2]) and np.isnan(table["attainment"].iloc[2])
    assert table["period_end"].iloc[0] == pd.Timestamp("2023-03-31")
    assert table["period_end"].iloc[1] == pd.Timestamp("2023-06-29")  # last period: median length (90 days)
    assert table["complete"].tolist() == [True, False, False]
    by_quarter = quotas.drop(columns="date").assign(year=2023, quarter=[1, 2, 2])
    same = review.compute_attainment(lines, by_quarter, as_of="2023-06-30")
    assert same["revenue"].tolist() == [90, 120, 50] and same["complete"].all()
    assert same["period_end"].iloc[1] == pd.Timestamp("2023-06-30")
    assert review.summarize_attainment(same).startswith("Median attainment 105% per rep-period")
    assert review.summarize_attainment(same).endswith("50% met quota; revenue was 105% of total quota.")
    with pytest.raises(DataError, match="needs a period"):
        review.compute_attainment(lines, quotas.drop(columns="date"))


AW = Path(__file__).resolve().parents[2] / "shared" / "data" / "adventureworks"


def _load_adventureworks() -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = pd.read_csv(
        AW / "order_lines.csv.gz",
        parse_dates=["order_date"],
        dtype={"store_id": "Int64", "sales_person_id": "Int64"},
        usecols=["order_date", "sales_order_id", "customer_id", "line_total", "line_cost", "category", "territory", "channel", "sales_person_name"],
    )
    lines = pd.DataFrame({
        "order_date": raw["order_date"].astype("datetime64[ns]"),
        "order_id": raw["sales_order_id"].astype(str),
        "customer_id": raw["customer_id"].astype(str),
        "revenue": raw["line_total"].astype(float),
        "product_line": raw["category"],
        "region": raw["territory"],
        "channel": raw["channel"],
        "rep": raw["sales_person_name"].fillna("(none)"),
        "cost": raw["line_cost"].astype(float),
    })
    for column in ("order_id", "customer_id", "product_line", "region", "channel", "rep"):
        lines[column] = lines[column].astype("category")
    quota = pd.read_csv(AW / "quota_history.csv", parse_dates=["quota_date"])
    quotas = quota.rename(columns={"sales_person_name": "rep", "quota_date": "date", "sales_quota": "quota"})
    return lines, quotas[["rep", "date", "quota"]]


@pytest.mark.skipif(not (AW / "quota_history.csv").exists(), reason="AdventureWorks data not found in ../shared/data")
def test_adventureworks_quota_attainment():
    lines, quotas = _load_adventureworks()
    table = review.compute_attainment(lines, quotas)
    assert len(table) == len(quotas)  # one row per rep and quota period
    assert table["rep"].nunique() == 17
    median = table["attainment"].median()
    assert 0.7 <= median <= 1.0, median  # README: about 85% (IQR 80-91%)
    q1, q3 = table["attainment"].quantile([0.25, 0.75])
    assert 0.7 <= q1 and q3 <= 1.05
    assert review.summarize_attainment(table).startswith("Median attainment 85%")
    # the rest of the review runs on data it was not designed around
    kpis = review.compute_kpis(lines, year=2013).set_index("metric")
    assert kpis.loc["revenue", "current"] == pytest.approx(49.9e6, rel=0.01)
    assert kpis.loc["revenue", "previous"] == pytest.approx(34.0e6, rel=0.01)
    lines_by_category = review.break_down(lines, by="product_line", year=2013).set_index("product_line")
    assert lines_by_category.loc["Bikes", "share"] == pytest.approx(0.85, abs=0.02)


# ---------------------------------------------------------------------------
# 6. Seasonality
# ---------------------------------------------------------------------------


def test_seasonality():
    rows = []
    for year, scale in ((2021, 1.0), (2022, 2.0)):
        for month in range(1, 13):
            value = (200.0 if month == 12 else 100.0) * scale
            rows.append((f"{year}-{month:02d}-01", f"{year}-{month}", "c", value, "x", "r"))
    rows.append(("2022-12-31", "last", "c", 0.0, "x", "r"))
    rows.append(("2023-02-10", "partial", "c", 999.0, "x", "r"))  # 2023 is incomplete: left out
    lines = make_lines(rows)
    indices = review.compute_monthly_indices(lines)
    assert sorted(indices["year"].unique()) == [2021, 2022]
    mean_month = 1300 / 12
    assert indices.loc[indices["month"] == 12, "index"].tolist() == pytest.approx([200 / mean_month] * 2)
    assert indices.groupby("year")["index"].mean().tolist() == pytest.approx([1.0, 1.0])
    profile = review.profile_seasonality(indices)
    assert profile["std"].tolist() == pytest.approx([0.0] * 12)
    assert profile.loc[11, ["label", "n_years"]].tolist() == ["Dec", 2]
    assert review.summarize_seasonality(profile) == (
        "Peak month Dec (index 1.85, 1.85-1.85 over 2 years), low month Jan (0.92); "
        "the pattern is stable (average year-to-year std 0.00)."
    )
    with pytest.raises(ParamsError, match="'years' parameter must list complete years"):
        review.compute_monthly_indices(lines, years=[2023])
    late_start = lines[lines["order_date"] >= "2021-01-05"]
    assert review.compute_monthly_indices(late_start)["year"].unique().tolist() == [2022]


def test_inputs_are_not_mutated(two_years):
    before = two_years.copy(deep=True)
    review.compute_kpis(two_years)
    review.compute_kpis_by_period(two_years)
    review.break_down(two_years, by="region")
    customers.compute_customer_kpis(two_years)
    customers.compute_cohorts(two_years)
    abc.classify_abc(two_years)
    abc.track_abc_transitions(two_years)
    pd.testing.assert_frame_equal(two_years, before)
