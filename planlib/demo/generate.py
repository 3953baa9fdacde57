"""The public API: ``generate_demo_orders`` and ``demo_side_tables``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib.demo.company import (
    _ORDERS_STREAM,
    _OVERSAMPLE,
    DEFAULT_END,
    DEFAULT_START,
    DUPLICATE_FRACTION,
    LINES_PER_CUSTOMER,
    MIN_LINES,
)
from planlib.demo.curves import _Curves
from planlib.demo.customers import _draw_customers, _expected_return_rate
from planlib.demo.frame import _assemble_frame
from planlib.demo.orders import _append_returns, _draw_sale_lines, _draw_sale_orders, _drop_orders_to_target
from planlib.demo.tables import _build_company
from planlib.demo.window import _Calendar
from planlib.errors import ParamsError


def generate_demo_orders(
    n_lines: int = 50_000,
    *,
    seed: int = 7,
    start: str = DEFAULT_START,
    end: str = DEFAULT_END,
) -> pd.DataFrame:
    """Generate the demo company's order lines (the package docstring tells the story).

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


def _check_n_lines(n_lines: object) -> None:
    """Stop with a ParamsError unless ``n_lines`` is an int of at least MIN_LINES."""
    if isinstance(n_lines, bool) or not isinstance(n_lines, (int, np.integer)) or n_lines < MIN_LINES:
        raise ParamsError(
            f"the 'n_lines' parameter of generate_demo_orders must be an int >= {MIN_LINES}; "
            f"got {n_lines!r} instead",
            key="n_lines",
        )
