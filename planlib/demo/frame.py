"""The frame: orders numbered by date, the duplicate lines added, categorical columns and ids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from planlib import schema
from planlib.demo.company import DUPLICATE_FRACTION
from planlib.demo.customers import _Customers
from planlib.demo.orders import _Lines
from planlib.demo.tables import _Company
from planlib.demo.window import _Calendar


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
