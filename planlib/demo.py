"""The demo company: a seeded, deterministic order history of an invented trading firm.

It is the workbook's embedded default data; ``generate_demo_orders`` writes the
canonical order-line frame and ``demo_side_tables`` the reps, product lines, regions,
channels (and products) that go with it. Same seed and arguments, identical frame.

The story a correct review must find (default window 2021-01-01 .. 2025-12-31; the
plan year is the calendar year of ``end``, 2025; the annual plan uses data up to
2024-12-31, quarterly tracking packs use 2025 actuals up to their as-of date). The
figures are what the data show on average over seeds at 1M lines; at the default
size (tens of thousands of lines) single years are noisier by a few points.

Product lines (``PRODUCT_LINES``)
    *Pumps* and *Valves* are the mature core, about 95 % of revenue before 2023 and
    growing steadily (Pumps about 5-7 %, Valves about 8-10 % a year). *Smart Sensors*
    is the strategic line, launched 2023-04-01 (nothing sold before) and sold on top
    of existing orders (cross-sell): about 2 % of revenue in 2023, 5-6 % in 2024,
    6-9 % in 2025 (+50 % that year). *Water Treatment* is a small exploratory
    "potential" line: 2-5 % of revenue, growing 25-30 % a year. Every line has named
    products with list prices; unit cost is 55-75 % of list price and discounts
    differ by channel, so gross margins differ by line (Smart Sensors about 38 %,
    Valves 31 %, Pumps 24 %, Water Treatment 18 %).
Regions (``REGIONS``)
    East China and North China are mature (2-5 % a year in 2022-2023), South China,
    Central China and Southwest are growth regions (11-18 %), Northwest is emerging
    (27-37 % a year from 4 % of revenue). The Smart Sensors cross-sell lifts every
    region by 2-4 points in 2023-2025 (mature regions show about 9 % in 2024).
Channels (``CHANNELS``)
    direct (about 47 % of revenue in 2021) and distributor (31 %) are mature and grow
    4-7 %; e-commerce (13 % -> 21 %) is the growth channel, partner (8 % -> 11 %) is
    emerging; both grow 15-25 % a year.
Plan-year surprises (for tracking to find)
    In Q2-Q3 of the plan year South China's activity falls to 75 % of its trend
    (``PLAN_YEAR_SHORTFALL``): flat year on year while the other growth regions
    grow 25-40 %. Valves sell 30 % above trend (``PLAN_YEAR_UPLIFT``, larger
    quantities per line): +30-40 % year on year while Pumps are flat to +7 %.
Reps (``REGIONS[...].rep_roles``)
    34 named reps, each in one region: anchors hired before the history (never
    leave), some hired during the history and during the plan year, some leaving
    during the history and the plan year, one who joins and leaves. A customer
    belongs to one rep; when that rep leaves, the account moves to a rep of the same
    region who is employed the day after. Nobody sells before the hire date or after
    the leave date. New reps ramp up (``RAMP_UP``): in tenure month 1 they close 30 %
    of what a tenured rep would on the same accounts, 100 % from month 6. Every line,
    e-commerce included, carries the rep who owns the customer (no house account).
Customers
    Existing customers at the start plus new ones acquired every day (more where a
    segment grows faster); each stays in one region and channel and buys again at
    its own rate until it churns (distributors rarely, e-commerce buyers often).
    Customer value is log-normal and distributors are big, so in a year the top
    20 % of customers bring about 73-76 % of revenue (ABC is meaningful). About
    two thirds of a year's customers buy again the next year, high-value ones far
    more often (they order more often). Ids are stable strings ``C000001``, numbered
    by acquisition; order ids ``SO0000001`` increase with the order date.
Seasonality (``CHANNELS``, ``ECOMMERCE_FESTIVALS``, ``CNY_DATES``)
    A deep dip in the weeks around Chinese New Year (real dates, so the dip sits in
    January in 2023 and in February in 2021, 2022 and 2024, and straddles the two in
    2025), a distributor stocking rush before it; 618 (June 18) and Double-11
    (November 11: November is e-commerce's biggest month) peaks in e-commerce; a
    December year-end push in direct and distributor sales; mild quarter-end pushes;
    quiet weekends in B2B channels.
Returns
    About 1.5 % of lines are returns (e-commerce most): negative quantity, revenue
    and cost, for part or all of an earlier sale line of the same customer and
    product, booked 3 or more days later as an order of its own (a later order id).
Data-quality wrinkle for the loader to count
    Exactly ``round(DUPLICATE_FRACTION * m)`` lines (0.05 %) are exact duplicates of
    another line, where ``m`` is the number of lines before duplication, so
    ``frame.duplicated().sum() == round(DUPLICATE_FRACTION * (len(frame) - dups))``.
    There are no other exact duplicates (lines of one order have distinct products).

Everything is vectorized numpy; 10 million lines take well under a minute.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from planlib import schema
from planlib.calendars import spring_festival_dates
from planlib.errors import ParamsError

DEFAULT_START = "2021-01-01"
DEFAULT_END = "2025-12-31"
MIN_LINES = 1_000

# --------------------------------------------------------------------------------------
# The company: readable generation parameters
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionSpec:
    """A sales region: its stage, trend growth, share of customers and its reps' roles."""

    name: str
    stage: str
    growth: float  # yearly growth of the customer base (and so of revenue)
    share: float  # share of the customer base at the start of the window
    rep_roles: tuple[str, ...]  # see REP_ROLES


@dataclass(frozen=True)
class ChannelSpec:
    """A sales channel: stage, drift, customer behaviour and seasonality strengths."""

    name: str
    stage: str
    drift: float  # yearly growth added on top of the region's growth
    customer_share: float  # share of customers (not revenue) at the start
    order_rate: float  # relative orders per customer and year
    order_size: float  # relative quantity per line
    extra_lines: float  # mean number of lines per order beyond the first
    discount: float  # typical discount off list price
    churn: float  # yearly churn hazard of a typical customer
    return_rate: float  # share of sale lines later (partly) returned
    weekend: tuple[float, float]  # Saturday, Sunday activity relative to weekdays
    cny_depth: float  # how far activity falls in the Chinese New Year weeks
    stocking_rush: float  # activity in the 2-5 weeks before Chinese New Year
    quarter_end_push: float  # activity in the last 10 days of Mar, Jun, Sep
    year_end_push: float  # activity in December
    shopping_festivals: bool  # 618 and Double-11 (ECOMMERCE_FESTIVALS) apply


