"""Orders and order lines: sale orders, their lines (product, quantity, price), returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planlib.demo.company import MEAN_RETURN_DELAY_DAYS, PRODUCT_LINES
from planlib.demo.curves import _Curves, _sample_days
from planlib.demo.customers import _channel_array, _Customers, _ramp_factor, _rep_on
from planlib.demo.tables import _Company
from planlib.demo.window import _Calendar


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
