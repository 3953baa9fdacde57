"""Exact splitting machinery: proportional splits, iterative proportional fitting and
rounding to the currency unit such that every part adds up exactly to its parent.

The planning rules live in :mod:`planlib.targets`; this package only knows numbers.

Rounding rules
--------------
* 1-D (:func:`round_preserving_total`, :func:`split_total`): largest-remainder
  (Hamilton) rounding. Every value goes to its floor or its ceiling; the units still
  missing go to the largest remainders; equal remainders (to 1e-9 of a unit) go to the
  earlier position. Deterministic and order-stable.
* N-D (:func:`round_table_preserving_margins`): controlled rounding. Every cell goes
  to its floor or its ceiling (whole cells, zeros in particular, stay put) such that
  every 1-D marginal equals its integer target exactly (targets given by the caller, or
  else adjacent whole numbers chosen with the cells; the grand total is fixed). It is
  solved one dimension at a time: step k rounds the marginal over ``dims[:k+1]`` with its
  rows held at step k-1's result and its columns at dimension k's targets, a transport problem that
  :func:`scipy.optimize.milp` (HiGHS, deterministic) solves at the root because its
  matrix is totally unimodular. So the leading marginals (``dims[0] x dims[1]``, ...)
  also stay within one unit, and each step minimises the total absolute change, which
  in one dimension is exactly largest-remainder rounding. Should a step be infeasible
  (zero cells can block it) all 1-D constraints are solved at once, and failing that,
  cells may move further than one unit (least total absolute change);
  ``result.attrs["rounding"]`` says which was needed. Bounding *every* 2-D marginal of
  a 3-D table at once is not always possible and was too slow to try by default
  (a minute for 50 x 10 x 12 cells), hence the ordering.

Modules, one job each: :mod:`~planlib.allocation.totals` (1-D),
:mod:`~planlib.allocation.margins` (IPF), :mod:`~planlib.allocation.controlled` (N-D)
and :mod:`~planlib.allocation.errors`; argument checks in ``_checks``.
"""

from planlib.allocation.controlled import round_table_preserving_margins
from planlib.allocation.errors import AllocationError
from planlib.allocation.margins import fit_to_margins
from planlib.allocation.totals import round_preserving_total, split_total

__all__ = [
    "AllocationError",
    "fit_to_margins",
    "round_preserving_total",
    "round_table_preserving_margins",
    "split_total",
]