@dataclass(frozen=True)
class ProductLineSpec:
    """A product line: role, launch, share of order lines, cost ratio and its products."""

    name: str
    role: str
    launch_date: str
    weight: float  # share of an order's lines; for a cross-sell line: extra lines per order
    drift: float  # yearly change of that weight
    ramp_years: float  # time constant of the ramp after launch (0 = none)
    cross_sell: bool  # sold on top of existing orders (adds revenue) instead of taking share
    cost_ratio: float  # unit cost / list price, typical
    price_range: tuple[float, float]  # list prices are log-uniform in this range
    typical_quantity: float  # units per line of a mid-priced product
    products: tuple[str, ...]


REP_ROLES = ("anchor", "leaver", "joiner", "short_stay", "plan_joiner", "plan_leaver")
"""anchor: hired before the window, stays; leaver: hired before, leaves in the history;
joiner: hired in the history, stays; short_stay: hired and gone within the history;
plan_joiner / plan_leaver: hired / leaving during the plan year."""

REGIONS: tuple[RegionSpec, ...] = (
    RegionSpec("East China", "mature", 0.03, 0.34,
               ("anchor", "anchor", "anchor", "leaver", "joiner", "leaver", "joiner", "plan_joiner")),
    RegionSpec("North China", "mature", 0.02, 0.28,
               ("anchor", "anchor", "anchor", "leaver", "joiner", "plan_leaver", "joiner")),
    RegionSpec("South China", "growth", 0.12, 0.15,
               ("anchor", "anchor", "joiner", "joiner", "leaver", "plan_joiner")),
    RegionSpec("Central China", "growth", 0.10, 0.11,
               ("anchor", "anchor", "joiner", "short_stay", "joiner")),
    RegionSpec("Southwest", "growth", 0.14, 0.08,
               ("anchor", "anchor", "joiner", "plan_leaver", "plan_joiner")),
    RegionSpec("Northwest", "emerging", 0.28, 0.04,
               ("anchor", "anchor", "joiner")),
)

CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec("direct", "mature", -0.01, 0.32, 1.0, 1.0, 1.5, 0.06, 0.18, 0.010,
                (0.25, 0.10), 0.80, 1.00, 1.12, 1.25, False),
    ChannelSpec("distributor", "mature", -0.015, 0.06, 2.0, 1.8, 2.0, 0.20, 0.12, 0.008,
                (0.25, 0.10), 0.85, 1.20, 1.15, 1.30, False),
    ChannelSpec("e-commerce", "growth", 0.08, 0.56, 0.8, 0.3, 0.4, 0.05, 0.45, 0.025,
                (1.15, 1.15), 0.45, 1.00, 1.00, 1.00, True),
    ChannelSpec("partner", "emerging", 0.08, 0.06, 1.0, 1.0, 1.2, 0.12, 0.20, 0.010,
                (0.25, 0.10), 0.80, 1.00, 1.10, 1.15, False),
)

PRODUCT_LINES: tuple[ProductLineSpec, ...] = (
    ProductLineSpec(
        "Pumps", "mature", "2009-05-01", 0.30, -0.01, 0.0, False, 0.68, (3_000, 48_000), 2.0,
        tuple(f"{kind} pump {size}" for kind in ("Centrifugal", "Submersible", "Booster", "Dosing")
              for size in ("50", "80", "125")),
    ),
    ProductLineSpec(
        "Valves", "mature", "2006-09-01", 0.62, 0.01, 0.0, False, 0.60, (150, 6_000), 10.0,
        tuple(f"{kind} valve {size}" for kind in ("Ball", "Gate", "Butterfly", "Check", "Globe")
              for size in ("DN25", "DN50", "DN80", "DN150")),
    ),
    ProductLineSpec(
        "Smart Sensors", "strategic", "2023-04-01", 0.30, 0.0, 1.5, True, 0.55, (800, 9_000), 6.0,
        ("Pressure sensor P1", "Pressure sensor P2", "Flow sensor F1", "Level sensor L1",
         "Vibration monitor V1", "Temperature probe T1", "IoT gateway G1", "Sensor hub H1"),
    ),
    ProductLineSpec(
        "Water Treatment", "potential", "2020-07-01", 0.03, 0.15, 0.0, False, 0.74, (2_500, 30_000), 1.5,
        ("UF membrane kit", "RO skid 500L", "Dosing station", "UV sterilizer", "Filter housing set"),
    ),
)

# How much each channel favours each product line (rows: CHANNELS, columns: PRODUCT_LINES).
CHANNEL_LINE_AFFINITY = np.array(
    [
        [1.2, 0.9, 1.1, 1.0],  # direct
        [1.0, 1.2, 0.6, 0.5],  # distributor
        [0.5, 1.0, 1.2, 1.5],  # e-commerce
        [1.0, 0.9, 1.3, 1.2],  # partner
    ]
)

REP_NAMES: tuple[str, ...] = (
    "Zhang Wei", "Wang Fang", "Li Na", "Liu Yang", "Chen Jing", "Yang Lei", "Zhao Min",
    "Huang Tao", "Zhou Jie", "Wu Xia", "Xu Gang", "Sun Li", "Hu Bin", "Zhu Hong",
    "Gao Peng", "Lin Yan", "He Jun", "Guo Qiang", "Ma Lin", "Luo Hui", "Liang Yu",
    "Song Kai", "Zheng Rui", "Xie Ning", "Han Bo", "Tang Mei", "Feng Chao", "Yu Ting",
    "Dong Hao", "Xiao Yun", "Cheng Long", "Cao Xin", "Yuan Jie", "Deng Fei", "Fu Qing",
    "Shen Yi", "Zeng Hua", "Peng Bo", "Lu Ming", "Jiang Tao",
)

# Spring Festival days from the holidays library (planlib.calendars); the window must lie within these years.
CNY_DATES: tuple[str, ...] = tuple(str(day.date()) for day in spring_festival_dates(2015, 2031))
CNY_FULL_DIP_DAYS = (-5, 6)  # days around CNY with the full dip (factories closed)
CNY_TAPER_DAYS = (7, 10)  # linear fade-in before and recovery after the full dip
STOCKING_RUSH_DAYS = (-35, -15)  # distributors stock up in this span before CNY

# (month, first day, last day, multiplier) in e-commerce.
ECOMMERCE_FESTIVALS: tuple[tuple[int, int, int, float], ...] = (
    (6, 1, 17, 1.4), (6, 18, 18, 3.0),  # 618
    (11, 1, 10, 2.0), (11, 11, 11, 8.0), (11, 12, 13, 1.5),  # Double-11
    (12, 12, 12, 2.0),  # Double-12
)

