"""Bottom-up commitments against top-down rep quotas: the gap, the rule that reconciles them, what to discuss.

:func:`reconcile_quotas` applies the params rule (accept within a band, meet halfway,
or escalate) and closes the company total exactly; :func:`apply_reconciled_quotas`
carries the reconciled quotas back into the rep x region x month table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import fit_to_margins, round_preserving_total, round_table_preserving_margins
from planlib.checks import require_frame, require_number, require_unique
from planlib.errors import DataError, ParamsError
from planlib.targets._common import MONTH, TARGET, _numeric
from planlib.i18n import _

RULES = ("accept", "halfway", "escalate")
ABSORBERS = ("active", "house", "vacant")  # in seat all year: they can take up a difference in any month
RECONCILE_COLUMNS = [schema.REP, schema.REGION, "status", "top_down", "commitment", "deviation", "reconciled", "change",
                     "action", "conversation", "reason"]


def reconcile_commitments(
    rep_targets: pd.DataFrame,
    commitments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Top-down targets against reps' own commitments: gap per rep, region and in total.

    Parameters
    ----------
    rep_targets : DataFrame
        ``rep, region, target`` (from :func:`allocate_to_reps`).
    commitments : DataFrame, optional
        ``rep, amount``: what each rep commits to. Reps without a row have committed
        nothing yet (``committed`` False, their whole target is gap).

    Returns
    -------
    DataFrame
        ``level`` (rep / region / total), ``region, rep, target, commitment, gap,
        coverage, committed, missing``: ``gap = target - commitment`` (positive = the
        commitments fall short), ``coverage = commitment / target``, ``missing`` = reps
        without a commitment (house and vacant lines, by ``status``, are not counted). Rep gaps add up exactly to region and total gaps.
    """
    where = "reconcile_commitments"
    require_frame(rep_targets, "rep_targets", where, [schema.REP, schema.REGION, TARGET])
    require_unique(rep_targets, schema.REP, "rep_targets", where)
    reps = pd.DataFrame({schema.REP: rep_targets[schema.REP].astype(str).to_numpy(),
                         schema.REGION: rep_targets[schema.REGION].astype(str).to_numpy(),
                         TARGET: _numeric(rep_targets, TARGET, "rep_targets", where)})
    if np.all(reps[TARGET] == np.round(reps[TARGET])):
        reps[TARGET] = reps[TARGET].astype("int64")
    committed = pd.Series(dtype=float)
    if commitments is not None:
        require_frame(commitments, "commitments", where, [schema.REP, "amount"])
        require_unique(commitments, schema.REP, "commitments", where)
        committed = pd.Series(_numeric(commitments, "amount", "commitments", where),
                              index=commitments[schema.REP].astype(str).to_numpy())
        unknown = sorted(set(committed.index) - set(reps[schema.REP]))
        if unknown:
            raise DataError(f"the commitments given to {where} name rep(s) {unknown[:5]} without a "
                            f"target", column=schema.REP)
    reps["commitment"] = reps[schema.REP].map(committed).astype(float)
    reps["committed"] = reps["commitment"].notna()
    reps["gap"] = reps[TARGET] - reps["commitment"].fillna(0.0)
    people = ~rep_targets["status"].astype(str).isin(["house", "vacant"]).to_numpy() if "status" in rep_targets else True
    reps["missing"] = (~reps["committed"] & people).astype("int64")  # the house line and vacant seats never commit
    reps = reps.sort_values([schema.REGION, schema.REP], kind="mergesort")
    region = reps.groupby(schema.REGION, sort=True).agg(
        target=(TARGET, "sum"), commitment=("commitment", lambda s: s.fillna(0.0).sum()),
        gap=("gap", "sum"), missing=("missing", "sum")).reset_index()
    total = pd.DataFrame([{TARGET: reps[TARGET].sum().item(), "commitment": reps["commitment"].fillna(0.0).sum(),
                           "gap": reps["gap"].sum(), "missing": int(reps["missing"].sum())}])
    out = pd.concat([reps.assign(level="rep"), region.assign(level="region", rep=""),
                     total.assign(level="total", region="", rep="")], ignore_index=True)
    out["coverage"] = np.divide(out["commitment"].to_numpy(dtype=float), out[TARGET].to_numpy(dtype=float),
                                out=np.full(len(out), np.nan), where=out[TARGET].to_numpy(dtype=float) > 0)
    out["committed"] = out["committed"].where(out["level"] == "rep", pd.NA).astype("boolean")
    out["missing"] = out["missing"].astype("int64")
    return out[["level", schema.REGION, schema.REP, TARGET, "commitment", "gap", "coverage",
                "committed", "missing"]]


