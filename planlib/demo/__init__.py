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

from planlib.demo.company import (
    CHANNELS,
    CHANNEL_LINE_AFFINITY,
    CNY_DATES,
    CNY_FULL_DIP_DAYS,
    CNY_TAPER_DAYS,
    CUSTOMER_VALUE_SIGMA,
    ChannelSpec,
    DEFAULT_END,
    DEFAULT_START,
    DUPLICATE_FRACTION,
    ECOMMERCE_FESTIVALS,
    LINES_PER_CUSTOMER,
    MEAN_RETURN_DELAY_DAYS,
    MIN_LINES,
    PLAN_YEAR_SHORTFALL,
    PLAN_YEAR_UPLIFT,
    PRODUCT_LINES,
    ProductLineSpec,
    RAMP_UP,
    REGIONS,
    REP_NAMES,
    REP_ROLES,
    RegionSpec,
    STOCKING_RUSH_DAYS,
    VALUE_TO_ORDER_RATE,
)
from planlib.demo.generate import demo_side_tables, generate_demo_orders

__all__ = [
    "CHANNELS",
    "CHANNEL_LINE_AFFINITY",
    "CNY_DATES",
    "CNY_FULL_DIP_DAYS",
    "CNY_TAPER_DAYS",
    "CUSTOMER_VALUE_SIGMA",
    "ChannelSpec",
    "DEFAULT_END",
    "DEFAULT_START",
    "DUPLICATE_FRACTION",
    "ECOMMERCE_FESTIVALS",
    "LINES_PER_CUSTOMER",
    "MEAN_RETURN_DELAY_DAYS",
    "MIN_LINES",
    "PLAN_YEAR_SHORTFALL",
    "PLAN_YEAR_UPLIFT",
    "PRODUCT_LINES",
    "ProductLineSpec",
    "RAMP_UP",
    "REGIONS",
    "REP_NAMES",
    "REP_ROLES",
    "RegionSpec",
    "STOCKING_RUSH_DAYS",
    "VALUE_TO_ORDER_RATE",
    "demo_side_tables",
    "generate_demo_orders",
]
