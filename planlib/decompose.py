"""The whole target decomposition in one call, shared by notebook 03, its what-if widgets and the pack.

From the forecast, last year's orders and the segment tables to every target table:
annual target, months, product lines, regions, channels, customer types, reps, the
region x product line x month cube and one long table of everything by month. Every
split adds up exactly, to the currency unit, in every dimension at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planlib import schema, targets
from planlib.errors import ParamsError
from planlib.i18n import N_, _, fmt_amount, header
from planlib.allocation import round_table_preserving_margins
from planlib.plan import TargetsSpec

CUSTOMER_TYPE = "customer_type"
LONG_COLUMNS = ["dimension", "segment", "month", "target"]


@dataclass(frozen=True)
class TargetInputs:
    """Everything the decomposition reads (all from earlier stages' artifacts)."""

    forecast: pd.DataFrame  # plan-year rows of the reconciled forecast: unique_id, ds, mean, p10..p90
    year_total_paths: np.ndarray  # simulated plan-year totals of the Total series
    orders: pd.DataFrame  # canonical order lines up to the as-of date
    product_lines: pd.DataFrame  # product_line, role
    regions: pd.DataFrame  # region, stage
    channels: pd.DataFrame | None  # channel, stage
    reps: pd.DataFrame | None  # rep, region, hire_date, leave_date, capacity
    plan_year: int
    commitments: pd.DataFrame | None = None  # rep, amount
    year_paths: pd.DataFrame | None = None  # simulated plan-year totals of every series (columns by unique_id)


def decompose_targets(inputs: TargetInputs, spec: TargetsSpec) -> dict[str, pd.DataFrame]:
    """Set the annual target and split it every way the plan needs.

    Parameters
    ----------
    inputs : TargetInputs
        Forecast, simulated year totals, history and segment tables.
    spec : TargetsSpec
        The ``targets`` section of the params (method, growth per role and stage, ...).

    Returns
    -------
    dict of DataFrame
        ``target_options, annual_target, targets_month, quarter_weights,
        targets_product_line, targets_region, targets_channel, targets_customer_type,
        targets_rep, rep_fairness, targets_cube, targets_rep_cube, commitments_gap, quota_reconciliation (with commitments),
        smart_targets, targets_long``.
    """
    fc, year = inputs.forecast, inputs.plan_year
    base_year = year - 1
    units = {schema.PRODUCT_LINE: inputs.product_lines[schema.PRODUCT_LINE], schema.REGION: inputs.regions[schema.REGION]}
    if inputs.channels is not None:
        units[schema.CHANNEL] = inputs.channels[schema.CHANNEL]
    check_override_names(spec.probability_overrides, units, where="the plan's data")
    last_year = float(targets.summarize_actuals(inputs.orders, year=base_year)["baseline"].sum())
    value = {"growth": spec.growth, "quantile": spec.quantile, "amount": spec.amount}[spec.method]
    role_baseline = _baseline(fc, schema.PRODUCT_LINE)
    strategic = inputs.product_lines.loc[inputs.product_lines[schema.ROLE] == "strategic", schema.PRODUCT_LINE]
    strategic_amount = float(
        (role_baseline.set_index(schema.PRODUCT_LINE)["baseline"].reindex(strategic).fillna(0) * (1 + spec.role_growth.get("strategic", 0))).sum()
    )
    tables: dict[str, pd.DataFrame] = {}
    tables["target_options"] = targets.compare_target_options(
        inputs.year_total_paths, last_year=last_year, growth=spec.growth, quantile=spec.quantile, amount=spec.amount
    )
    annual = targets.set_annual_target(
        inputs.year_total_paths,
        last_year=last_year,
        method=spec.method,
        value=value,
        min_growth=spec.min_growth,
        min_strategic_share=spec.strategic_share_min,
        strategic_amount=strategic_amount if spec.strategic_share_min is not None else None,
        market_size=spec.market_size,
        min_market_share=spec.market_share_target,
    )
    tables["annual_target"] = annual
    total = int(annual.loc[annual["step"] == "final", "amount"].iloc[0])

    manual = spec.quarter_weights if spec.time_split == "manual" else None
    months = targets.split_by_time(total, fc, quarter_weights=manual)
    tables["targets_month"] = months
    if spec.quarter_weights is not None:
        tables["quarter_weights"] = targets.compare_quarter_weights(fc, quarter_weights=spec.quarter_weights)

    probability = float(annual.loc[annual["step"] == "final", "probability"].iloc[0])
    min_share = {"strategic": spec.strategic_share_min} if spec.strategic_share_min else None
    product_lines = inputs.product_lines[[schema.PRODUCT_LINE, schema.ROLE]]
    if _balance(spec, inputs, schema.PRODUCT_LINE):
        lines = _balanced(total, inputs, product_lines, key=schema.PRODUCT_LINE, group=schema.ROLE, tilt=spec.role_tilt,
                          probability=probability, spec=spec, min_share=min_share)
    else:
        lines = targets.allocate_by_role(total, role_baseline, product_lines, role_growth=spec.role_growth, min_share=min_share)
    stages = {schema.REGION: inputs.regions}
    if inputs.channels is not None and _has_level(fc, schema.CHANNEL):
        stages[schema.CHANNEL] = inputs.channels
    split = {}
    for key, side in stages.items():
        side = side[[key, schema.STAGE]]
        split[key] = (_balanced(total, inputs, side, key=key, group=schema.STAGE, tilt=spec.stage_tilt, probability=probability, spec=spec)
                      if _balance(spec, inputs, key) else
                      targets.allocate_by_stage(total, _baseline(fc, key), side, dimension=key, stage_growth=spec.stage_growth))
    regions = split[schema.REGION]
    if schema.CHANNEL in split:
        tables["targets_channel"] = split[schema.CHANNEL]
    tables["targets_product_line"], tables["targets_region"] = lines, regions
    customer_base = targets.summarize_customer_base(inputs.orders, year=base_year)
    acquisition = targets.count_new_customers(inputs.orders, years=[base_year - 2, base_year - 1, base_year])
    tables["targets_customer_type"] = targets.plan_customer_targets(
        total, customer_base, repurchase_rate=spec.repurchase_rate, repurchase_uplift=spec.repurchase_uplift,
        order_value_uplift=spec.order_value_uplift,
        acquisition=acquisition, max_new_multiple=spec.new_customer_multiple,
    )
    cube = targets.fit_target_cube(fc, region_targets=regions, product_line_targets=lines, month_targets=months, seed_floor=0.01)
    tables["targets_cube"] = cube
    if inputs.reps is not None and len(inputs.reps):
        region_months = cube.groupby([schema.REGION, "month"], as_index=False, observed=True)["target"].sum()
        seats = targets.allocate_to_reps(regions, inputs.reps, plan_year=year, ramp_months=spec.ramp_months, month_targets=region_months)
        books = targets.forecast_rep_books(inputs.orders, inputs.reps, plan_year=year, ramp_months=spec.ramp_months)
        rep_months = targets.allocate_quotas_from_books(region_months, books)
        last = targets.summarize_actuals(inputs.orders, year=base_year, by=schema.REP).set_index(schema.REP)["baseline"]
        reps = targets.summarize_rep_quotas(rep_months, seats, last_year=last)
        if inputs.commitments is not None:  # bottom-up meets top-down by the params rule, still exact
            reconciled = targets.reconcile_quotas(reps, inputs.commitments, rule=spec.reconciliation, band=spec.reconciliation_band)
            tables["quota_reconciliation"] = reconciled
            rep_months = targets.apply_reconciled_quotas(rep_months, reconciled)
            reps = targets.summarize_rep_quotas(rep_months, seats, last_year=last)
        tables["targets_rep"] = reps
        tables["rep_fairness"] = targets.assess_rep_fairness(reps, orders=inputs.orders, year=base_year)
        pieces = rep_months.groupby([schema.REP, schema.REGION], as_index=False)["target"].sum()
        tables["targets_rep_cube"] = targets.fit_rep_cube(cube, pieces, orders=inputs.orders, year=base_year, rep_months=rep_months)
        tables["commitments_gap"] = targets.reconcile_commitments(reps, inputs.commitments)
    tables["smart_targets"] = targets.build_smart_table(
        fc,
        annual=annual,
        months=months,
        product_lines=lines,
        regions=regions,
        channels=tables.get("targets_channel"),
        reps=tables.get("targets_rep"),
        customers=tables["targets_customer_type"],
        year_total_paths=inputs.year_total_paths,
        segment_paths=inputs.year_paths,
        orders=inputs.orders,
    )
    tables["targets_long"] = build_targets_long(tables)
    return tables


def check_override_names(overrides: dict, units: dict[str, pd.Series], *, where: str) -> None:
    """Every name in ``targets.probability_overrides`` must be a product line, region or channel (a typo is not ignored)."""
    known = {str(u) for values in units.values() for u in values.dropna()}
    unknown = [name for name in overrides if str(name) not in known]
    if unknown:
        names = [header(k) for k in units]
        kinds = _(" or ").join([_(", ").join(names[:-1]), names[-1]] if len(names) > 1 else names)
        examples = ", ".join(sorted(known)[:8]) + (" ..." if len(known) > 8 else "")
        raise ParamsError(
            _("targets.probability_overrides names {names}, which is no {kinds} of {where}; they are: {examples}").format(
                names=", ".join(map(repr, unknown)), kinds=kinds, where=where, examples=examples),
            key="targets.probability_overrides",
        )


def build_targets_long(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every target by month in one long frame (``dimension, segment, month, target``).

    Product lines, regions and reps come from the exact cubes; channels and customer
    types are spread over months by controlled rounding against the month targets, so
    every dimension adds up to the month total, month by month, to the unit.
    """
    months = _month_rows(tables["targets_month"])
    month_totals = months.set_index("month")["target"]
    parts = [
        months.assign(dimension="total", segment=schema.TOTAL_ID),
        months.assign(dimension="month", segment=schema.TOTAL_ID),
    ]
    cube = tables["targets_cube"]
    for dim in (schema.PRODUCT_LINE, schema.REGION):
        parts.append(_by_month(cube, dim))
    if "targets_rep_cube" in tables:
        parts.append(_by_month(tables["targets_rep_cube"], schema.REP))
    if "targets_channel" in tables:
        parts.append(_spread_over_months(tables["targets_channel"], schema.CHANNEL, month_totals))
    customer = tables["targets_customer_type"].loc[lambda t: t[CUSTOMER_TYPE] != "total"]
    parts.append(_spread_over_months(customer, CUSTOMER_TYPE, month_totals))
    long = pd.concat([p[LONG_COLUMNS] for p in parts], ignore_index=True)
    long["segment"] = long["segment"].astype(str)
    long["target"] = long["target"].astype("int64")
    order = {"total": 0, "month": 1, schema.PRODUCT_LINE: 2, schema.REGION: 3, schema.CHANNEL: 4, CUSTOMER_TYPE: 5, schema.REP: 6}
    long = long.assign(_order=long["dimension"].map(order)).sort_values(["_order", "segment", "month"], kind="stable")
    return long.drop(columns="_order").reset_index(drop=True)


def _month_rows(months: pd.DataFrame) -> pd.DataFrame:
    rows = months.loc[months["month"].notna()] if "month" in months else months
    return rows[["month", "target"]].assign(month=lambda t: pd.to_datetime(t["month"])).reset_index(drop=True)


def _by_month(cube: pd.DataFrame, dimension: str) -> pd.DataFrame:
    table = cube.groupby([dimension, "month"], observed=True)["target"].sum().reset_index()
    return table.rename(columns={dimension: "segment"}).assign(dimension=dimension)


def _spread_over_months(annual: pd.DataFrame, dimension: str, month_totals: pd.Series) -> pd.DataFrame:
    """Annual targets of one dimension spread over months, exact on both margins."""
    shares = month_totals / month_totals.sum()
    seed = annual[[dimension, "target"]].merge(shares.rename("share").reset_index(), how="cross")
    seed["value"] = seed["target"] * seed["share"]
    rounded = round_table_preserving_margins(
        seed[[dimension, "month", "value"]],
        dims=[dimension, "month"],
        margins={dimension: annual.set_index(dimension)["target"], "month": month_totals},
    )
    return rounded.rename(columns={dimension: "segment", "value": "target"}).assign(dimension=dimension)


def _balance(spec: TargetsSpec, inputs: TargetInputs, key: str) -> bool:
    """The balanced split applies when asked for and the forecast simulated this dimension's year."""
    if spec.split_method != "balanced" or inputs.year_paths is None:
        return False
    return any(str(c).startswith(f"{key}=") and "|" not in str(c) for c in inputs.year_paths.columns)


def _balanced(total: int, inputs: TargetInputs, side: pd.DataFrame, *, key: str, group: str, tilt: dict, probability: float,
              spec: TargetsSpec, min_share: dict | None = None) -> pd.DataFrame:
    """Difficulty-balanced split of one dimension from its own simulated year totals."""
    last = targets.summarize_actuals(inputs.orders, year=inputs.plan_year - 1, by=key).set_index(key)["baseline"]
    units = side.assign(last_year=side[key].astype(str).map(last.rename(index=str)).fillna(0.0))
    prefix = f"{key}="
    paths = inputs.year_paths.loc[:, [c for c in inputs.year_paths.columns if str(c).startswith(prefix) and "|" not in str(c)]]
    paths = paths.rename(columns=lambda c: str(c)[len(prefix):])
    overrides = {u: band for u, band in spec.probability_overrides.items() if u in set(units[key].astype(str))}
    return targets.balance_split(total, paths, units, key=key, group=group, company_probability=probability, tilt=tilt,
                                 band=spec.probability_band, overrides=overrides, min_share=min_share)


def _baseline(forecast: pd.DataFrame, dimension: str) -> pd.DataFrame:
    return targets.summarize_forecast(forecast, dimension=dimension)


def _has_level(forecast: pd.DataFrame, dimension: str) -> bool:
    return forecast[schema.UNIQUE_ID].astype(str).str.fullmatch(rf"{dimension}=[^|]*").any()


def check_consistency(long: pd.DataFrame) -> pd.DataFrame:
    """How exactly every dimension adds up to the month targets (differences in currency units).

    One row per dimension: segments, annual total, the largest difference between the
    dimension's monthly sum and the month target, and whether the split is exact.
    """
    months = long.loc[long["dimension"] == "month"].set_index("month")["target"]
    rows = []
    for dimension, part in long.groupby("dimension", sort=False):
        by_month = part.groupby("month")["target"].sum().reindex(months.index, fill_value=0)
        gap = int((by_month - months).abs().max())
        rows.append({"dimension": dimension, "segments": part["segment"].nunique(), "annual_total": int(part["target"].sum()), "max_monthly_difference": gap, "exact": gap == 0})
    return pd.DataFrame(rows)


def summarize_annual_target(annual: pd.DataFrame, *, currency: str = "") -> str:
    """One line: the target, its growth over last year, its probability, and what moved it."""
    final = annual.loc[annual["step"] == "final"].iloc[0]
    proposed = annual.loc[annual["step"] == "proposed"].iloc[0]
    text = _("Annual target {amount}: {growth} on last year, reached with probability {probability} under the forecast").format(
        amount=fmt_amount(final["amount"], currency), growth=f"{final['growth']:+.1%}", probability=f"{final['probability']:.0%}")
    if final["amount"] != proposed["amount"]:
        text += _(" (raised from {proposed}: {note})").format(proposed=fmt_amount(proposed["amount"]), note=final["note"])
    return text + _(".")


def summarize_split(table: pd.DataFrame, dimension: str) -> str:
    """One line on a split: the largest part, the growth asked, how likely the parts are, and every exception."""
    ordered = table.sort_values("target", ascending=False)
    top = ordered.iloc[0]
    text = _("{count} {label}s; largest {name} with {target} ({share})").format(
        count=len(table), label=header(dimension), name=top[dimension], target=fmt_amount(top["target"]), share=f"{top['share']:.0%}")
    growth_column = "growth" if "growth" in table.columns else "implied_growth"
    growth = table.dropna(subset=[growth_column]).sort_values(growth_column)
    if len(growth) > 1:
        hi, lo = growth.iloc[-1], growth.iloc[0]
        sentence = (_("; highest growth asked of {high} ({high_growth} on last year), lowest {low} ({low_growth})")
                    if growth_column == "growth" else
                    _("; highest growth asked of {high} ({high_growth} on its baseline), lowest {low} ({low_growth})"))
        text += sentence.format(high=hi[dimension], high_growth=f"{hi[growth_column]:+.1%}", low=lo[dimension], low_growth=f"{lo[growth_column]:+.1%}")
    if "probability" in table.columns:
        p = table["probability"]
        text += _("; each reached with {low} to {high} probability").format(low=f"{p.min():.0%}", high=f"{p.max():.0%}")
    text += _("; parts add up to {total}.").format(total=fmt_amount(table["target"].sum()))
    notes = table.loc[table["note"].fillna("").astype(str) != ""] if "note" in table.columns else table.iloc[:0]
    for row in notes.to_dict("records"):
        text += _("\n  {name}: {note}.").format(name=row[dimension], note=row["note"])
    return text


def summarize_customer_plan(table: pd.DataFrame) -> str:
    """One line: how the target splits between existing and new customers, and how many new ones."""
    rows = table.set_index(CUSTOMER_TYPE)
    new, existing = rows.loc["new"], rows.loc["existing"]
    total = rows.loc["total", "target"]
    return _(
        "Existing customers carry {existing} ({share}); the plan needs {customers} new customers bringing {new} "
        "(last year: {last_year} new customers)."
    ).format(existing=fmt_amount(existing["target"]), share=f"{existing['target'] / total:.0%}", customers=f"{new['customers']:,.0f}",
             new=fmt_amount(new["target"]), last_year=f"{new['baseline_customers']:,.0f}")


def summarize_rep_targets(reps: pd.DataFrame, fairness: pd.DataFrame) -> str:
    """One line on the rep quotas: how many reps carry one, against their books, the house line, the outliers."""
    people = reps.loc[~reps["status"].isin(["house", "vacant"])]
    carrying = people.loc[people["target"] > 0]
    text = _("{count} reps carry a quota (median {median}, from {low} to {high}); {none} get none (left or not yet present)").format(
        count=len(carrying), median=fmt_amount(carrying["target"].median()), low=fmt_amount(carrying["target"].min()),
        high=fmt_amount(carrying["target"].max()), none=int((people["target"] == 0).sum()))
    if "quota_to_book" in carrying.columns and carrying["quota_to_book"].notna().any():
        ratio = carrying["quota_to_book"].dropna()
        text += _("; quotas are {low} to {high} times each rep's own book forecast").format(low=f"{ratio.min():.2f}", high=f"{ratio.max():.2f}")
    for status, label in (("house", N_("; house sales (no rep): {amount}")), ("vacant", N_("; vacant seats: {amount}"))):
        line = reps.loc[reps["status"] == status, "target"]
        if line.sum() > 0:
            text += _(label).format(amount=fmt_amount(line.sum()))
    flagged = fairness.loc[fairness["outlier"].astype(bool)]
    if flagged.empty:
        return text + _("; no quota stands out.")
    return text + _("; flagged for review:") + "".join(
        _("\n  {rep}: {reason}").format(rep=r["rep"], reason=r["reason"]) for r in flagged.to_dict("records"))


def summarize_smart(smart: pd.DataFrame) -> str:
    """One line: how many targets are too easy or out of reach, and how many need a look without a probability."""
    flags = smart["flag"].fillna("").astype(str)
    easy, hard = int((flags == "too easy").sum()), int((flags == "out of reach").sum())
    scored = int(smart["probability"].notna().sum())
    text = _("{count} SMART targets, {scored} with a probability; {easy} too easy (> 90%), {hard} out of reach (< 10%)").format(
        count=len(smart), scored=scored, easy=easy, hard=hard)
    if easy + hard:
        text += _(" (each with what to do in the action column)")
    return text + _(".")
