"""Annual target: growth, forecast quantile or amount, checked against company constraints.

Each option and step states its probability of being reached under the simulated year totals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from planlib.checks import require_number
from planlib.errors import ParamsError
from planlib.targets._common import AMOUNT, BASELINE, GROWTH, PROBABILITY, _paths, _reach
from planlib.i18n import _, fmt_amount, value_label


def compare_target_options(
    year_total_paths: np.ndarray | Sequence[float],
    *,
    last_year: float,
    growth: float | None = None,
    quantile: float | None = None,
    amount: float | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """The three ways to set the annual target, side by side.

    Parameters
    ----------
    year_total_paths : array of float
        Simulated annual totals of the Total series (e.g. 1000 draws).
    last_year : float
        Last year's actual total (> 0 to express growth).
    growth, quantile, amount : float, optional
        A growth over last year (0.08 = +8 %), a quantile of the simulated annual total
        (0.7 = P70, reached with probability about 0.3) and a fixed amount; give any.
    unit : int, default 1
        Amounts are rounded half up to this unit.

    Returns
    -------
    DataFrame
        One row per option given: ``method, setting, amount, growth, probability``
        (``probability`` = share of paths reaching the amount).
    """
    where = "compare_target_options"
    paths = _paths(year_total_paths, where)
    last = require_number(last_year, "last_year", where, low=0.0)
    rows = []
    for method, setting in (("growth", growth), ("quantile", quantile), ("amount", amount)):
        if setting is None:
            continue
        value = _proposed_amount(method, setting, paths, last, unit, where)
        rows.append(
            {
                "method": method,
                "setting": float(setting),
                AMOUNT: value,
                GROWTH: value / last - 1 if last > 0 else np.nan,
                PROBABILITY: _reach(paths, value),
            }
        )
    if not rows:
        raise ParamsError(
            f"{where} needs at least one of 'growth', 'quantile' or 'amount'", key="growth"
        )
    return pd.DataFrame(rows)


def _proposed_amount(method: str, value: float, paths: np.ndarray, last: float, unit: int,
                     where: str) -> int:
    if method == "growth":
        g = require_number(value, "growth", where, low=-1.0)
        if last <= 0:
            raise ParamsError(
                f"the 'last_year' parameter of {where} must be positive to set a target by "
                f"growth; got {last}",
                key="last_year",
            )
        raw = last * (1 + g)
    elif method == "quantile":
        q = require_number(value, "quantile", where, low=0.0, high=1.0)
        raw = float(np.quantile(paths, q))
    elif method == "amount":
        raw = require_number(value, "amount", where, low=0.0)
    else:
        raise ParamsError(
            f"the 'method' parameter of {where} must be 'growth', 'quantile' or 'amount'; "
            f"got {method!r} instead",
            key="method",
        )
    return int(math.floor(raw / unit + 0.5)) * unit


def set_annual_target(
    year_total_paths: np.ndarray | Sequence[float],
    *,
    last_year: float,
    method: Literal["growth", "quantile", "amount"],
    value: float,
    min_growth: float | None = None,
    min_strategic_share: float | None = None,
    strategic_amount: float | None = None,
    market_size: float | None = None,
    min_market_share: float | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Set the annual target and check it against the company constraints.

    The target proposed by ``method`` is raised, if needed, to the largest amount a
    constraint forces (minimum growth; minimum market share of ``market_size``). The
    strategic-share constraint does not move the total: it says how much of it the
    strategic product lines must carry (pass ``min_share={"strategic": ...}`` to
    :func:`allocate_by_role` to enforce it).

    Parameters
    ----------
    year_total_paths : array of float
        Simulated annual totals of the Total series.
    last_year : float
        Last year's actual total.
    method : {"growth", "quantile", "amount"}
        How ``value`` is read: growth over last year, quantile of the annual total
        (0.7 = P70), or the amount itself.
    value : float
        The setting for ``method``.
    min_growth : float, optional
        Minimum growth over last year the company requires.
    min_strategic_share : float, optional
        Minimum share (0-1) of the target carried by strategic (new) product lines.
    strategic_amount : float, optional
        What the strategic lines are planned to sell (e.g. their forecast times the
        strategic role growth), to check the share against.
    market_size : float, optional
        Next year's market size in the plan currency.
    min_market_share : float, optional
        Market share (0-1) the target must reach; needs ``market_size``.
    unit : int, default 1
        Amounts are whole multiples of this unit (raises round up).

    Returns
    -------
    DataFrame
        Rows ``step`` = ``"proposed"``, one per constraint given (``"min_growth"``,
        ``"market_share"``, ``"strategic_share"``) and ``"final"``; columns
        ``step, amount, baseline, growth, probability, requirement, holds, note``.
        A constraint row's ``amount`` is the amount it requires, ``holds`` whether the
        proposal met it; the final row's ``amount`` is the target (a whole number).
    """
    where = "set_annual_target"
    paths = _paths(year_total_paths, where)
    last = require_number(last_year, "last_year", where, low=0.0)
    if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or unit < 1:
        raise ParamsError(f"the 'unit' parameter of {where} must be a positive integer; got {unit!r}",
                          key="unit")
    proposed = _proposed_amount(method, value, paths, last, unit, where)

    def view(amount: float) -> dict[str, float]:
        return {
            AMOUNT: amount,
            BASELINE: last,
            GROWTH: amount / last - 1 if last > 0 else np.nan,
            PROBABILITY: _reach(paths, amount),
        }

    money = fmt_amount
    label = {"growth": _("growth {growth}").format(growth=f"{value:+.1%}"),
             "quantile": _("P{percent} of the forecast").format(percent=f"{round(float(value) * 100):d}"),
             "amount": _("fixed amount")}[method]
    rows = [{"step": "proposed", **view(proposed), "requirement": np.nan, "holds": pd.NA,
             "note": _("{label}: {amount}").format(label=label, amount=money(proposed))}]
    floor_amount, raised_by = proposed, []
    if min_growth is not None:
        g = require_number(min_growth, "min_growth", where, low=-1.0)
        if last <= 0:
            raise ParamsError(f"the 'last_year' parameter of {where} must be positive to apply "
                              f"'min_growth'; got {last}", key="last_year")
        need = int(math.ceil(last * (1 + g) / unit - 1e-9)) * unit
        holds = proposed >= need
        note = (_("proposal meets the minimum growth {growth} ({need})") if holds else
                _("proposal {proposed} is below the minimum growth {growth}: target raised to {need}")).format(
            growth=f"{g:.1%}", need=money(need), proposed=money(proposed))
        rows.append({"step": "min_growth", **view(need), "requirement": g, "holds": holds,
                     "note": note})
        if need > floor_amount:
            floor_amount, raised_by = need, [*raised_by, "min_growth"]
    if min_market_share is not None or market_size is not None:
        if market_size is None:
            raise ParamsError(f"the 'min_market_share' parameter of {where} needs 'market_size'",
                              key="market_size")
        size = require_number(market_size, "market_size", where, low=0.0, low_open=True)
        if min_market_share is None:
            rows.append({"step": "market_share", **view(proposed), "requirement": np.nan,
                         "holds": pd.NA,
                         "note": _("proposal is {share} of a {size} market").format(share=f"{proposed / size:.1%}", size=money(size))})
        else:
            s = require_number(min_market_share, "min_market_share", where, low=0.0, high=1.0)
            need = int(math.ceil(size * s / unit - 1e-9)) * unit
            holds = proposed >= need
            note = (_("proposal is {share} of the market, meeting {minimum}") if holds
                    else _("proposal is {share} of the market, below {minimum}: target raised to {need}")).format(
                share=f"{proposed / size:.1%}", minimum=f"{s:.1%}", need=money(need))
            rows.append({"step": "market_share", **view(need), "requirement": s, "holds": holds,
                         "note": note})
            if need > floor_amount:
                floor_amount, raised_by = need, [*raised_by, "market_share"]
    final = floor_amount
    if min_strategic_share is not None:
        z = require_number(min_strategic_share, "min_strategic_share", where, low=0.0, high=1.0)
        need = int(math.ceil(final * z / unit - 1e-9)) * unit
        if strategic_amount is None:
            holds, note = pd.NA, _("strategic lines must carry at least {need} ({share} of the target); "
                                   "the product-line split lifts them toward it").format(need=money(need), share=f"{z:.0%}")
        else:
            planned = require_number(strategic_amount, "strategic_amount", where, low=0.0)
            holds = planned >= need
            note = (_("strategic lines planned at {planned} = {share} of the target, meeting the minimum {minimum}") if holds else
                    _("strategic lines planned at {planned} = {share} of the target, below the minimum {minimum}: "
                      "they must carry {need}, {more} more; the product-line split lifts them as far as their probability band allows")).format(
                planned=money(planned), share=f"{planned / final:.1%}", minimum=f"{z:.0%}", need=money(need), more=money(need - planned))
        rows.append({"step": "strategic_share", AMOUNT: need, BASELINE: last,
                     GROWTH: np.nan, PROBABILITY: np.nan, "requirement": z, "holds": holds,
                     "note": note})
    note = (_("target = proposal") if not raised_by else
            _("target raised from {proposed} to {final} by {rule}").format(proposed=money(proposed), final=money(final), rule=value_label("step", raised_by[-1])))
    rows.append({"step": "final", **view(final), "requirement": np.nan, "holds": pd.NA,
                 "note": note})
    out = pd.DataFrame(rows)
    out["holds"] = out["holds"].astype("boolean")
    return out
