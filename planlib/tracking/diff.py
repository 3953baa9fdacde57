"""The re-planned targets in long form, and the difference between two plans."""

from __future__ import annotations


import numpy as np
import pandas as pd

from planlib.checks import require_frame
from planlib.formatting import fmt_money
from planlib.i18n import _, header, value_label
from planlib.tracking._common import (
    DIMENSION,
    DIMENSIONS,
    MONTH,
    SEGMENT,
    TARGET,
    TOTAL,
    _sort_long,
    _validate_targets,
)


def apply_respread(targets_long: pd.DataFrame, respread: pd.DataFrame) -> pd.DataFrame:
    """The re-planned annual targets: the plan with the open months' re-spread targets.

    Parameters
    ----------
    targets_long : DataFrame
        The annual plan.
    respread : DataFrame
        Output of :func:`respread_remaining`.

    Returns
    -------
    DataFrame
        ``dimension, segment, month, target`` in the plan's long form (closed months as
        planned, open months re-spread, rows for segments new to the plan added), sorted.
    """
    where = "apply_respread"
    plan = _validate_targets(targets_long, where)
    require_frame(respread, "respread", where, [DIMENSION, SEGMENT, MONTH, TARGET], allow_empty=True)
    new = pd.DataFrame({DIMENSION: respread[DIMENSION].astype(str).to_numpy(dtype=object),
                        SEGMENT: respread[SEGMENT].astype(str).to_numpy(dtype=object),
                        MONTH: pd.to_datetime(respread[MONTH]).to_numpy(),
                        TARGET: respread[TARGET].to_numpy(dtype=np.int64)})
    keys = [DIMENSION, SEGMENT, MONTH]
    kept = plan.merge(new[keys], on=keys, how="left", indicator=True)
    kept = kept[kept["_merge"] == "left_only"].drop(columns="_merge")
    return _sort_long(pd.concat([kept, new], ignore_index=True))[[*keys, TARGET]]


def diff_targets(old_long: pd.DataFrame, new_long: pd.DataFrame) -> pd.DataFrame:
    """Rows where two plans' targets differ.

    Parameters
    ----------
    old_long, new_long : DataFrame
        Two plans in long form (``dimension, segment, month, target``), e.g. the targets
        of two plan packs.

    Returns
    -------
    DataFrame
        ``dimension, segment, month, old, new, change, status`` for every row that
        differs: ``old``/``new`` nullable Int64 (missing on the side that lacks the row),
        ``change = new - old`` (int64, a missing side counted as 0), ``status`` one of
        ``changed, added, removed``; sorted by dimension, segment, month. Empty when the
        plans are identical.
    """
    where = "diff_targets"
    old = _validate_targets_lenient(old_long, where, "old_long")
    new = _validate_targets_lenient(new_long, where, "new_long")
    keys = [DIMENSION, SEGMENT, MONTH]
    both = old.rename(columns={TARGET: "old"}).merge(new.rename(columns={TARGET: "new"}),
                                                     on=keys, how="outer")
    both["old"] = both["old"].astype("Int64")
    both["new"] = both["new"].astype("Int64")
    differs = (both["old"].isna() | both["new"].isna()
               | (both["old"].fillna(0) != both["new"].fillna(0))).to_numpy(dtype=bool)
    out = both[differs].copy()
    out["change"] = (out["new"].fillna(0) - out["old"].fillna(0)).astype(np.int64)
    out["status"] = np.where(out["old"].isna(), "added",
                             np.where(out["new"].isna(), "removed", "changed")).astype(object)
    return _sort_long(out)[[*keys, "old", "new", "change", "status"]]


def _validate_targets_lenient(frame: object, where: str, name: str) -> pd.DataFrame:
    """Like ``_validate_targets`` but an empty plan is allowed (one side of a diff)."""
    require_frame(frame, name, where, [DIMENSION, SEGMENT, MONTH, TARGET], allow_empty=True)
    if frame.empty:  # type: ignore[union-attr]
        return pd.DataFrame({DIMENSION: pd.Series(dtype=object), SEGMENT: pd.Series(dtype=object),
                             MONTH: pd.Series(dtype="datetime64[ns]"), TARGET: pd.Series(dtype="int64")})
    return _validate_targets(frame, where, name)


def summarize_plan_diff(diff: pd.DataFrame) -> str:
    """One-line takeaway of :func:`diff_targets`.

    Returns
    -------
    str
        e.g. ``"12 targets differ in 2 dimensions (region, rep), net +0; largest: region
        East 2025-06 +50K."`` or ``"The two plans are identical."``
    """
    if diff.empty:
        return _("The two plans are identical.")
    dims = [d for d in DIMENSIONS if d in set(diff[DIMENSION])]
    biggest = diff.loc[diff["change"].abs().idxmax()]
    net = int(diff.loc[diff[DIMENSION] == TOTAL, "change"].sum())
    text = (_("{count} targets differ in {dims} dimensions ({names})") if len(diff) > 1 and len(dims) > 1 else
            _("{count} targets differ in {dims} dimension ({names})") if len(diff) > 1 else
            _("{count} target differ in {dims} dimensions ({names})") if len(dims) > 1 else
            _("{count} target differ in {dims} dimension ({names})")).format(
        count=len(diff), dims=len(dims), names=_(", ").join(str(value_label("dimension", d)) for d in dims))
    if TOTAL in dims:
        text += _(", total {change}").format(change=f"{'+' if net >= 0 else '-'}{fmt_money(abs(net))}")
    sign = "+" if biggest["change"] >= 0 else "-"
    text += _("; largest: {dimension} {segment} {month} {change}").format(
        dimension=header(biggest[DIMENSION]), segment=biggest[SEGMENT], month=f"{pd.Timestamp(biggest[MONTH]):%Y-%m}",
        change=f"{sign}{fmt_money(abs(biggest['change']))}")
    return text + _(".")