def reconcile_quotas(
    rep_targets: pd.DataFrame,
    commitments: pd.DataFrame | None,
    *,
    rule: str = "escalate",
    band: float = 0.05,
    unit: int = 1,
) -> pd.DataFrame:
    """Reconcile each rep's commitment with their top-down quota by a stated rule, exactly.

    Parameters
    ----------
    rep_targets : DataFrame
        ``rep, region, status, target`` (from :func:`planlib.targets.summarize_rep_quotas`);
        house and vacant lines never commit and take up the difference.
    commitments : DataFrame or None
        ``rep, amount``.
    rule : {"accept", "halfway", "escalate"}, default "escalate"
        A commitment within ``band`` of the quota is accepted under every rule; outside
        it, ``accept`` keeps the quota, ``halfway`` meets the rep halfway, ``escalate``
        keeps the quota; in all three the rep is listed for a conversation.
    band : float, default 0.05
        Relative distance (commitment / quota - 1) accepted without discussion.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``rep, region, status, top_down, commitment, deviation, reconciled, change, action,
        conversation, reason``: ``reconciled`` adds up to the top-down total exactly; what
        changed quotas free or ask is spread over the lines of the same region whose quota
        no commitment set and who are in seat all year (in proportion to their quota; a
        joiner or leaver cannot carry it in months they are away), and ``conversation``
        marks what needs one.
    """
    where = "reconcile_quotas"
    if rule not in RULES:
        raise ParamsError(f"the 'rule' parameter of {where} must be one of {list(RULES)}; got {rule!r}", key="rule")
    b = require_number(band, "band", where, low=0.0, high=1.0)
    require_frame(rep_targets, "rep_targets", where, [schema.REP, schema.REGION, "status", TARGET])
    require_unique(rep_targets, schema.REP, "rep_targets", where)
    out = pd.DataFrame({schema.REP: rep_targets[schema.REP].astype(str).to_numpy(),
                        schema.REGION: rep_targets[schema.REGION].astype(str).to_numpy(),
                        "status": rep_targets["status"].astype(str).to_numpy(),
                        "top_down": _numeric(rep_targets, TARGET, "rep_targets", where).round().astype("int64")})
    committed = pd.Series(dtype=float)
    if commitments is not None:
        require_frame(commitments, "commitments", where, [schema.REP, "amount"])
        require_unique(commitments, schema.REP, "commitments", where)
        committed = pd.Series(_numeric(commitments, "amount", "commitments", where), index=commitments[schema.REP].astype(str).to_numpy())
        unknown = sorted(set(committed.index) - set(out[schema.REP]))
        if unknown:
            raise DataError(f"the commitments given to {where} name rep(s) {unknown[:5]} without a quota", column=schema.REP)
    person = ~out["status"].isin(["house", "vacant", "left", "not_started"]) & (out["top_down"] > 0)
    out["commitment"] = out[schema.REP].map(committed).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["deviation"] = np.where(out["top_down"] > 0, out["commitment"] / out["top_down"] - 1, np.nan)
    proposed = out["top_down"].to_numpy(dtype=float).copy()
    fixed = np.zeros(len(out), dtype=bool)
    actions, talk, reasons = [], [], []
    for i, row in out.iterrows():
        c, d = row["commitment"], row["deviation"]
        if not person[i]:
            actions.append(_("takes up the difference") if row["status"] in ("house", "vacant") else _("no quota"))
            talk.append(False)
            reasons.append("")
        elif np.isnan(c):
            actions.append(_("no commitment yet"))
            talk.append(True)
            reasons.append(_("ask for a commitment against the quota"))
        elif abs(d) <= b + 1e-12:
            proposed[i], fixed[i] = c, True
            actions.append(_("commitment accepted (within {band})").format(band=f"{b:.0%}"))
            talk.append(False)
            reasons.append("")
        else:
            if rule == "halfway":
                proposed[i], fixed[i] = (row["top_down"] + c) / 2, True
                actions.append(_("met halfway"))
            else:
                actions.append(_("quota kept") if rule == "accept" else _("escalated: quota kept until agreed"))
            talk.append(True)
            reasons.append((_("commitment {deviation} below the quota: agree what closes the gap (accounts, actions) or escalate to the director")
                            if d < 0 else _("commitment {deviation} above the quota: raise the quota or check the commitment is real")
                            ).format(deviation=f"{abs(d):.0%}"))
    scaled = proposed.copy()
    for region in out[schema.REGION].unique():  # each region closes its own difference: its months stay as they are
        inside = (out[schema.REGION] == region).to_numpy()
        free = inside & ~fixed & (proposed > 0) & out["status"].isin(ABSORBERS).to_numpy()
        if not free.any():
            free = inside & (proposed > 0)
            for i in np.flatnonzero(free & fixed):
                scaled_note = _("no one else in {region} takes up the difference: scaled").format(region=region)
                reasons[i] = _("{reason}; {more}").format(reason=reasons[i], more=scaled_note) if reasons[i] else scaled_note
                talk[i] = True
        rest = float(out.loc[inside, "top_down"].sum()) - proposed[inside & ~free].sum()
        if free.any() and proposed[free].sum() > 0:
            scaled[free] = proposed[free] * rest / proposed[free].sum()
    # rounded region by region: each region's reps keep its top-down total to the unit, so its
    # months can still hold them (rounded across the company, a region could end 1 unit off
    # and the refit of the months became infeasible, depending on the last digits of the fit)
    reconciled = np.zeros(len(out), dtype=np.int64)
    for region in out[schema.REGION].unique():
        inside = (out[schema.REGION] == region).to_numpy()
        reconciled[inside] = round_preserving_total(
            pd.Series(scaled[inside]), total=float(out.loc[inside, "top_down"].sum()), unit=unit).to_numpy()
    out["reconciled"] = reconciled
    out["change"] = out["reconciled"] - out["top_down"]
    out["action"], out["conversation"], out["reason"] = actions, talk, reasons
    return out[RECONCILE_COLUMNS]


