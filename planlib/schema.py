"""Column names and types of the canonical frames every stage passes around.

One place to look up what a column is called, so stages never guess.
"""

from __future__ import annotations

# The canonical order-line frame (DESIGN.md, "Data contract").
ORDER_DATE = "order_date"
ORDER_ID = "order_id"
CUSTOMER_ID = "customer_id"
REVENUE = "revenue"
PRODUCT_LINE = "product_line"
REGION = "region"
CHANNEL = "channel"
REP = "rep"
PRODUCT = "product"
QUANTITY = "quantity"
COST = "cost"

REQUIRED_COLUMNS: tuple[str, ...] = (
    ORDER_DATE,
    ORDER_ID,
    CUSTOMER_ID,
    REVENUE,
    PRODUCT_LINE,
    REGION,
)
OPTIONAL_COLUMNS: tuple[str, ...] = (CHANNEL, REP, PRODUCT, QUANTITY, COST)
ALL_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# Source columns that data.columns may map although the frame has no such column: cost is derived from them.
COST_SOURCES: tuple[str, ...] = ("profit", "margin")

# Text columns are held as pandas ``category`` (memory at 10M lines); numbers as float64.
CATEGORY_COLUMNS: tuple[str, ...] = (
    ORDER_ID,
    CUSTOMER_ID,
    PRODUCT_LINE,
    REGION,
    CHANNEL,
    REP,
    PRODUCT,
)
FLOAT_COLUMNS: tuple[str, ...] = (REVENUE, QUANTITY, COST)

# Segment dimensions a plan can forecast, target and track by.
SEGMENT_DIMENSIONS: tuple[str, ...] = (PRODUCT_LINE, REGION, CHANNEL, REP)

# The long forecasting frame (statsforecast's convention): one row per series and month.
UNIQUE_ID = "unique_id"
DS = "ds"
Y = "y"
TOTAL_ID = "Total"

# Side tables.
REP_HIRE_DATE = "hire_date"
REP_LEAVE_DATE = "leave_date"
REP_CAPACITY = "capacity"
ROLE = "role"  # product-line role: mature / strategic / potential
STAGE = "stage"  # region / channel stage: mature / growth / emerging
LAUNCH_DATE = "launch_date"

# A seat 04's hiring plan adds beside the reps: it carries quota and checkpoints like a rep.
HIRE_SEAT = "(hire) {region} {k}"
HIRE_SEAT_PREFIX = HIRE_SEAT.split("{")[0]  # "(hire) "

PRODUCT_ROLES: tuple[str, ...] = ("mature", "strategic", "potential")
MARKET_STAGES: tuple[str, ...] = ("mature", "growth", "emerging")
