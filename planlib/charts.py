"""Matplotlib figure builders shared by the notebooks.

Each function takes a planlib table and returns a ``matplotlib.figure.Figure`` built
without pyplot (no global state, no ``plt.show``, safe under Agg and papermill);
Jupyter displays a returned Figure, and ``fig.savefig`` writes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from planlib.i18n import _, _p, fmt_month, fmt_pct, fmt_quarter, get_language, header, value_label
from planlib.i18n.fonts import use_cjk_font

_CURRENT = "#1f77b4"
_PREVIOUS = "#9e9e9e"
_UP = "#2ca02c"
_DOWN = "#d62728"
_CLASS_COLORS = {"A": "#1f77b4", "B": "#ff7f0e", "C": "#9e9e9e"}


def format_amount(value: float, _pos: int | None = None) -> str:
    """Compact amount for axes and labels: ``1.2M``, ``850K``, ``999`` (zh-CN: ``1.2亿``, ``850万``)."""
    if value is None or not np.isfinite(value):
        return ""
    size = abs(value)
    units = ((1e8, "亿"), (1e4, "万")) if get_language() == "zh-CN" else ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    for bound, suffix in units:
        if size >= bound:
            scaled = value / bound
            digits = 2 if suffix == "亿" else 1  # 1.27亿: a tenth of 亿 is too coarse to tell two years apart
            text = f"{scaled:.{digits}f}".rstrip("0").rstrip(".") if abs(scaled) < 100 else f"{scaled:,.0f}"
            return f"{text}{suffix}"
    return f"{value:,.0f}"


_AMOUNT = FuncFormatter(format_amount)
_COUNT = FuncFormatter(lambda v, _pos=None: f"{v:,.0f}")


def _figure(width: float = 8.0, height: float = 4.5) -> tuple[Figure, Axes]:
    use_cjk_font()  # Chinese labels (data values or the zh-CN report) never print as boxes
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _month_labels(months: pd.Series) -> list[str]:
    """Month tick labels (``Jan`` / ``1月``) from month numbers (1-12) or dates."""
    values = pd.Series(months)
    if pd.api.types.is_integer_dtype(values):
        values = pd.to_datetime({"year": 2000, "month": values, "day": 1})
    return [fmt_month(m, with_year=False) for m in pd.to_datetime(values)]


def _tidy(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)


def plot_monthly_trend(
    periods: pd.DataFrame, *, metric: str = "revenue", cumulative: bool = False, title: str | None = None
) -> Figure:
    """Monthly (or quarterly) trend of the review year with the year before overlaid.

    Parameters
    ----------
    periods : DataFrame
        ``planlib.review.compute_kpis_by_period`` output.
    metric : str, default "revenue"
        A KPI column (``revenue``, ``orders``, ``active_customers``, ``avg_order_value``...).
    cumulative : bool, default False
        Plot running totals (year-to-date); only for additive metrics.
    title : str, optional
    """
    if metric not in periods.columns:
        raise KeyError(f"plot_monthly_trend: no column '{metric}' in the table; it has {', '.join(periods.columns)}")
    year = int(periods["year"].iloc[0])
    current = periods[metric].astype(float)
    previous = periods[f"{metric}_previous"].astype(float)
    if cumulative:
        current, previous = current.cumsum(), previous.cumsum()
    x = np.arange(len(periods))
    fig, ax = _figure()
    ax.plot(x, previous, color=_PREVIOUS, linestyle="--", marker="o", markersize=4, label=str(year - 1))
    ax.plot(x, current, color=_CURRENT, linewidth=2.2, marker="o", markersize=5, label=str(year))
    quarterly = "quarter" in periods.columns
    ax.set_xticks(x, [fmt_quarter(q) for q in periods["quarter"]] if quarterly else _month_labels(periods["month"]))
    name = header(metric)
    ax.set_ylabel(name + (_(" (cumulative)") if cumulative else ""))
    period = _("quarter") if quarterly else _("month")
    ax.set_xlabel(period)
    ax.yaxis.set_major_formatter(_COUNT if metric in ("orders", "active_customers") else _AMOUNT)
    ax.set_ylim(bottom=min(0, np.nanmin([current.min(), previous.min()]) if len(x) else 0))
    total, total_prev = periods[metric].sum(min_count=1), periods.loc[periods[metric].notna(), f"{metric}_previous"].sum(min_count=1)
    subtitle = ""
    if metric in ("revenue", "orders", "gross_profit") and np.isfinite(total) and np.isfinite(total_prev) and total_prev > 0:
        subtitle = _(" ({change} on the same months)").format(change=fmt_pct(total / total_prev - 1, signed=True))
    ax.set_title(title or _("{metric} by {period}: {year} vs {previous}{subtitle}").format(
        metric=name[:1].upper() + name[1:], period=period, year=year, previous=year - 1, subtitle=subtitle))
    ax.legend(frameon=False)
    _tidy(ax)
    return fig


def plot_mix(
    breakdown: pd.DataFrame,
    *,
    top: int = 10,
    labels: tuple[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Revenue share of each value of a dimension, review year next to the year before.

    Parameters
    ----------
    breakdown : DataFrame
        ``planlib.review.break_down`` output (its first column is the dimension).
    top : int, default 10
        Values shown; the rest are added up as "Other".
    labels : tuple of 2 str, default ("review year", "previous year")
        Legend names of the two periods (e.g. the ``period`` and ``previous_period``
        of ``compute_kpis``).
    title : str, optional
    """
    by = breakdown.columns[0]
    labels = labels or (_("review year"), _("previous year"))
    table = breakdown[[by, "share", "share_previous", "revenue"]].copy()
    if len(table) > top:
        rest = table.iloc[top - 1:]
        other = pd.DataFrame({by: [_("Other")], "share": [rest["share"].sum()], "share_previous": [rest["share_previous"].sum()], "revenue": [rest["revenue"].sum()]})
        table = pd.concat([table.iloc[: top - 1], other], ignore_index=True)
    table = table.iloc[::-1]
    y = np.arange(len(table))
    height = 0.38
    fig, ax = _figure(8.0, max(2.5, 0.45 * len(table) + 1.5))
    ax.barh(y - height / 2, table["share_previous"].fillna(0), height, color=_PREVIOUS, label=labels[1])
    ax.barh(y + height / 2, table["share"].fillna(0), height, color=_CURRENT, label=labels[0])
    for yi, share in zip(y, table["share"]):
        if np.isfinite(share):
            ax.annotate(f"{share:.0%}", (max(share, 0), yi + height / 2), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(y, table[by].astype(str))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(_("share of revenue"))
    ax.set_ylabel(header(by))
    ax.set_title(title or _("Revenue mix by {dimension}").format(dimension=header(by)))
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_growth_bridge(
    breakdown: pd.DataFrame,
    *,
    top: int = 8,
    labels: tuple[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Waterfall from last year's revenue to this year's, one step per value of a dimension.

    Parameters
    ----------
    breakdown : DataFrame
        ``planlib.review.break_down`` output.
    top : int, default 8
        Largest changes shown; the rest are added up as "Other".
    labels : tuple of 2 str, default ("review year", "previous year")
        Names of the end bars.
    title : str, optional
    """
    by = breakdown.columns[0]
    labels = labels or (_("review year"), _("previous year"))
    steps = breakdown[[by, "change"]].copy()
    steps = steps.reindex(steps["change"].abs().sort_values(ascending=False, kind="stable").index)
    if len(steps) > top:
        steps = pd.concat([steps.iloc[: top - 1], pd.DataFrame({by: [_("Other")], "change": [steps["change"].iloc[top - 1:].sum()]})])
    start, end = breakdown["revenue_previous"].sum(), breakdown["revenue"].sum()
    names = [labels[1], *steps[by].astype(str), labels[0]]
    fig, ax = _figure(max(6.0, 0.8 * len(names) + 2), 4.5)
    ax.bar(0, start, color=_PREVIOUS)
    level = start
    for i, change in enumerate(steps["change"], start=1):
        ax.bar(i, change, bottom=level, color=_UP if change >= 0 else _DOWN)
        ax.annotate(format_amount(change), (i, level + max(change, 0)), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)
        level += change
    ax.bar(len(names) - 1, end, color=_CURRENT)
    top_level = max(start, end, *(start + steps["change"].cumsum()))
    ax.set_ylim(min(0.0, *(start + steps["change"].cumsum())), top_level * 1.1)
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.yaxis.set_major_formatter(_AMOUNT)
    ax.set_ylabel(header("revenue"))
    growth = f" ({fmt_pct(end / start - 1, signed=True)})" if start > 0 else ""
    ax.set_title(title or _("Revenue bridge by {dimension}: {start} to {end}{growth}").format(
        dimension=header(by), start=format_amount(start), end=format_amount(end), growth=growth))
    _tidy(ax)
    return fig


def plot_pareto(
    classes: pd.DataFrame, *, thresholds: tuple[float, float, float] = (0.80, 0.15, 0.05), title: str | None = None
) -> Figure:
    """Pareto curve (cumulative revenue share against share of entities) with the A/B/C cuts.

    Parameters
    ----------
    classes : DataFrame
        ``planlib.abc_analysis.classify_abc`` output.
    thresholds : tuple of 3 floats, default (0.80, 0.15, 0.05)
        The thresholds used for the classes (drawn as horizontal lines).
    title : str, optional
    """
    by = classes.columns[0]
    n = len(classes)
    x = np.concatenate([[0.0], np.arange(1, n + 1) / max(n, 1)])
    y = np.concatenate([[0.0], classes["cumulative_share"].fillna(0).to_numpy(dtype=float)])
    fig, ax = _figure(7.0, 4.8)
    ax.plot(x, y, color="black", linewidth=1.8)
    ax.plot([0, 1], [0, 1], color=_PREVIOUS, linestyle=":", linewidth=1, label=_("equal shares"))
    start = 0.0
    for klass in ("A", "B", "C"):
        members = classes["abc_class"].to_numpy() == klass
        count = int(members.sum())
        if not count:
            continue
        stop = start + count / n
        revenue_share = classes.loc[members, "revenue"].sum() / classes["revenue"].sum() if classes["revenue"].sum() else np.nan
        ax.axvspan(start, stop, color=_CLASS_COLORS[klass], alpha=0.12, linewidth=0)
        ax.text((start + stop) / 2, 0.04, _("{cls}\n{count}\n{share} rev.").format(cls=klass, count=f"{count:,}", share=f"{revenue_share:.0%}"), ha="center", va="bottom", fontsize=8)
        if klass != "C":
            ax.axvline(stop, color=_CLASS_COLORS[klass], linestyle="--", linewidth=1)
        start = stop
    cut = 0.0
    for klass, share in zip(("A", "B"), thresholds[:2]):
        cut += share
        ax.axhline(cut, color=_CLASS_COLORS[klass], linestyle="--", linewidth=1, label=_("{cls} cut {cut}").format(cls=klass, cut=f"{cut:.0%}"))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    noun = _("customers") if by == "customer_id" else _("{dimension}s").format(dimension=header(by))
    ax.set_xlabel(_("share of {things} (largest first, {n} in all)").format(things=noun, n=f"{n:,}"))
    ax.set_ylabel(_("cumulative share of revenue"))
    ax.set_title(title or _("Pareto curve of {things} with ABC classes").format(things=noun))
    ax.legend(frameon=False, loc="center right")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def plot_seasonality(profile: pd.DataFrame, indices: pd.DataFrame | None = None, *, title: str | None = None) -> Figure:
    """Monthly seasonal index: mean line, min-max band across years, each year faintly.

    Parameters
    ----------
    profile : DataFrame
        ``planlib.review.profile_seasonality`` output.
    indices : DataFrame, optional
        ``planlib.review.compute_monthly_indices`` output, to draw each year.
    title : str, optional
    """
    x = profile["month"].to_numpy()
    fig, ax = _figure()
    ax.fill_between(x, profile["min"], profile["max"], color=_CURRENT, alpha=0.15, linewidth=0, label=_("min-max across years"))
    if indices is not None:
        for year, rows in indices.groupby("year"):
            ax.plot(rows["month"], rows["index"], color=_PREVIOUS, linewidth=0.8, alpha=0.7)
            ax.annotate(str(year), (rows["month"].iloc[-1], rows["index"].iloc[-1]), xytext=(3, 0), textcoords="offset points", fontsize=7, color=_PREVIOUS)
    ax.plot(x, profile["mean"], color=_CURRENT, linewidth=2.2, marker="o", markersize=4, label=_("mean index"))
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
    ax.set_xticks(x, _month_labels(profile["month"]))
    ax.set_xlabel(_("month"))
    ax.set_ylabel(_("index (1.0 = average month)"))
    n = int(profile["n_years"].max()) if len(profile) else 0
    heading = _("Seasonality: monthly revenue index over {n} year") if n == 1 else _("Seasonality: monthly revenue index over {n} years")
    ax.set_title(title or heading.format(n=n))
    ax.legend(frameon=False)
    _tidy(ax)
    return fig


def plot_monthly_intake(months: pd.DataFrame, *, currency: str = "", title: str | None = None) -> Figure:
    """Revenue by month as loaded, with incomplete months shown hatched.

    Parameters
    ----------
    months : DataFrame
        ``planlib.data.summarize_months`` output (``month, revenue, complete``).
    """
    fig, ax = _figure(9.0, 4.0)
    x = pd.to_datetime(months["month"])
    complete = months["complete"].to_numpy(bool)
    ax.bar(x[complete], months.loc[complete, "revenue"], width=25, color=_CURRENT, label=_("complete month"))
    if (~complete).any():
        ax.bar(x[~complete], months.loc[~complete, "revenue"], width=25, color="white", edgecolor=_DOWN, hatch="//", label=_("incomplete month (left out of the forecast fit)"))
    ax.yaxis.set_major_formatter(_AMOUNT)
    ax.set_ylabel(header("revenue") + (f" ({currency})" if currency else ""))
    ax.set_title(title or _("Revenue by month, as loaded"))
    ax.legend(frameon=False, loc="upper left")
    _tidy(ax)
    return fig


def plot_gap_closure(ledger: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Waterfall of the gap ledger: baseline, each action type's incremental effect, the plan, the target.

    Parameters
    ----------
    ledger : DataFrame
        ``planlib.actions.build_gap_ledger`` output; the chart reads only its
        ``incremental`` column, so effects already inside the baseline are not stacked
        and its title states the ledger's own remaining gap.
    title : str, optional
    """
    lines = ledger.assign(incremental=pd.to_numeric(ledger["incremental"], errors="coerce").fillna(0.0))
    target = float(lines.loc[lines["kind"] == "target", "incremental"].iloc[0])
    baseline = float(lines.loc[lines["kind"] == "baseline", "incremental"].iloc[0])
    remaining = float(lines.loc[lines["kind"] == "remaining_gap", "incremental"].iloc[0])
    acts = lines[(lines["kind"] == "action") & (lines["incremental"] != 0)]
    steps = (acts.groupby("action_type", sort=False)["incremental"].sum().reset_index()
             .sort_values("incremental", ascending=False, kind="stable"))
    names = [_p("value", "baseline"), *[str(value_label("action_type", t)).replace("_", " ") for t in steps["action_type"]], _p("value", "plan")]
    fig, ax = _figure(max(6.0, 0.9 * len(names) + 2), 4.5)
    ax.bar(0, baseline, color=_PREVIOUS)
    level = baseline
    for i, value in enumerate(steps["incremental"], start=1):
        ax.bar(i, value, bottom=level, color=_UP if value >= 0 else _DOWN)
        ax.annotate(format_amount(value), (i, level + max(value, 0)), xytext=(0, 2), textcoords="offset points",
                    ha="center", fontsize=8)
        level += value
    ax.bar(len(names) - 1, level, color=_CURRENT)
    ax.axhline(target, color="black", linestyle="--", linewidth=1, label=_("target {amount}").format(amount=format_amount(target)))
    low = min(baseline, level, target)
    ax.set_ylim(max(0.0, low * 0.9), max(level, target) * 1.05)
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.yaxis.set_major_formatter(_AMOUNT)
    ax.set_ylabel(header("revenue"))
    verdict = (_("Closing the gap of {gap}: {remaining} of the gap remains open") if remaining > 0 else
               _("Closing the gap of {gap}: the plan has {spare} to spare"))
    ax.set_title(title or verdict.format(gap=format_amount(target - baseline), remaining=format_amount(remaining), spare=format_amount(-remaining)))
    ax.legend(frameon=False, loc="upper left")
    _tidy(ax)
    return fig


def plot_capacity(capacity: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Visits needed against visit capacity per month, with the rep-months over capacity.

    Parameters
    ----------
    capacity : DataFrame
        ``planlib.actions.check_capacity`` output.
    title : str, optional
    """
    months = (capacity.assign(over=~capacity["feasible"].astype(bool))
              .groupby("month").agg(visits=("visits", "sum"), capacity=("capacity", "sum"), over=("over", "sum"))
              .reset_index())
    x = np.arange(len(months))
    fig, ax = _figure(9.0, 4.5)
    ax.bar(x, months["visits"], color=_CURRENT, label=_("visits needed"))
    ax.plot(x, months["capacity"], color="black", marker="o", markersize=4, linewidth=1.5, label=_("visit capacity"))
    for xi, visits, over in zip(x, months["visits"], months["over"]):
        if over:
            ax.annotate(f"{int(over)}", (xi, visits), xytext=(0, 3), textcoords="offset points", ha="center",
                        fontsize=8, color=_DOWN)
    ax.plot([], [], linestyle="none", marker="$n$", color=_DOWN, label=_("reps over capacity (number on the bar)"))
    top = float(max(months["visits"].max(), months["capacity"].max())) if len(months) else 1.0
    ax.set_ylim(0, top * 1.1 if top > 0 else 1.0)
    ax.set_xticks(x, _month_labels(months["month"]))
    ax.yaxis.set_major_formatter(_COUNT)
    ax.set_ylabel(_("visits per month"))
    n_over = int((~capacity["feasible"].astype(bool)).sum())
    ax.set_title(title or _("Before rebalancing, each rep alone: {over} of {total} rep-months over capacity").format(
        over=n_over, total=len(capacity)))
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3)
    _tidy(ax)
    return fig


def plot_target_distribution(
    year_totals: np.ndarray, *, target: float, last_year: float, options: pd.DataFrame | None = None, title: str | None = None
) -> Figure:
    """Histogram of the simulated plan-year totals with the target, last year and the options marked.

    Parameters
    ----------
    year_totals : array of float
        Simulated totals of the plan year (the forecast's paths).
    target : float
        The annual target; the shaded area right of it is its probability of being reached.
    options : DataFrame, optional
        ``planlib.targets.compare_target_options`` output (``method, amount``).
    """
    fig, ax = _figure(8.5, 4.0)
    totals = np.asarray(year_totals, dtype=float)
    counts, edges, patches = ax.hist(totals, bins=40, color=_PREVIOUS, alpha=0.7)
    for patch, left in zip(patches, edges[:-1]):
        if left >= target:
            patch.set_facecolor(_UP)
    ax.axvline(last_year, color="black", linestyle=":", label=_("last year {amount}").format(amount=format_amount(last_year)))
    ax.axvline(target, color=_DOWN, linewidth=2, label=_("target {amount} (P(reach) {p})").format(
        amount=format_amount(target), p=f"{np.mean(totals >= target):.0%}"))
    if options is not None:
        for _row_number, row in options.iterrows():
            ax.axvline(row["amount"], color=_CURRENT, linestyle="--", linewidth=1)
            ax.text(row["amount"], counts.max() * 0.95, f" {value_label('method', row['method'])}", color=_CURRENT, fontsize=8)
    ax.xaxis.set_major_formatter(_AMOUNT)
    ax.set_xlabel(_("plan-year revenue (simulated forecast paths)"))
    ax.set_ylabel(_("paths"))
    ax.set_title(title or _("How likely is the target? Forecast distribution of the plan year"))
    ax.legend(frameon=False, loc="upper left")
    _tidy(ax)
    return fig


def plot_monthly_targets(months: pd.DataFrame, *, last_year: pd.Series | None = None, title: str | None = None) -> Figure:
    """Monthly targets as bars, last year's actuals as a line (``months``: ``month, target``)."""
    fig, ax = _figure(8.5, 4.0)
    labels = _month_labels(months["month"])
    ax.bar(labels, months["target"], color=_CURRENT, label=_("target"))
    if last_year is not None:
        ax.plot(labels, last_year.to_numpy(), color=_PREVIOUS, marker="o", label=_("last year actual"))
    ax.yaxis.set_major_formatter(_AMOUNT)
    ax.set_title(title or _("Monthly targets against last year"))
    ax.legend(frameon=False)
    _tidy(ax)
    return fig


def plot_tracking(by_month: pd.DataFrame, *, segment: str = "Total", dimension: str = "total", title: str | None = None) -> Figure:
    """Monthly target vs actual of one segment, with cumulative attainment (``compare_to_plan(by_month=True)``)."""
    rows = by_month.loc[(by_month["dimension"] == dimension) & (by_month["segment"].astype(str) == segment)].sort_values("month")
    fig, ax = _figure(8.5, 4.0)
    labels = _month_labels(rows["month"])
    x = np.arange(len(rows))
    ax.bar(x - 0.2, rows["plan_to_date"], width=0.4, color=_PREVIOUS, label=_("plan to date"))
    colors = [_UP if a >= 1 else _DOWN for a in rows["attainment"].fillna(0)]
    ax.bar(x + 0.2, rows["actual"], width=0.4, color=colors, label=_("actual (green: on plan)"))
    ax.set_xticks(x, labels)
    ax.yaxis.set_major_formatter(_AMOUNT)
    cumulative = rows["actual"].cumsum() / rows["plan_to_date"].cumsum()
    twin = ax.twinx()
    twin.plot(x, cumulative, color="black", marker="o", label=_("cumulative attainment"))
    twin.axhline(1.0, color="black", linestyle=":", linewidth=1)
    twin.yaxis.set_major_formatter(PercentFormatter(1.0))
    twin.set_ylim(min(0.5, float(cumulative.min()) - 0.05), max(1.2, float(cumulative.max()) + 0.05))
    ax.set_title(title or _("{segment}: actual vs plan by month").format(segment=_p("value", segment)))
    handles = ax.get_legend_handles_labels()
    extra = twin.get_legend_handles_labels()
    ax.legend(handles[0] + extra[0], handles[1] + extra[1], frameon=False, loc="upper left")
    _tidy(ax)
    return fig


def plot_forecast(series: pd.DataFrame, forecast: pd.DataFrame, *, unique_id: str = "Total", title: str | None = None) -> Figure:
    """History of one series, its forecast mean and the P10-P90 band."""
    history = series.loc[series["unique_id"] == unique_id].sort_values("ds")
    future = forecast.loc[forecast["unique_id"] == unique_id].sort_values("ds")
    fig, ax = _figure(9.0, 4.0)
    ax.plot(history["ds"], history["y"], color=_PREVIOUS, label=_("actual"))
    ax.plot(future["ds"], future["mean"], color=_CURRENT, label=_("forecast (mean)"))
    if {"p10", "p90"} <= set(future.columns):
        ax.fill_between(future["ds"], future["p10"], future["p90"], color=_CURRENT, alpha=0.2, label=_("P10-P90"))
    ax.yaxis.set_major_formatter(_AMOUNT)
    ax.set_title(title or _("{series}: history and forecast").format(series=unique_id))
    ax.legend(frameon=False, loc="upper left")
    _tidy(ax)
    return fig