def apply_reconciled_quotas(rep_months: pd.DataFrame, reconciled: pd.DataFrame, *, unit: int = 1) -> pd.DataFrame:
    """Rep x region x month quotas refitted to the reconciled rep totals, region-months unchanged (exact).

    Parameters
    ----------
    rep_months : DataFrame
        ``rep, region, month, target`` (from :func:`planlib.targets.allocate_quotas_from_books`).
    reconciled : DataFrame
        ``rep, reconciled`` (from :func:`reconcile_quotas`).
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``rep_months`` with ``target`` refitted by IPF and controlled rounding: each rep
        adds up to its reconciled quota and each region-month to its target as before.
    """
    where = "apply_reconciled_quotas"
    require_frame(rep_months, "rep_months", where, [schema.REP, schema.REGION, MONTH, TARGET])
    require_frame(reconciled, "reconciled", where, [schema.REP, "reconciled"])
    totals = reconciled.set_index(reconciled[schema.REP].astype(str))["reconciled"].astype(float)
    cells = rep_months.assign(_cell=rep_months[schema.REGION].astype(str) + "|" + pd.to_datetime(rep_months[MONTH]).dt.strftime("%Y-%m"),
                              **{schema.REP: rep_months[schema.REP].astype(str)})
    current = cells.groupby(schema.REP)[TARGET].sum()
    missing = sorted(set(current.index) - set(totals.index))
    if missing:
        raise DataError(f"the reconciled quotas given to {where} lack rep(s) {missing[:5]}", column=schema.REP)
    if (totals.reindex(current.index) == current).all():
        return rep_months.copy()
    ratio = (totals.reindex(current.index) / current.where(current > 0)).fillna(1.0)
    seed = pd.DataFrame({schema.REP: cells[schema.REP], "_cell": cells["_cell"],
                         "value": cells[TARGET].astype(float) * cells[schema.REP].map(ratio).to_numpy()})
    seed["value"] = seed["value"].where(seed["value"] > 0, cells[TARGET].astype(float).where(cells[TARGET] > 0, 0.0))
    margins = {schema.REP: totals.reindex(current.index), "_cell": cells.groupby("_cell")[TARGET].sum().astype(float)}
    fitted = fit_to_margins(seed, dims=[schema.REP, "_cell"], margins=margins)
    rounded = round_table_preserving_margins(fitted, dims=[schema.REP, "_cell"], margins=margins, unit=unit)
    out = rep_months.copy()
    out[TARGET] = rounded["value"].round().astype("int64").to_numpy()
    return out
