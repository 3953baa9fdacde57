"""The demo company's fixed description: its regions, channels, product lines and reps.

Readable generation parameters (the specs) and the constants of the story: the default
window, the Chinese New Year dates and e-commerce festivals, the plan-year surprises,
rep ramp-up, customer value, returns and the duplicate-line fraction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planlib.calendars import spring_festival_dates

DEFAULT_START = "2021-01-01"
DEFAULT_END = "2025-12-31"
MIN_LINES = 1_000


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
