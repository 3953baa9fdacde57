"""The demo company: deterministic, scalable, consistent with its side tables, and its story
(seasonality, growth by stage, plan-year surprises, returns, duplicates) is in the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planlib import demo, schema
from planlib.errors import ParamsError

N_STORY = 200_000  # lines: enough for the story to stand out of the noise


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    return demo.generate_demo_orders(N_STORY)


@pytest.fixture(scope="module")
def side() -> dict[str, pd.DataFrame]:
    return demo.demo_side_tables()


def _year(frame: pd.DataFrame) -> pd.Series:
    return frame[schema.ORDER_DATE].dt.year


def _revenue_by(frame: pd.DataFrame, *keys) -> pd.Series:
    return frame.groupby(list(keys), observed=True)[schema.REVENUE].sum()


# -- determinism, size, shape ---------------------------------------------------------


def test_same_seed_gives_an_identical_frame_and_another_seed_does_not():
    first = demo.generate_demo_orders(20_000, seed=3)
    again = demo.generate_demo_orders(20_000, seed=3)
    other = demo.generate_demo_orders(20_000, seed=4)
    hashes = pd.util.hash_pandas_object(first)
    assert hashes.equals(pd.util.hash_pandas_object(again))
    assert not first.equals(other)
    pd.testing.assert_frame_equal(demo.demo_side_tables(seed=3)["reps"], demo.demo_side_tables(seed=3)["reps"])


@pytest.mark.parametrize("n_lines", [10_000, N_STORY])
def test_size_is_within_five_percent(n_lines, orders):
    frame = orders if n_lines == N_STORY else demo.generate_demo_orders(n_lines)
    assert abs(len(frame) / n_lines - 1) < 0.05


def test_columns_dtypes_and_order(orders):
    assert tuple(orders.columns) == schema.ALL_COLUMNS
    assert orders[schema.ORDER_DATE].dtype == "datetime64[ns]"
    assert (orders[schema.ORDER_DATE] == orders[schema.ORDER_DATE].dt.normalize()).all()
    for column in schema.CATEGORY_COLUMNS:
        assert isinstance(orders[column].dtype, pd.CategoricalDtype), column
    for column in schema.FLOAT_COLUMNS:
        assert orders[column].dtype == "float64", column
    assert isinstance(orders.index, pd.RangeIndex)
    assert np.allclose(orders[schema.REVENUE], orders[schema.REVENUE].round(2), rtol=0, atol=1e-9)
    keys = pd.DataFrame({"date": orders[schema.ORDER_DATE], "id": orders[schema.ORDER_ID].astype(str)})
    assert keys.equals(keys.sort_values(["date", "id"], kind="stable"))
    assert orders[schema.ORDER_DATE].min() >= pd.Timestamp(demo.DEFAULT_START)
    assert orders[schema.ORDER_DATE].max() <= pd.Timestamp(demo.DEFAULT_END)


def test_ids_are_stable_zero_padded_strings(orders):
    assert orders[schema.CUSTOMER_ID].astype(str).str.fullmatch(r"C\d{6}").all()
    assert orders[schema.ORDER_ID].astype(str).str.fullmatch(r"SO\d{7}").all()


def test_margins_differ_by_line_with_cost_55_to_75_percent_of_list(orders, side):
    products = side["products"]
    ratio = products["unit_cost"] / products["list_price"]
    assert ratio.between(0.55, 0.75).all()
    sales = orders[orders[schema.REVENUE] > 0]
    margin = 1 - sales.groupby(schema.PRODUCT_LINE, observed=True)[schema.COST].sum() / _revenue_by(sales, schema.PRODUCT_LINE)
    assert margin.max() - margin.min() > 0.1


# -- consistency with the side tables -------------------------------------------------


def test_side_tables_cover_every_value_in_the_orders(orders, side):
    for key, column in [("reps", schema.REP), ("product_lines", schema.PRODUCT_LINE),
                        ("regions", schema.REGION), ("channels", schema.CHANNEL), ("products", schema.PRODUCT)]:
        assert set(orders[column].astype(str)) <= set(side[key][column]), key
    assert set(side["product_lines"][schema.ROLE]) == set(schema.PRODUCT_ROLES)
    assert set(side["regions"][schema.STAGE]) == set(schema.MARKET_STAGES)
    assert set(side["channels"][schema.STAGE]) <= set(schema.MARKET_STAGES)
    assert len(side["regions"]) >= 5 and len(side["product_lines"]) >= 4
    assert set(side["channels"][schema.CHANNEL]) == {"direct", "distributor", "e-commerce", "partner"}


def test_reps_join_and_leave_over_the_history_and_the_plan_year(side):
    reps = side["reps"]
    assert len(reps) >= 30 and reps[schema.REP].is_unique
    assert list(reps.columns) == [schema.REP, schema.REGION, schema.REP_HIRE_DATE, schema.REP_LEAVE_DATE, schema.REP_CAPACITY]
    hired, left = reps[schema.REP_HIRE_DATE].dt.year, reps[schema.REP_LEAVE_DATE].dt.year
    assert (hired.between(2021, 2024)).sum() >= 3 and (hired == 2025).sum() >= 2
    assert (left.between(2021, 2024)).sum() >= 3 and (left == 2025).sum() >= 2
    assert reps[schema.REP_LEAVE_DATE].isna().sum() >= 20
    assert (reps[schema.REP_CAPACITY] > 0).all()


def test_reps_sell_only_in_their_region_while_employed(orders, side):
    reps = side["reps"].set_index(schema.REP)
    rep = orders[schema.REP].astype(str)
    date = orders[schema.ORDER_DATE]
    assert (rep.map(reps[schema.REGION]) == orders[schema.REGION].astype(str)).all()
    assert (date >= rep.map(reps[schema.REP_HIRE_DATE])).all()
    leave = rep.map(reps[schema.REP_LEAVE_DATE])
    assert (leave.isna() | (date <= leave)).all()
    assert set(reps.index[reps[schema.REP_LEAVE_DATE].notna()]) <= set(rep)  # leavers sold before leaving


def test_strategic_line_sells_only_after_launch_and_ramps_fast(orders, side):
    lines = side["product_lines"].set_index(schema.PRODUCT_LINE)
    strategic = lines.index[lines[schema.ROLE] == "strategic"][0]
    sold = orders[orders[schema.PRODUCT_LINE] == strategic]
    assert sold[schema.ORDER_DATE].min() >= lines.loc[strategic, schema.LAUNCH_DATE]
    by_year = _revenue_by(sold, _year(sold))
    assert by_year[2025] > 1.3 * by_year[2024] > 1.3 * by_year[2023] > 0


def test_each_customer_stays_in_one_region_and_channel(orders):
    per_customer = orders.groupby(schema.CUSTOMER_ID, observed=True)[[schema.REGION, schema.CHANNEL]].nunique()
    assert (per_customer == 1).all().all()


# -- the story ------------------------------------------------------------------------


def test_chinese_new_year_dip_follows_the_lunar_date(orders):
    month = orders[schema.ORDER_DATE].dt.month
    revenue = _revenue_by(orders, _year(orders), month).unstack()
    january_over_february = revenue[1] / revenue[2]
    assert january_over_february[2023] < 1  # CNY 2023-01-22: the dip sits in January
    assert january_over_february[2022] > 1  # CNY 2022-02-01: mostly in February
    for year in (2021, 2024):  # CNY 2021-02-12, 2024-02-10: deep in February
        assert january_over_february[year] > 1.5, year


def test_ecommerce_peaks_in_november(orders):
    month = orders[schema.ORDER_DATE].dt.month
    ecommerce = orders[schema.CHANNEL] == "e-commerce"
    share = _revenue_by(orders[ecommerce], month[ecommerce]) / _revenue_by(orders, month)
    assert share.idxmax() == 11
    assert _revenue_by(orders[ecommerce], month[ecommerce]).idxmax() == 11


def test_december_is_the_biggest_month_of_direct_and_distributor_sales(orders):
    b2b = orders[orders[schema.CHANNEL].isin(["direct", "distributor"])]
    assert _revenue_by(b2b, b2b[schema.ORDER_DATE].dt.month).idxmax() == 12


def test_growth_follows_the_region_stage(orders, side):
    history = orders[_year(orders) <= 2024]
    revenue = _revenue_by(history, schema.REGION, _year(history)).unstack()
    growth = (revenue[2024] / revenue[2021]) ** (1 / 3) - 1
    by_stage = growth.groupby(side["regions"].set_index(schema.REGION)[schema.STAGE]).mean()
    assert by_stage["growth"] > by_stage["mature"] + 0.05
    assert by_stage["emerging"] > by_stage["growth"] + 0.05
    assert growth[side["regions"].set_index(schema.REGION)[schema.STAGE] == "growth"].min() > growth.loc[["East China", "North China"]].max()


def test_plan_year_has_a_lagging_region_and_a_leading_line(orders):
    middle = orders[orders[schema.ORDER_DATE].dt.quarter.isin([2, 3])]

    def growth(mask: pd.Series) -> float:
        revenue = _revenue_by(middle[mask], _year(middle[mask]))
        return revenue[2025] / revenue[2024] - 1

    region_name, _ = demo.PLAN_YEAR_SHORTFALL
    peers = middle[schema.REGION].isin(["Central China", "Southwest"])
    assert growth(middle[schema.REGION] == region_name) < growth(peers) - 0.15
    line_name, _ = demo.PLAN_YEAR_UPLIFT
    assert growth(middle[schema.PRODUCT_LINE] == line_name) > growth(middle[schema.PRODUCT_LINE] == "Pumps") + 0.15


def test_customers_are_concentrated_and_come_back(orders):
    year = _year(orders)
    revenue_2024 = _revenue_by(orders[year == 2024], schema.CUSTOMER_ID).sort_values(ascending=False)
    top_share = revenue_2024.iloc[: len(revenue_2024) // 5].sum() / revenue_2024.sum()
    assert 0.65 < top_share < 0.85
    buyers_2024 = set(orders.loc[year == 2024, schema.CUSTOMER_ID].astype(str))
    revenue_2023 = _revenue_by(orders[year == 2023], schema.CUSTOMER_ID)
    revenue_2023.index = revenue_2023.index.astype(str)
    came_back = revenue_2023.index.isin(list(buyers_2024))
    assert 0.5 < came_back.mean() < 0.9
    big = revenue_2023 >= revenue_2023.quantile(0.8)
    assert came_back[big.to_numpy()].mean() > came_back[~big.to_numpy()].mean() + 0.1
    first_year = orders.groupby(schema.CUSTOMER_ID, observed=True)[schema.ORDER_DATE].min().dt.year
    assert (first_year.value_counts()[[2022, 2023, 2024, 2025]] > 0).all()  # acquired over time


def test_returns_reverse_part_of_an_earlier_sale(orders):
    returns = orders[orders[schema.REVENUE] < 0]
    assert 0.01 <= len(returns) / len(orders) <= 0.02
    assert (returns[schema.QUANTITY] < 0).all() and (returns[schema.COST] < 0).all()
    sales = orders[orders[schema.REVENUE] > 0]
    key = [schema.CUSTOMER_ID, schema.PRODUCT]
    pairs = returns.reset_index().merge(sales, on=key, suffixes=("", "_sale"))
    earlier = pairs[
        (pairs[f"{schema.ORDER_DATE}_sale"] < pairs[schema.ORDER_DATE])
        & (pairs[f"{schema.ORDER_ID}_sale"].astype(str) < pairs[schema.ORDER_ID].astype(str))
        & (pairs[f"{schema.QUANTITY}_sale"] >= -pairs[schema.QUANTITY])
    ]
    assert set(earlier["index"]) == set(returns.index)


def test_exact_duplicates_are_the_documented_fraction(orders):
    duplicates = int(orders.duplicated().sum())
    assert duplicates == round(demo.DUPLICATE_FRACTION * (len(orders) - duplicates))
    assert duplicates > 0
    assert not orders.drop_duplicates()[[schema.ORDER_ID, schema.PRODUCT]].duplicated().any()


# -- bad arguments --------------------------------------------------------------------


@pytest.mark.parametrize("n_lines", [5, 2.5, True, "1000"])
def test_bad_n_lines_is_a_params_error(n_lines):
    with pytest.raises(ParamsError, match="'n_lines' parameter of generate_demo_orders must be an int"):
        demo.generate_demo_orders(n_lines)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2010-01-01", "2012-12-31", "must lie within"),
        ("2024-06-01", "2025-12-31", "at least one year of history"),
        ("not a date", "2025-12-31", "'start' parameter"),
    ],
)
def test_bad_window_is_a_params_error(start, end, message):
    with pytest.raises(ParamsError, match=message):
        demo.demo_side_tables(start=start, end=end)


def test_a_shorter_window_still_works():
    frame = demo.generate_demo_orders(10_000, start="2022-01-01", end="2024-12-31")
    assert frame[schema.ORDER_DATE].min() >= pd.Timestamp("2022-01-01")
    assert frame[schema.ORDER_DATE].max() <= pd.Timestamp("2024-12-31")
    assert abs(len(frame) / 10_000 - 1) < 0.05