PLAN_YEAR_SHORTFALL = ("South China", 0.75)  # region, activity vs trend in Q2-Q3 of the plan year
PLAN_YEAR_UPLIFT = ("Valves", 1.30)  # product line, quantity vs trend in Q2-Q3 of the plan year

RAMP_UP = (0.30, 0.45, 0.60, 0.75, 0.90, 1.00)  # share of a tenured rep's sales, tenure months 1..6

CUSTOMER_VALUE_SIGMA = 0.7  # log-normal spread of customer value (drives the Pareto)
VALUE_TO_ORDER_RATE = 0.6  # value = order rate ** 0.6 * line size ** 0.4
LINES_PER_CUSTOMER = 12  # lines per customer over the window: sets the customer count
MEAN_RETURN_DELAY_DAYS = 14  # returns come 3 + geometric(mean 14) days after the sale
DUPLICATE_FRACTION = 0.0005  # exact duplicate lines, a documented data-quality wrinkle

_OVERSAMPLE = 1.12  # draw this many more sale lines, then drop whole orders to the target
_DAYS_PER_YEAR = 365.25
_TABLES_STREAM, _ORDERS_STREAM = 1, 2


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def generate_demo_orders(
    n_lines: int = 50_000,
    *,
    seed: int = 7,
    start: str = DEFAULT_START,
    end: str = DEFAULT_END,
) -> pd.DataFrame:
    """Generate the demo company's order lines (the module docstring tells the story).

    Parameters
    ----------
    n_lines : int, default 50_000
        Approximate number of lines (within a few percent); 10k to 10M are typical.
    seed : int, default 7
        Random seed; the same seed and arguments give an identical frame.
    start, end : str, default "2021-01-01", "2025-12-31"
        The window of order dates; the plan year is the calendar year of ``end``.

    Returns
    -------
    DataFrame
        Columns ``schema.ALL_COLUMNS``: daily ``order_date`` (datetime64[ns]), text as
        ``category``, ``revenue``, ``quantity`` and ``cost`` as float64 (cents);
        sorted by order date, then order id.
    """
    _check_n_lines(n_lines)
    calendar = _Calendar.from_window(start, end)
    company = _build_company(seed, calendar)
    rng = np.random.default_rng([seed, _ORDERS_STREAM])
    curves = _Curves.from_calendar(calendar)
    customers = _draw_customers(rng, n_lines // LINES_PER_CUSTOMER, calendar, company, curves)
    return_rate = _expected_return_rate(customers)
    target = round(n_lines / (1 + return_rate + DUPLICATE_FRACTION))
    orders = _draw_sale_orders(rng, customers, curves, target * _OVERSAMPLE, company)
    sales = _drop_orders_to_target(rng, _draw_sale_lines(rng, orders, customers, curves, company), target)
    del orders  # keep the peak memory down at 10M lines
    lines = _append_returns(rng, sales, customers, calendar, company)
    del sales
    return _assemble_frame(rng, lines, customers, calendar, company)


def demo_side_tables(
    *,
    seed: int = 7,
    start: str = DEFAULT_START,
    end: str = DEFAULT_END,
) -> dict[str, pd.DataFrame]:
    """Return the side tables that go with ``generate_demo_orders`` (same seed, window).

    Parameters
    ----------
    seed : int, default 7
    start, end : str, default "2021-01-01", "2025-12-31"

    Returns
    -------
    dict of DataFrame
        ``reps`` (rep, region, hire_date, leave_date (NaT while employed), capacity:
        monthly visits), ``product_lines`` (product_line, role, launch_date),
        ``regions`` (region, stage), ``channels`` (channel, stage) and ``products``
        (product, product_line, list_price, unit_cost).
    """
    company = _build_company(seed, _Calendar.from_window(start, end))
    return {name: table.copy() for name, table in company.tables.items()}


# --------------------------------------------------------------------------------------
# Validation and the calendar
# --------------------------------------------------------------------------------------


def _check_n_lines(n_lines: object) -> None:
    """Stop with a ParamsError unless ``n_lines`` is an int of at least MIN_LINES."""
    if isinstance(n_lines, bool) or not isinstance(n_lines, (int, np.integer)) or n_lines < MIN_LINES:
        raise ParamsError(
            f"the 'n_lines' parameter of generate_demo_orders must be an int >= {MIN_LINES}; "
            f"got {n_lines!r} instead",
            key="n_lines",
        )


def _parse_day(value: object, name: str) -> np.datetime64:
    """A date-like ``value`` as a day; a ParamsError naming ``name`` otherwise."""
    try:
        return np.datetime64(pd.Timestamp(value).date(), "D")
    except (ValueError, TypeError) as err:
        raise ParamsError(
            f"the '{name}' parameter of the demo company must be a date; got {value!r} instead", key=name
        ) from err


@dataclass(frozen=True)
class _Calendar:
    """The window's days (index 0 = ``start``) and their calendar attributes."""

    start: np.datetime64
    dates: pd.DatetimeIndex
    plan_year_start: int  # day index of 1 January of the plan year

    @classmethod
    def from_window(cls, start: object, end: object) -> _Calendar:
        first, last = _parse_day(start, "start"), _parse_day(end, "end")
        cny_years = [int(d[:4]) for d in CNY_DATES]
        if not (cny_years[0] <= first.astype(object).year and last.astype(object).year < cny_years[-1]):
            raise ParamsError(
                f"the demo company's window must lie within {cny_years[0]}-{cny_years[-1] - 1}; "
                f"got {start} to {end}",
                key="start",
            )
        plan_year_start = np.datetime64(f"{last.astype(object).year}-01-01", "D")
        if (plan_year_start - first).astype(int) < 365:
            raise ParamsError(
                "the demo company needs at least one year of history before the plan year "
                f"(the year of 'end'); got {start} to {end}",
                key="start",
            )
        dates = pd.DatetimeIndex(np.arange(first, last + 1).astype("datetime64[ns]"))
        return cls(first, dates, int((plan_year_start - first).astype(int)))

    @property
    def n_days(self) -> int:
        return len(self.dates)

    def day(self, date: str) -> int:
        """Day index of ``date`` (may lie outside the window)."""
        return int((np.datetime64(pd.Timestamp(date).date(), "D") - self.start).astype(int))

    def years(self) -> np.ndarray:
        """Years since the start, per day."""
        return np.arange(self.n_days) / _DAYS_PER_YEAR

    def plan_year_q2_q3(self) -> np.ndarray:
        """True on the days of April to September of the plan year."""
        in_plan_year = np.arange(self.n_days) >= self.plan_year_start
        return in_plan_year & np.isin(self.dates.month, [4, 5, 6, 7, 8, 9])


# --------------------------------------------------------------------------------------
# The company's fixed tables: reps, products, lines, regions, channels
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Company:
    """Side tables plus the integer arrays the generator works with."""

    tables: dict[str, pd.DataFrame]
    rep_region: np.ndarray
    rep_hire: np.ndarray  # day index (negative = before the window)
    rep_leave: np.ndarray  # day index of the last working day (huge = stays)
    rep_successors: np.ndarray  # (reps, k): reps of the region employed after one leaves
    rep_successor_count: np.ndarray
    product_line: np.ndarray  # line index per product
    list_price: np.ndarray
    unit_cost: np.ndarray
    typical_quantity: np.ndarray
    popularity_cdf: tuple[np.ndarray, ...]  # per line: cumulative popularity of its products
    line_first_product: np.ndarray  # index of each line's first product


_STAYS = 10**6


def _build_company(seed: int, calendar: _Calendar) -> _Company:
    """The fixed tables for ``seed`` (independent of the number of lines)."""
    rng = np.random.default_rng([seed, _TABLES_STREAM])
    reps = _build_reps(rng, calendar)
    products = _build_products(rng)
    rep_hire = np.array([calendar.day(d) for d in reps[schema.REP_HIRE_DATE]])
    rep_leave = np.array([_STAYS if pd.isna(d) else calendar.day(d) for d in reps[schema.REP_LEAVE_DATE]])
    region_index = {spec.name: i for i, spec in enumerate(REGIONS)}
    rep_region = reps[schema.REGION].map(region_index).to_numpy()
    successors, counts = _rep_successors(rep_region, rep_hire, rep_leave)
    line_index = {spec.name: i for i, spec in enumerate(PRODUCT_LINES)}
    product_line = products[schema.PRODUCT_LINE].map(line_index).to_numpy()
    list_price = products["list_price"].to_numpy()
    typical_quantity = np.empty(len(products))
    cdfs, firsts = [], []
    for i, spec in enumerate(PRODUCT_LINES):
        members = np.flatnonzero(product_line == i)
        median_price = np.median(list_price[members])
        typical_quantity[members] = spec.typical_quantity * np.sqrt(median_price / list_price[members])
        popularity = 1.0 / rng.permutation(np.arange(1, len(members) + 1)) ** 0.9
        cdfs.append(np.cumsum(popularity) / popularity.sum())
        firsts.append(members[0])
    tables = {
        "reps": reps,
        "product_lines": pd.DataFrame(
            {
                schema.PRODUCT_LINE: [s.name for s in PRODUCT_LINES],
                schema.ROLE: [s.role for s in PRODUCT_LINES],
                schema.LAUNCH_DATE: pd.to_datetime([s.launch_date for s in PRODUCT_LINES]).astype("datetime64[ns]"),
            }
        ),
        "regions": pd.DataFrame({schema.REGION: [s.name for s in REGIONS], schema.STAGE: [s.stage for s in REGIONS]}),
        "channels": pd.DataFrame({schema.CHANNEL: [s.name for s in CHANNELS], schema.STAGE: [s.stage for s in CHANNELS]}),
        "products": products,
    }
    return _Company(
        tables, rep_region, rep_hire, rep_leave, successors, counts, product_line, list_price,
        products["unit_cost"].to_numpy(), typical_quantity, tuple(cdfs), np.array(firsts),
    )


def _build_reps(rng: np.random.Generator, calendar: _Calendar) -> pd.DataFrame:
    """One row per rep: region, hire and leave dates drawn from the rep's role."""
    rows = []
    for region in REGIONS:
        for role in region.rep_roles:
            hire, leave = _rep_dates(rng, role, calendar.plan_year_start, calendar.n_days)
            capacity = int(rng.integers(85, 101) if role == "anchor" else rng.integers(60, 91))
            rows.append((region.name, hire, leave, capacity))
    frame = pd.DataFrame(rows, columns=[schema.REGION, "hire_day", "leave_day", schema.REP_CAPACITY])
    frame.insert(0, schema.REP, list(REP_NAMES[: len(frame)]))
    start = calendar.start.astype("datetime64[ns]")
    frame[schema.REP_HIRE_DATE] = start + frame["hire_day"].to_numpy().astype("timedelta64[D]")
    leave = frame["leave_day"].to_numpy()
    leave_dates = start + np.where(leave < 0, 0, leave).astype("timedelta64[D]")
    frame[schema.REP_LEAVE_DATE] = pd.Series(leave_dates).where(leave >= 0).astype("datetime64[ns]")
    columns = [schema.REP, schema.REGION, schema.REP_HIRE_DATE, schema.REP_LEAVE_DATE, schema.REP_CAPACITY]
    return frame[columns]


def _rep_dates(rng: np.random.Generator, role: str, plan: int, n_days: int) -> tuple[int, int]:
    """Hire and leave day (leave -1 = still employed) for a rep of ``role``.

    ``plan`` is the day index of the plan year's first day (= days of history).
    """
    before = -int(rng.uniform(0.5, 10.0) * _DAYS_PER_YEAR)
    in_history = int(rng.uniform(0.1, 0.9) * plan)
    in_plan_year = n_days - plan
    if role == "anchor":
        return before, -1
    if role == "leaver":
        return before, in_history
    if role == "joiner":
        return in_history, -1
    if role == "short_stay":
        hire = int(rng.uniform(0.05, 0.4) * plan)
        return hire, hire + int(rng.uniform(0.3, 0.5) * plan)
    if role == "plan_joiner":
        return plan + int(rng.uniform(0.05, 0.55) * in_plan_year), -1
    if role == "plan_leaver":
        return before, plan + int(rng.uniform(0.15, 0.75) * in_plan_year)
    raise ValueError(f"unknown rep role {role!r}; expected one of {REP_ROLES}")


def _rep_successors(region: np.ndarray, hire: np.ndarray, leave: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each rep, the reps of the same region employed on the day after they leave."""
    n = len(region)
    day_after = leave + 1
    eligible = (
        (region[:, None] == region[None, :])
        & (hire[None, :] <= day_after[:, None])
        & (leave[None, :] >= day_after[:, None])
        & ~np.eye(n, dtype=bool)
    )
    counts = eligible.sum(axis=1)
    successors = np.zeros((n, max(1, counts.max())), dtype=np.int64)
    for rep in np.flatnonzero(counts):  # a loop over reps (tens), not over rows
        successors[rep, : counts[rep]] = np.flatnonzero(eligible[rep])
    return successors, counts


def _build_products(rng: np.random.Generator) -> pd.DataFrame:
    """The catalogue: list prices log-uniform in each line's range, cost 55-75 % of price."""
    frames = []
    for spec in PRODUCT_LINES:
        n = len(spec.products)
        low, high = np.log(spec.price_range)
        price = np.round(np.exp(rng.uniform(low, high, n)), -1)
        cost_ratio = np.clip(spec.cost_ratio * rng.uniform(0.94, 1.06, n), 0.55, 0.75)
        frames.append(
            pd.DataFrame(
                {
                    schema.PRODUCT: list(spec.products),
                    schema.PRODUCT_LINE: spec.name,
                    "list_price": price,
                    "unit_cost": np.round(price * cost_ratio, 2),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------
# Daily curves: seasonality, trends, the plan-year surprises, product-line shares
# --------------------------------------------------------------------------------------


def _channel_seasonality(calendar: _Calendar) -> np.ndarray:
    """Relative daily activity per channel, shape (channels, days), mean 1."""
    dates = calendar.dates
    weekday, month, dom = dates.weekday.to_numpy(), dates.month.to_numpy(), dates.day.to_numpy()
    to_cny = _days_to_nearest_cny(calendar)
    cny_dip = _cny_kernel(to_cny)
    rush = (to_cny >= STOCKING_RUSH_DAYS[0]) & (to_cny <= STOCKING_RUSH_DAYS[1])
    quarter_end = np.isin(month, (3, 6, 9)) & (dom >= 21)
    curves = np.ones((len(CHANNELS), calendar.n_days))
    for i, spec in enumerate(CHANNELS):
        curve = curves[i]
        curve[weekday == 5] *= spec.weekend[0]
        curve[weekday == 6] *= spec.weekend[1]
        curve *= 1.0 - spec.cny_depth * cny_dip
        curve[rush] *= spec.stocking_rush
        curve[quarter_end] *= spec.quarter_end_push
        curve[month == 12] *= spec.year_end_push
        if spec.shopping_festivals:
            for fest_month, first, last, factor in ECOMMERCE_FESTIVALS:
                curve[(month == fest_month) & (dom >= first) & (dom <= last)] *= factor
        curve /= curve.mean()
    return curves


def _days_to_nearest_cny(calendar: _Calendar) -> np.ndarray:
    """Signed days from each day to the nearest Chinese New Year."""
    cny = np.array([calendar.day(d) for d in CNY_DATES])
    days = np.arange(calendar.n_days)
    after = np.clip(np.searchsorted(cny, days), 1, len(cny) - 1)
    to_next, to_previous = days - cny[after], days - cny[after - 1]
    return np.where(np.abs(to_next) < np.abs(to_previous), to_next, to_previous)


def _cny_kernel(to_cny: np.ndarray) -> np.ndarray:
    """1 in the full-dip days around CNY, fading linearly to 0 over the taper days."""
    first, last = CNY_FULL_DIP_DAYS
    before, after = CNY_TAPER_DAYS
    rise = np.clip((to_cny - (first - before)) / before, 0.0, 1.0)
    fall = np.clip(((last + after) - to_cny) / after, 0.0, 1.0)
    return np.minimum(rise, fall)


def _region_surprise(calendar: _Calendar) -> np.ndarray:
    """Activity vs trend per region and day, shape (regions, days): the plan-year shortfall."""
    factor = np.ones((len(REGIONS), calendar.n_days))
    name, level = PLAN_YEAR_SHORTFALL
    factor[[r.name for r in REGIONS].index(name), calendar.plan_year_q2_q3()] = level
    return factor


def _line_surprise(calendar: _Calendar) -> np.ndarray:
    """Quantity vs trend per product line and day, shape (lines, days): the plan-year uplift."""
    factor = np.ones((len(PRODUCT_LINES), calendar.n_days))
    name, level = PLAN_YEAR_UPLIFT
    factor[[p.name for p in PRODUCT_LINES].index(name), calendar.plan_year_q2_q3()] = level
    return factor


def _line_weights(calendar: _Calendar) -> np.ndarray:
    """Weight of each product line per channel and day, shape (channels, lines, days).

    Zero before launch; then ``weight * exp(drift * years)``, ramped up after launch.
    """
    years = calendar.years()
    weights = np.zeros((len(PRODUCT_LINES), calendar.n_days))
    for i, spec in enumerate(PRODUCT_LINES):
        since_launch = years - calendar.day(spec.launch_date) / _DAYS_PER_YEAR
        weight = spec.weight * np.exp(spec.drift * years)
        if spec.ramp_years > 0:
            weight = weight * (1.0 - np.exp(-np.clip(since_launch, 0.0, None) / spec.ramp_years))
        weights[i] = np.where(since_launch >= 0, weight, 0.0)
    return CHANNEL_LINE_AFFINITY[:, :, None] * weights[None, :, :]


def _line_share_cdf(weights: np.ndarray) -> np.ndarray:
    """Cumulative share of an order's lines among the lines that are not cross-sold."""
    shares = weights * ~np.array([p.cross_sell for p in PRODUCT_LINES])[None, :, None]
    cdf = np.cumsum(shares, axis=1) / shares.sum(axis=1, keepdims=True)
    cdf[:, -1, :] = 1.0
    return cdf


@dataclass(frozen=True)
class _Curves:
    """Cumulative daily intensities per segment (region x channel), for inverse-CDF sampling.

    ``repeat`` (no trend) places a customer's repeat orders, in years of normal
    activity; ``arrival`` (trend included) places new customers' first orders. Both
    are flattened with an offset per segment so one ``searchsorted`` serves all.
    """

    repeat: np.ndarray  # (segments, days + 1)
    arrival: np.ndarray
    growth: np.ndarray  # log growth per segment and year
    line_cdf: np.ndarray  # (channels, lines, days): share of an order's regular lines
    cross_sell: np.ndarray  # (channels, lines, days): extra lines per order (0 if not cross-sold)
    line_surprise: np.ndarray  # (lines, days)

    @classmethod
    def from_calendar(cls, calendar: _Calendar) -> _Curves:
        """All curves of ``calendar``'s window."""
        season = _channel_seasonality(calendar)
        surprise = _region_surprise(calendar)
        activity = (surprise[:, None, :] * season[None, :, :]).reshape(-1, calendar.n_days)
        growth = (
            np.log1p([r.growth for r in REGIONS])[:, None] + np.log1p([c.drift for c in CHANNELS])[None, :]
        ).ravel()
        trend = np.exp(growth[:, None] * calendar.years()[None, :])
        weights = _line_weights(calendar)
        cross_sold = np.array([p.cross_sell for p in PRODUCT_LINES])[None, :, None]
        return cls(
            _cumulate(activity / _DAYS_PER_YEAR),
            _cumulate(activity * trend),
            growth,
            _line_share_cdf(weights),
            weights * cross_sold,
            _line_surprise(calendar),
        )


def _cumulate(intensity: np.ndarray) -> np.ndarray:
    """Cumulative sums along days with a leading 0: entry d is the mass before day d."""
    out = np.zeros((intensity.shape[0], intensity.shape[1] + 1))
    np.cumsum(intensity, axis=1, out=out[:, 1:])
    return out


def _sample_days(cumulative: np.ndarray, segment: np.ndarray, low: np.ndarray, high: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
    """Draw a day in ``[low, high)`` per row, with probability proportional to intensity."""
    n_segments, width = cumulative.shape
    offset = cumulative[:, -1].max() + 1.0
    flat = (cumulative + offset * np.arange(n_segments)[:, None]).ravel()
    lo = cumulative[segment, low]
    target = lo + rng.random(len(segment)) * (cumulative[segment, high] - lo) + offset * segment
    day = np.searchsorted(flat, target, side="right") - 1 - width * segment
    return np.clip(day, low, high - 1).astype(np.int32)


# --------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Customers:
    """One entry per customer, numbered by acquisition (existing customers first)."""

    region: np.ndarray
    channel: np.ndarray
    is_new: np.ndarray  # acquired inside the window (first order on first_day)
    first_day: np.ndarray  # acquisition day (0 for existing customers)
    end_day: np.ndarray  # first day after churn (n_days if still a customer)
    order_rate: np.ndarray  # orders per year of normal activity, before scaling
    order_size: np.ndarray  # quantity multiplier
    discount: np.ndarray
    first_rep: np.ndarray  # rep owning the account on first_day
    handover_draw: np.ndarray  # uniform draw picking the successor rep when one leaves

    @property
    def segment(self) -> np.ndarray:
        return self.region.astype(np.int64) * len(CHANNELS) + self.channel


def _segment_counts(n_customers: int, calendar: _Calendar, growth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Existing and newly acquired customers per segment, a growing steady state.

    A segment whose customer base grows at log rate g with churn hazard h holds
    N0 customers at the start and acquires N0 (g + h) e^(g t) a year thereafter.
    """
    stock = np.outer([r.share for r in REGIONS], [c.customer_share for c in CHANNELS]).ravel()
    churn = np.tile([c.churn for c in CHANNELS], len(REGIONS))
    span = calendar.n_days / _DAYS_PER_YEAR
    safe_growth = np.where(np.abs(growth) < 1e-9, 1e-9, growth)
    acquired = stock * (growth + churn) * np.expm1(safe_growth * span) / safe_growth
    scale = n_customers / (stock + acquired).sum()
    return np.round(stock * scale).astype(np.int64), np.round(acquired * scale).astype(np.int64)


def _draw_customers(rng: np.random.Generator, n_customers: int, calendar: _Calendar,
                    company: _Company, curves: _Curves) -> _Customers:
    """Existing and new customers: segment, acquisition, churn, value, first rep."""
    n_stock, n_new = _segment_counts(n_customers, calendar, curves.growth)
    segment = np.concatenate([np.repeat(np.arange(len(n_stock)), n_stock), np.repeat(np.arange(len(n_new)), n_new)])
    is_new = np.repeat([False, True], [n_stock.sum(), n_new.sum()])
    zeros = np.zeros(len(segment), dtype=np.int32)
    first_day = np.where(is_new, _sample_days(curves.arrival, segment, zeros, zeros + calendar.n_days, rng), 0)
    order = np.lexsort((rng.random(len(segment)), first_day, is_new))  # ids by acquisition
    segment, is_new, first_day = segment[order], is_new[order], first_day[order]
    region, channel = np.divmod(segment, len(CHANNELS))
    value = np.exp(CUSTOMER_VALUE_SIGMA * rng.standard_normal(len(segment)))
    hazard = _channel_array("churn")[channel]
    lifetime = np.ceil(rng.exponential(1.0 / hazard) * _DAYS_PER_YEAR).astype(np.int64)
    end_day = np.minimum(first_day + np.maximum(lifetime, 1), calendar.n_days)
    discount = _channel_array("discount")[channel] + 0.02 * np.clip(np.log(value), -2.0, 3.0)
    return _Customers(
        region=region.astype(np.int8),
        channel=channel.astype(np.int8),
        is_new=is_new,
        first_day=first_day.astype(np.int32),
        end_day=end_day.astype(np.int32),
        order_rate=_channel_array("order_rate")[channel] * value**VALUE_TO_ORDER_RATE,
        order_size=_channel_array("order_size")[channel] * value ** (1.0 - VALUE_TO_ORDER_RATE),
        discount=np.clip(discount, 0.0, 0.35),
        first_rep=_assign_first_reps(rng, region, first_day, company),
        handover_draw=rng.random(len(segment)),
    )


def _channel_array(field: str) -> np.ndarray:
    """One ``ChannelSpec`` field for every channel, as a float array."""
    return np.array([getattr(c, field) for c in CHANNELS], dtype=float)


def _assign_first_reps(rng: np.random.Generator, region: np.ndarray, day: np.ndarray,
                       company: _Company) -> np.ndarray:
    """A rep of the customer's region employed on ``day``, uniformly at random."""
    rep = np.zeros(len(region), dtype=np.int8)
    draw = rng.random(len(region))
    for r in range(len(REGIONS)):  # a loop over regions, not rows
        rows = np.flatnonzero(region == r)
        members = np.flatnonzero(company.rep_region == r)
        employed = (company.rep_hire[members] <= day[rows, None]) & (company.rep_leave[members] >= day[rows, None])
        rank = (draw[rows] * employed.sum(axis=1)).astype(np.int64)
        position = np.argmax(np.cumsum(employed, axis=1) > rank[:, None], axis=1)
        rep[rows] = members[position]
    return rep


def _rep_on(customers: _Customers, customer: np.ndarray, day: np.ndarray, company: _Company) -> np.ndarray:
    """The rep owning ``customer``'s account on ``day``: hand-overs follow leave dates."""
    rep = customers.first_rep[customer].astype(np.int64)
    draw = customers.handover_draw[customer]
    moved = np.flatnonzero(day > company.rep_leave[rep])
    while moved.size:  # one pass per hand-over generation (a few), not per row
        previous = rep[moved]
        pick = (draw[moved] * company.rep_successor_count[previous]).astype(np.int64)
        rep[moved] = company.rep_successors[previous, pick]
        moved = moved[day[moved] > company.rep_leave[rep[moved]]]
    return rep.astype(np.int8)


def _ramp_factor(rep: np.ndarray, day: np.ndarray, company: _Company) -> np.ndarray:
    """Share of a tenured rep's sales that a rep closes on ``day`` (RAMP_UP)."""
    month = (day - company.rep_hire[rep]) // 30
    return np.asarray(RAMP_UP)[np.clip(month, 0, len(RAMP_UP) - 1)]


def _expected_return_rate(customers: _Customers) -> float:
    """Expected returns per sale line, given the customers' channels and order rates."""
    channel_lines = np.bincount(customers.channel, weights=customers.order_rate, minlength=len(CHANNELS))
    channel_lines *= 1.0 + _channel_array("extra_lines")
    return float((channel_lines * _channel_array("return_rate")).sum() / channel_lines.sum())


# --------------------------------------------------------------------------------------
# Orders and lines
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Orders:
    customer: np.ndarray  # int32
    day: np.ndarray  # int32
    rep: np.ndarray  # int8


@dataclass(frozen=True)
class _Lines:
    """Order lines, grouped by ``order`` (ascending), in compact dtypes."""

    order: np.ndarray  # int32
    customer: np.ndarray  # int32
    day: np.ndarray  # int32
    rep: np.ndarray  # int8
    product: np.ndarray  # int16
    quantity: np.ndarray  # int32, negative for returns
    unit_price: np.ndarray  # float64, net of discount

    def take(self, rows: np.ndarray, **changes: np.ndarray) -> _Lines:
        """The lines at ``rows``, with some fields replaced by ``changes``."""
        return _Lines(**{
            name: changes[name] if name in changes else getattr(self, name)[rows]
            for name in self.__dataclass_fields__
        })

    def __len__(self) -> int:
        return len(self.order)


def _draw_sale_orders(rng: np.random.Generator, customers: _Customers, curves: _Curves,
                      target_lines: float, company: _Company) -> _Orders:
    """First orders of new customers plus Poisson repeat orders, thinned by rep ramp-up."""
    segment = customers.segment
    low = customers.first_day + customers.is_new  # repeat orders start the day after acquisition
    high = np.maximum(customers.end_day, low)
    exposure = curves.repeat[segment, high] - curves.repeat[segment, low]
    lines_per_order = 1.0 + _channel_array("extra_lines")[customers.channel]
    first_lines = (lines_per_order * customers.is_new).sum()
    scale = max(target_lines - first_lines, 0.0) / (lines_per_order * customers.order_rate * exposure).sum()
    n_repeat = rng.poisson(scale * customers.order_rate * exposure)
    repeat = np.repeat(np.arange(len(segment), dtype=np.int32), n_repeat)
    customer = np.concatenate([np.flatnonzero(customers.is_new).astype(np.int32), repeat])
    day = np.concatenate([
        customers.first_day[customers.is_new],
        _sample_days(curves.repeat, segment[repeat], low[repeat], high[repeat], rng),
    ])
    rep = _rep_on(customers, customer, day, company)
    kept = rng.random(len(day)) < _ramp_factor(rep, day, company)
    return _Orders(customer[kept], day[kept], rep[kept])


def _draw_sale_lines(rng: np.random.Generator, orders: _Orders, customers: _Customers,
                     curves: _Curves, company: _Company) -> _Lines:
    """Lines per order, product line by date and channel, product, quantity and price.

    An order has 1 + Poisson(extra_lines) regular lines, their product lines drawn by
    share, plus Poisson(weight) lines of each cross-sold line.
    """
    channel = customers.channel[orders.customer]
    n_regular = 1 + rng.poisson(_channel_array("extra_lines")[channel])
    order = np.repeat(np.arange(len(orders.day), dtype=np.int32), n_regular)
    line = _pick_lines(rng, curves.line_cdf, channel[order], orders.day[order])
    orders_parts, line_parts = [order], [line]
    for i in np.flatnonzero([p.cross_sell for p in PRODUCT_LINES]):  # a loop over lines
        extra = rng.poisson(curves.cross_sell[channel, i, orders.day])
        orders_parts.append(np.repeat(np.arange(len(orders.day), dtype=np.int32), extra))
        line_parts.append(np.full(extra.sum(), i, dtype=np.int8))
    order, line = np.concatenate(orders_parts), np.concatenate(line_parts)
    del orders_parts, line_parts
    product = _pick_products(rng, line, company)
    quantity = _draw_quantities(rng, orders.customer[order], orders.day[order], line, product, customers,
                                curves, company)
    del line
    order, product, quantity = _merge_repeated_products(order, product, quantity)
    customer = orders.customer[order]
    discount = customers.discount[customer] + rng.uniform(-0.015, 0.015, len(order))
    unit_price = np.round(company.list_price[product] * (1.0 - np.clip(discount, 0.0, None)), 2)
    return _Lines(order, customer, orders.day[order], orders.rep[order], product, quantity, unit_price)


def _pick_lines(rng: np.random.Generator, line_cdf: np.ndarray, channel: np.ndarray, day: np.ndarray) -> np.ndarray:
    """A product line per row, by the channel's shares on the row's day."""
    draw = rng.random(len(day))
    line = np.zeros(len(day), dtype=np.int8)
    for i in range(line_cdf.shape[1] - 1):  # a loop over product lines
        line += draw >= line_cdf[channel, i, day]
    return line


def _pick_products(rng: np.random.Generator, line: np.ndarray, company: _Company) -> np.ndarray:
    """A product of each row's line, by the products' popularity."""
    draw = rng.random(len(line))
    product = np.zeros(len(line), dtype=np.int16)
    for i, cdf in enumerate(company.popularity_cdf):  # a loop over product lines
        rows = np.flatnonzero(line == i)
        rank = np.minimum(np.searchsorted(cdf, draw[rows], side="right"), len(cdf) - 1)
        product[rows] = company.line_first_product[i] + rank
    return product


def _draw_quantities(rng: np.random.Generator, customer: np.ndarray, day: np.ndarray, line: np.ndarray,
                     product: np.ndarray, customers: _Customers, curves: _Curves,
                     company: _Company) -> np.ndarray:
    """1 + Poisson units: more for big customers, cheap products and the plan-year uplift."""
    mean = customers.order_size[customer] * company.typical_quantity[product]
    mean *= curves.line_surprise[line, day]
    mean -= 1.0
    return (1 + rng.poisson(np.maximum(mean, 0.0, out=mean))).astype(np.int32)


def _merge_repeated_products(order: np.ndarray, product: np.ndarray,
                             quantity: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One line per order and product (quantities summed): no accidental duplicates."""
    key = order.astype(np.int64) * (int(product.max()) + 1) + product
    ranked = np.argsort(key, kind="stable")
    key = key[ranked]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    del key
    summed = np.add.reduceat(quantity[ranked], first).astype(np.int32)
    rows = ranked[first]
    return order[rows], product[rows], summed


def _drop_orders_to_target(rng: np.random.Generator, lines: _Lines, target: int) -> _Lines:
    """Drop whole random orders until about ``target`` lines are left."""
    sizes = np.bincount(lines.order)
    excess = len(lines) - target
    if excess <= 0:
        return lines
    shuffled = rng.permutation(len(sizes))
    n_drop = int(np.searchsorted(np.cumsum(sizes[shuffled]), excess)) + 1
    kept_order = np.ones(len(sizes), dtype=bool)
    kept_order[shuffled[:n_drop]] = False
    new_index = (np.cumsum(kept_order) - 1).astype(np.int32)
    rows = np.flatnonzero(kept_order[lines.order])
    return lines.take(rows, order=new_index[lines.order[rows]])


def _append_returns(rng: np.random.Generator, sales: _Lines, customers: _Customers,
                    calendar: _Calendar, company: _Company) -> _Lines:
    """Add returns of part of earlier sale lines, each booked as its own later order."""
    rate = _channel_array("return_rate")[customers.channel[sales.customer]]
    delay = 3 + rng.geometric(1.0 / MEAN_RETURN_DELAY_DAYS, len(sales))
    returned = np.flatnonzero((rng.random(len(sales)) < rate) & (sales.day + delay < calendar.n_days))
    del rate
    day = (sales.day[returned] + delay[returned]).astype(np.int32)
    del delay
    quantity = 1 + np.floor(rng.random(len(returned)) * sales.quantity[returned]).astype(np.int32)
    customer = sales.customer[returned]
    first_order = int(sales.order.max()) + 1
    returns = sales.take(
        returned,
        order=np.arange(first_order, first_order + len(returned), dtype=np.int32),
        day=day,
        rep=_rep_on(customers, customer, day, company),
        quantity=-quantity,
    )
    return _Lines(**{
        name: np.concatenate([getattr(sales, name), getattr(returns, name)])
        for name in sales.__dataclass_fields__
    })


# --------------------------------------------------------------------------------------
# The frame
# --------------------------------------------------------------------------------------


def _assemble_frame(rng: np.random.Generator, lines: _Lines, customers: _Customers,
                    calendar: _Calendar, company: _Company) -> pd.DataFrame:
    """Number orders by date, add the duplicate lines, and build the categorical frame."""
    order_number, ranked = _number_orders(rng, lines)
    duplicates = np.sort(rng.choice(len(ranked), round(DUPLICATE_FRACTION * len(ranked)), replace=False))
    rows = ranked[np.sort(np.concatenate([np.arange(len(ranked)), duplicates]), kind="stable")]
    n_orders = len(order_number)
    del ranked, duplicates
    order_ids = _numbered_ids("SO", order_number[lines.order[rows]], n_orders, 7)
    del order_number
    customer = lines.customer[rows]
    quantity = lines.quantity[rows].astype(np.float64)
    product = lines.product[rows]
    tables = company.tables
    columns = {
        schema.ORDER_DATE: (calendar.start + lines.day[rows].astype("timedelta64[D]")).astype("datetime64[ns]"),
        schema.ORDER_ID: order_ids,
        schema.CUSTOMER_ID: _customer_ids(customer, len(customers.region)),
        schema.REVENUE: np.round(quantity * lines.unit_price[rows], 2),
        schema.PRODUCT_LINE: _categorical(company.product_line[product], tables["product_lines"][schema.PRODUCT_LINE]),
        schema.REGION: _categorical(customers.region[customer], tables["regions"][schema.REGION]),
        schema.CHANNEL: _categorical(customers.channel[customer], tables["channels"][schema.CHANNEL]),
        schema.REP: _categorical(lines.rep[rows], tables["reps"][schema.REP]),
        schema.PRODUCT: _categorical(product, tables["products"][schema.PRODUCT]),
        schema.QUANTITY: quantity,
        schema.COST: np.round(quantity * company.unit_cost[product], 2),
    }
    return pd.DataFrame(columns, copy=False)  # copy=False: no block consolidation copy


def _number_orders(rng: np.random.Generator, lines: _Lines) -> tuple[np.ndarray, np.ndarray]:
    """Number orders by day (random within a day); rank lines by that number.

    Returns each order's 0-based number and the line indices in number order (lines
    of one order keep their relative order). Counting sorts, O(n): ``lines`` are
    grouped by ``order`` already.
    """
    sizes = np.bincount(lines.order)
    first_line = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    order_day = lines.day[first_line].astype(np.int16)  # int16: numpy radix-sorts it
    shuffled = rng.permutation(len(sizes))
    by_day = shuffled[np.argsort(order_day[shuffled], kind="stable")]
    order_number = np.empty(len(sizes), dtype=np.int32)
    order_number[by_day] = np.arange(len(sizes), dtype=np.int32)
    start = np.concatenate([[0], np.cumsum(sizes[by_day])[:-1]])  # first row of each number
    position = np.arange(len(lines.order)) - first_line[lines.order]
    ranked = np.empty(len(lines.order), dtype=np.int64)
    ranked[start[order_number[lines.order]] + position] = np.arange(len(lines.order))
    return order_number, ranked


def _categorical(codes: np.ndarray, categories: pd.Series) -> pd.Categorical:
    """A categorical over all of a side table's values (used or not, same for every size)."""
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories.astype(str)))


def _numbered_ids(prefix: str, codes: np.ndarray, n_ids: int, min_width: int) -> pd.Categorical:
    """Ids ``prefix`` + zero-padded 1-based number (``codes`` index them from 0).

    Written as a byte matrix, digit by digit, so millions of ids cost seconds, not minutes.
    """
    width = max(min_width, len(str(n_ids)))
    number = np.arange(1, n_ids + 1, dtype=np.int64)
    text = np.empty((n_ids, len(prefix) + width), dtype=np.uint8)
    text[:, : len(prefix)] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    for place in range(width):  # a loop over digit places
        text[:, -1 - place] = number // 10**place % 10 + ord("0")
    ids = pa.array(text.view(f"S{text.shape[1]}").ravel()).cast(pa.string())
    return pd.Categorical.from_codes(codes, categories=pd.Index(pd.array(ids, dtype="str")))


def _customer_ids(customer: np.ndarray, n_customers: int) -> pd.Categorical:
    """Customer ids numbered by acquisition, only over customers that have lines."""
    used = np.bincount(customer, minlength=n_customers) > 0
    code = (np.cumsum(used) - 1).astype(np.int32)
    return _numbered_ids("C", code[customer], int(used.sum()), 6)
