"""Wiring between the notebooks: which artifact comes from which stage, read or built on demand.

A notebook asks ``run.table("orders")``: inside a pack it reads what an earlier
notebook wrote; run alone in JupyterLab it builds the missing upstream tables
through planlib. Stage modules stay free of I/O; all of it happens here and in ``io``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from planlib import data, i18n, io, paths, schema
from planlib.periods import resolve_period
from planlib.plan import Plan, load_plan



@dataclass
class Run:
    """One execution of the cycle: the plan, its data cut-off and the pack folder it writes to."""

    plan: Plan
    root: Path
    pack: Path
    period: str
    as_of: dt.date
    scratch: bool = False
    params_file: Path | None = None
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _built: set[str] = field(default_factory=set, repr=False)
    _annual: "Run | None" = field(default=None, repr=False)  # scratch run of the annual plan (quarterly runs)

    @property
    def is_quarterly(self) -> bool:
        """True for an in-year tracking pack (period ``YYYY-Qn``)."""
        return "-Q" in self.period

    def table(self, name: str, *, optional: bool = False) -> pd.DataFrame | None:
        """An artifact of this run: read from the pack, or built through planlib if missing.

        With ``optional=True`` a table the stage did not produce (e.g. quota attainment
        without a quota table) gives ``None`` instead of an error.
        """
        if name in self._cache:
            return self._cache[name]
        if self.is_quarterly and name in _ANNUAL_ONLY and not io.has_artifact(self.pack, name):
            frame = annual_table(self, name)
            if frame is None:
                if optional:
                    return None
                raise KeyError(f"the annual plan has no table '{name}'")
            self._cache[name] = frame
            return frame
        if not io.has_artifact(self.pack, name):
            builder = _BUILDERS.get(name)
            if builder is None:
                raise KeyError(f"no artifact '{name}' in {self.pack} and no stage that builds it")
            if name not in self._built and name not in io.absent_artifacts(self.pack):
                self._built.add(name)  # before the build: a stage that asks for its own table does not recurse
                produced = builder(self)
                for key, frame in produced.items():
                    self.save(key, frame)
                # what the stage did not produce for this plan is noted in the pack, so an
                # optional table asked for in another notebook does not run the stage again
                skipped = [other for other, built_by in _BUILDERS.items() if built_by is builder and other not in produced]
                io.mark_absent(self.pack, skipped)
                self._built.update({*produced, *skipped})
            if not io.has_artifact(self.pack, name):
                if optional:
                    return None
                raise KeyError(f"the stage that builds '{name}' did not produce it for this plan")
        frame = io.read_artifact(self.pack, name)
        self._cache[name] = frame
        return frame

    def columns(self, name: str, wanted: list[str]) -> pd.DataFrame:
        """Only the ``wanted`` columns of an artifact (those it has), read column by column from Parquet.

        Stages that need a few columns of the order lines read them this way: at millions of
        lines that is a fraction of the time and memory of the whole table.
        """
        if name not in self._cache and not io.has_artifact(self.pack, name):
            self.table(name)  # built by its stage, and kept at hand
        if name in self._cache:
            frame = self._cache[name]
            return frame[[c for c in wanted if c in frame.columns]]
        present = set(io.artifact_columns(self.pack, name))
        return io.read_artifact(self.pack, name, columns=[c for c in wanted if c in present])

    def save(self, name: str, frame: pd.DataFrame) -> Path:
        """Write an artifact of this run (Parquet) and keep it at hand."""
        self._cache[name] = frame
        return io.write_artifact(frame, self.pack, name)

    def resolve(self, path: str) -> Path:
        """A path from the params file, anchored on the project root."""
        return paths.resolve(path, self.root)


def open_run(
    params_path: str = "params/demo.yaml",
    *,
    pack_dir: str = "",
    period: str | int = "",
    as_of: str | int | dt.date = "",
    root: str | Path | None = None,
) -> Run:
    """Start a run from a notebook's parameters.

    Parameters
    ----------
    params_path : str
        The params file, relative to the project root.
    pack_dir : str, default ""
        The pack folder to read and write artifacts in; empty means a fresh scratch
        folder keyed by the inputs (see ``scratch_dir``), so a notebook run alone
        computes its upstream tables once and reuses them while nothing changed.
    period : str or int, default ""
        ``YYYY`` for the annual plan (the default: the plan year) or ``YYYY-Qn`` for a
        quarterly tracking pack; ``2025`` as an int is accepted (``papermill -p period 2025``).
    as_of : str, int or date, default ""
        Last day of data to use (``2025-06-30``, ``20250630`` or a date); defaults to the
        day before the plan year (annual) or the end of the quarter (quarterly).
    """
    project = paths.find_project_root(root)
    params_file = paths.resolve(params_path, project)
    plan = load_plan(params_file)
    i18n.activate(plan.report.language, plan.report.unit)  # every table, chart and sentence after this
    period, cutoff = resolve_period(plan, period=period, as_of=as_of)
    pack = Path(pack_dir) if pack_dir else scratch_dir(project, plan, params_file, period=period, as_of=cutoff)
    return Run(plan=plan, root=project, pack=pack, period=period, as_of=cutoff, scratch=not pack_dir, params_file=params_file)


def scratch_dir(root: Path, plan: Plan, params_file: Path, *, period: str, as_of: dt.date) -> Path:
    """Where a notebook run alone keeps its tables: ``reports/.scratch/<plan>-<period>-<fingerprint>``.

    The fingerprint covers the params file, the data files' size and time stamp and
    planlib's own source, so a change to any of them starts a fresh folder and
    notebooks run one after another (JupyterLab, nbval) reuse each other's tables.
    """
    digest = hashlib.sha256(f"{period}|{as_of}".encode())
    digest.update(params_file.read_bytes())
    for spec in (plan.data, plan.data.quotas, plan.data.reps, plan.targets.commitments):
        path = getattr(spec, "path", None)
        if path and paths.resolve(path, root).is_file():
            stat = paths.resolve(path, root).stat()
            digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    for source in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(source.read_bytes())
    folder = paths.reports_dir(root) / ".scratch" / f"{plan.plan}-{period}-{digest.hexdigest()[:12]}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def build_intake(run: Run) -> dict[str, pd.DataFrame]:
    """Load the plan's data, map it onto the contract, and describe what was done."""
    plan = run.plan
    spec = plan.data
    if spec.source == "demo":
        from planlib import demo

        raw = demo.generate_demo_orders(
            spec.demo.n_lines, seed=spec.demo.seed, start=str(spec.demo.start), end=str(spec.demo.end)
        )
        label, columns = i18n._("demo company"), {}
        side = demo.demo_side_tables(seed=spec.demo.seed, start=str(spec.demo.start), end=str(spec.demo.end))
    elif spec.source == "sql":
        raw = io.read_sql(spec.url, spec.query, password_env=spec.password_env, label="data.query")
        label, columns, side = "data.query", spec.columns, {}
    else:
        path = run.resolve(spec.path)
        label = spec.path
        raw = io.read_table(path, kind=spec.source, encoding=spec.encoding, sheet=spec.sheet, label=label)
        columns, side = spec.columns, {}
    tables = data.assemble_intake(raw, plan=plan, as_of=run.as_of, label=label, columns=columns, side_tables=side)
    if plan.data.quotas is not None:
        tables["quotas"] = _read_quotas(run)
    return tables


def _read_quotas(run: Run) -> pd.DataFrame:
    spec = run.plan.data.quotas
    raw = io.read_table(run.resolve(spec.path), encoding=spec.encoding, sheet=spec.sheet, label=spec.path)
    return data.canonicalize_quotas(raw, columns=spec.columns, label=spec.path, date_format=run.plan.data.date_format)


_INTAKE_TABLES = ("orders", "data_quality", "months", "coverage", "product_lines", "regions", "channels", "reps", "quotas")
_BUILDERS: dict[str, Callable[[Run], dict[str, pd.DataFrame]]] = {name: build_intake for name in _INTAKE_TABLES}


_ANNUAL_ONLY: set[str] = set()  # tables of the annual plan: a quarterly run reads them, never rebuilds them


def register_builder(names: tuple[str, ...], builder: Callable[[Run], dict[str, pd.DataFrame]], *, annual_only: bool = False) -> None:
    """Declare which stage builds which artifacts (used by the stage wiring below)."""
    for name in names:
        _BUILDERS[name] = builder
        if annual_only:
            _ANNUAL_ONLY.add(name)


def order_lines(run: Run, *, without: tuple[str, ...] = (schema.QUANTITY,)) -> pd.DataFrame:
    """The order lines a stage reads: every canonical column but ``without``, read column by column.

    No stage after the intake uses ``quantity``; only the review (ABC of products) uses
    ``product`` and only the review, actions and tracking use ``cost``. At millions of
    lines each column left on disk saves its read and its memory.
    """
    return run.columns("orders", [c for c in schema.ALL_COLUMNS if c not in without])


def review_as_of(run: Run) -> pd.Timestamp:
    """Last day the review may use: the end of the review year, of the data, or of its last complete month."""
    months = run.table("months")
    end = pd.Timestamp(min(run.as_of, run.plan.history_end))
    last = data.last_complete_month(months.loc[months["month"] <= end])
    return min(end, last + pd.offsets.MonthEnd(0)) if last is not None else end


def build_review(run: Run) -> dict[str, pd.DataFrame]:
    """Every table of the review of the past year (notebook 01)."""
    from planlib import abc_analysis, customers, review, spring_festival

    orders = order_lines(run)
    year, as_of = run.plan.review_year, review_as_of(run)
    thresholds = run.plan.review.abc_thresholds
    window = {"year": year, "as_of": as_of}
    tables = {
        "kpis": review.compute_kpis(orders, **window),
        "kpis_by_month": review.compute_kpis_by_period(orders, freq="month", **window),
        "kpis_by_quarter": review.compute_kpis_by_period(orders, freq="quarter", **window),
        "breakdown_product_line": review.break_down(orders, by=schema.PRODUCT_LINE, side_table=run.table("product_lines")[[schema.PRODUCT_LINE, schema.ROLE]], **window),
        "breakdown_role": review.break_down(orders, by=schema.ROLE, side_table=run.table("product_lines")[[schema.PRODUCT_LINE, schema.ROLE]], **window),
        "breakdown_region": review.break_down(orders, by=schema.REGION, side_table=run.table("regions")[[schema.REGION, schema.STAGE]], **window),
        "customer_kpis": customers.compute_customer_kpis(orders, **window),
        "customer_groups": customers.compute_customer_groups(orders, **window),
        "cohorts": customers.compute_cohorts(orders, value="customers", freq="quarter", as_of=as_of),
        "abc_customers": abc_analysis.classify_abc(orders, by=schema.CUSTOMER_ID, thresholds=thresholds, **window),
        "abc_transitions": abc_analysis.track_abc_transitions(orders, by=schema.CUSTOMER_ID, thresholds=thresholds, **window),
        "seasonality_indices": review.compute_monthly_indices(orders, as_of=as_of),
    }
    if schema.PRODUCT in orders.columns:
        tables["abc_products"] = abc_analysis.classify_abc(orders, by=schema.PRODUCT, thresholds=thresholds, **window)
    if schema.CHANNEL in orders.columns:
        tables["breakdown_channel"] = review.break_down(orders, by=schema.CHANNEL, side_table=run.table("channels")[[schema.CHANNEL, schema.STAGE]], **window)
    if schema.REP in orders.columns:
        reps = run.table("reps")
        tables["breakdown_rep"] = review.break_down(orders, by=schema.REP, **window)
        tables["rep_productivity"] = review.compute_rep_productivity(orders, reps=reps, **window)
        tables["rep_ramp"] = review.compute_rep_ramp(orders, reps=reps, **window)
        if run.plan.data.quotas is not None:
            tables["attainment"] = review.compute_attainment(orders, run.table("quotas"), **window)
    tables["seasonality_profile"] = review.profile_seasonality(tables["seasonality_indices"])
    if uses_spring_festival(run.plan):
        tables["spring_festival"] = spring_festival.split_by_year(tables["seasonality_indices"])
    return tables


REVIEW_TABLES = (
    "kpis", "kpis_by_month", "kpis_by_quarter", "breakdown_product_line", "breakdown_role", "breakdown_region",
    "breakdown_channel", "breakdown_rep", "customer_kpis", "customer_groups", "cohorts", "abc_customers",
    "abc_products", "abc_transitions", "rep_productivity", "rep_ramp", "attainment", "seasonality_indices",
    "seasonality_profile", "spring_festival",
)
register_builder(REVIEW_TABLES, build_review)


def uses_spring_festival(plan: Plan) -> bool:
    """The forecast re-splits January/February by the Spring Festival: as params say, else with a Chinese calendar."""
    if plan.forecast.spring_festival is not None:
        return plan.forecast.spring_festival
    return plan.actions.calendar == "cn_retail"


def forecast_horizon(last_complete: pd.Timestamp, plan_year: int) -> int:
    """Months from the one after ``last_complete`` through December of the plan year."""
    return (plan_year * 12 + 12) - (last_complete.year * 12 + last_complete.month)


def build_forecast(run: Run) -> dict[str, pd.DataFrame]:
    """Baseline forecast of every segment through the plan year, backtested (notebook 02)."""
    from planlib import forecast as fc

    plan, spec = run.plan, run.plan.forecast
    last = data.last_complete_month(run.table("months"))
    dims = sorted({dim for level in spec.levels for dim in level})
    orders = run.columns("orders", [schema.ORDER_DATE, schema.REVENUE, *dims])  # not the whole line table
    # a level the data cannot show (no channel column in the export) is left out and said so
    levels = [list(level) for level in spec.levels if all(dim in orders.columns for dim in level)]
    left_out = [" x ".join(level) for level in spec.levels if not all(dim in orders.columns for dim in level)]
    series = fc.build_monthly_series(orders, levels, last_complete_month=last)
    horizon = forecast_horizon(last, plan.plan_year)
    result = fc.forecast_series(
        series, horizon=horizon, model=spec.model, quantiles=spec.quantiles, n_jobs=spec.n_jobs, n_paths=spec.n_paths, seed=spec.seed,
        spring_festival=uses_spring_festival(plan),
    )
    in_year = result.forecast["ds"].dt.year == plan.plan_year
    months_in_year = int(in_year.groupby(result.forecast["unique_id"]).sum().iloc[0])
    # simulated year totals kept to 4 significant digits (0.01%, far inside their spread): the
    # digits beyond differ between BLAS kernels and would move every probability-set target
    year_paths = pd.DataFrame(
        _significant(result.paths[:, -months_in_year:, :].sum(axis=1).T, 4), columns=list(result.year_paths.columns)
    )
    return {
        "series": series,
        "forecast": result.forecast,
        "forecast_plan_year": result.forecast.loc[in_year].reset_index(drop=True),
        "year_paths": year_paths,
        "backtest": result.backtest,
        "backtest_forecasts": result.backtest_forecasts,
        "forecast_coverage": result.coverage,
        "reconciliation_scores": result.reconciliation_scores.assign(chosen_method=result.reconciliation),
        "forecast_warnings": pd.DataFrame(
            {"warning": [*(f"level {name} not forecast: the data has no such column" for name in left_out),
                         *result.warnings]}, dtype="string"),
        # actual to date + remaining forecast = the plan year (year_paths hold the open months only)
        "year_outlook": fc.year_outlook(
            series, result.forecast, result.paths, list(result.year_paths.columns), plan_year=plan.plan_year
        ),
    }


def _significant(values: np.ndarray, digits: int) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits (zeros and non-finite values kept)."""
    values = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent = np.floor(np.log10(np.abs(values)))
    scale = np.where(np.isfinite(exponent), 10.0 ** (exponent - digits + 1), 1.0)
    return np.where(np.isfinite(exponent), np.round(values / scale) * scale, values)


FORECAST_TABLES = (
    "series", "forecast", "forecast_plan_year", "year_paths", "backtest", "backtest_forecasts",
    "forecast_coverage", "reconciliation_scores", "forecast_warnings", "year_outlook",
)
register_builder(FORECAST_TABLES, build_forecast)


def target_inputs(run: Run) -> "TargetInputs":
    """Gather what the target decomposition reads from earlier artifacts."""
    from planlib.decompose import TargetInputs

    commitments = None
    spec = run.plan.targets.commitments
    if spec is not None:
        raw = io.read_table(run.resolve(spec.path), encoding=spec.encoding, sheet=spec.sheet, label=spec.path)
        commitments = data.canonicalize_commitments(raw, columns=spec.columns, label=spec.path)
    return TargetInputs(
        forecast=run.table("forecast_plan_year"),
        year_total_paths=run.table("year_paths")[schema.TOTAL_ID].to_numpy(),
        year_paths=run.table("year_paths"),
        orders=order_lines(run, without=(schema.QUANTITY, schema.PRODUCT, schema.COST)),
        product_lines=run.table("product_lines"),
        regions=run.table("regions"),
        channels=run.table("channels", optional=True),
        reps=run.table("reps", optional=True),
        plan_year=run.plan.plan_year,
        commitments=commitments,
    )


def build_targets(run: Run) -> dict[str, pd.DataFrame]:
    """Every target table of the plan (notebook 03)."""
    from planlib.decompose import decompose_targets

    return decompose_targets(target_inputs(run), run.plan.targets)


TARGET_TABLES = (
    "target_options", "annual_target", "targets_month", "quarter_weights", "targets_product_line", "targets_region",
    "targets_channel", "targets_customer_type", "targets_rep", "rep_fairness", "targets_cube", "targets_rep_cube",
    "commitments_gap", "quota_reconciliation", "smart_targets", "targets_long",
)
register_builder(TARGET_TABLES, build_targets, annual_only=True)


def annual_table(run: Run, name: str) -> pd.DataFrame | None:
    """A table of the annual plan, for a quarterly run: from the annual pack, else (scratch only) rebuilt."""
    annual_pack = _annual_pack(run)
    if annual_pack is not None:
        return io.read_artifact(annual_pack, name) if io.has_artifact(annual_pack, name) else None
    if run._annual is None:
        run._annual = open_run(str(run.params_file), root=run.root)
    return run._annual.table(name, optional=True)


def _annual_pack(run: Run) -> Path | None:
    """The annual pack a quarterly run tracks; ``None`` (scratch runs only) when it is not there yet.

    Inside a pack a quarterly run never recomputes its annual plan: no pack is an error.
    """
    annual_pack = paths.pack_dir(run.root, run.plan.plan, str(run.plan.plan_year))
    if (annual_pack / "manifest.json").is_file():
        return annual_pack
    if not run.scratch:
        from planlib.errors import PackError

        raise PackError.no_annual_pack(annual_pack.relative_to(run.root),
                                       run.params_file.relative_to(run.root) if run.params_file else "params/<plan>.yaml")
    return None


def annual_plan(run: Run) -> tuple[dict[str, pd.DataFrame], str]:
    """The annual plan a quarterly run tracks: its targets (and checkpoints) and where they came from.

    Read from the annual pack ``reports/<plan>/<year>/``; never recomputed inside a pack.
    A notebook run alone without that pack builds the annual plan in its own scratch
    folder and says so.
    """
    annual_pack = _annual_pack(run)
    tables = {name: table for name in ("targets_long", "checkpoints") if (table := annual_table(run, name)) is not None}
    if annual_pack is not None:
        return tables, i18n._("annual plan read from {path}").format(path=annual_pack.relative_to(run.root))
    return tables, i18n._("annual plan computed in a scratch folder (no annual pack in reports/ yet)")


def build_tracking(run: Run) -> dict[str, pd.DataFrame]:
    """Actual vs plan, checkpoints, behaviour and the re-spread of the rest of the year (notebook 05)."""
    from planlib import tracking

    plan = run.plan
    spec = plan.tracking
    tables, source = annual_plan(run)
    plan_long = tables["targets_long"]
    orders = order_lines(run, without=(schema.QUANTITY, schema.PRODUCT))
    year_start = pd.Timestamp(plan.plan_year, 1, 1)
    in_year = orders.loc[orders[schema.ORDER_DATE] >= year_start]
    history = orders.loc[orders[schema.ORDER_DATE] < year_start]
    as_of = pd.Timestamp(run.as_of)
    out = {
        "annual_targets_long": plan_long,
        "tracking_source": pd.DataFrame({"source": [source]}),
        "tracking": tracking.compare_to_plan(plan_long, in_year, as_of=as_of, history=history, green=spec.green, amber=spec.amber),
        "tracking_by_month": tracking.compare_to_plan(plan_long, in_year, as_of=as_of, history=history, green=spec.green, amber=spec.amber, by_month=True),
        "behaviour": tracking.compute_behaviour(in_year, as_of=as_of, history=history),
    }
    margins = annual_table(run, "margin_targets")
    if margins is not None and (gp := tracking.compare_margin(margins, out["tracking"], in_year, as_of=as_of)) is not None:
        out["margin_tracking"] = gp
    if "checkpoints" in tables:
        out["checkpoint_status"] = tracking.check_checkpoints(tables["checkpoints"], in_year, as_of=as_of, history=history)
    year_closed = as_of >= pd.Timestamp(plan.plan_year, 12, 31)  # year-end pack: nothing left to re-forecast
    respread = tracking.respread_remaining(
        plan_long, in_year, as_of=as_of, carry_forward=spec.policy, reforecast=None if year_closed else reforecast_frame(run),
        history=history, reps=run.table("reps", optional=True),
    )
    out["respread"] = respread
    out["respread_by_segment"] = tracking.summarize_respread_by_segment(respread)
    if not year_closed and len(respread):
        out["replan_outlook"] = tracking.replan_outlook(respread, run.table("year_paths", optional=True))
    out["target_changes"] = tracking.summarize_changes(respread)
    out["replanned_targets_long"] = tracking.apply_respread(plan_long, respread)
    return out


def reforecast_frame(run: Run) -> pd.DataFrame:
    """The re-forecast of the open months as ``dimension, segment, month, mean`` (one-dimension series)."""
    forecast = run.table("forecast")
    ids = forecast[schema.UNIQUE_ID].astype(str)
    single = ~ids.str.contains("|", regex=False)
    frame = forecast.loc[single, [schema.UNIQUE_ID, schema.DS, "mean"]].copy()
    parts = frame[schema.UNIQUE_ID].astype(str).str.split("=", n=1, expand=True)
    frame["dimension"] = parts[0].where(parts[1].notna(), "total")
    frame["segment"] = parts[1].fillna(schema.TOTAL_ID)
    return frame.rename(columns={schema.DS: "month"})[["dimension", "segment", "month", "mean"]].reset_index(drop=True)


TRACKING_TABLES = (
    "annual_targets_long", "tracking_source", "tracking", "tracking_by_month", "margin_tracking", "behaviour", "checkpoint_status",
    "respread", "respread_by_segment", "replan_outlook", "target_changes", "replanned_targets_long",
)
register_builder(TRACKING_TABLES, build_tracking)


def build_actions(run: Run) -> dict[str, pd.DataFrame]:
    """Funnel, capacity, action calendar, service levels, budget and checkpoints (notebook 04)."""
    from planlib import actions

    plan, spec = run.plan, run.plan.actions
    long = run.table("targets_long")
    orders = order_lines(run, without=(schema.QUANTITY, schema.PRODUCT))
    history_end = pd.Timestamp(min(run.as_of, plan.history_end))
    tables: dict[str, pd.DataFrame] = {}
    reps = run.table("reps", optional=True)
    rep_rows = long.loc[long["dimension"] == schema.REP]
    if reps is not None and len(rep_rows):
        regions = run.table("targets_rep").set_index(schema.REP)[schema.REGION]
        rep_targets = rep_rows.rename(columns={"segment": schema.REP})[[schema.REP, "month", "target"]]
        rep_targets.insert(1, schema.REGION, rep_targets[schema.REP].map(regions).fillna("(none)"))
        funnel = actions.plan_funnel(
            rep_targets, orders, win_rate=spec.win_rate, proposal_per_visit=spec.proposal_per_visit,
            visits_per_lead=spec.visits_per_lead, deal_size=spec.deal_size, min_orders=spec.min_orders_for_deal_size,
            as_of=history_end,
        )
        tables["funnel"] = funnel
        tables["capacity"] = actions.check_capacity(funnel, reps, max_visits_per_rep_month=spec.max_visits_per_rep_month)
    elif (owner := actions.choose_funnel_owner(long)) is not None:
        # no rep column: regions (or channels) own the activity plan; no rep and no head count is invented
        tables["funnel"] = actions.plan_owner_funnel(
            long, orders, owner=owner, win_rate=spec.win_rate, proposal_per_visit=spec.proposal_per_visit,
            visits_per_lead=spec.visits_per_lead, deal_size=spec.deal_size, min_orders=spec.min_orders_for_deal_size,
            as_of=history_end,
        )
    baseline = float(run.table("forecast_plan_year").loc[lambda f: f[schema.UNIQUE_ID].astype(str) == schema.TOTAL_ID, "mean"].sum())
    annual = run.table("annual_target").set_index("step")
    target = float(annual.loc["final", "amount"])
    customers = run.table("targets_customer_type").set_index("customer_type")
    calendar = actions.build_action_calendar(
        orders, plan_year=plan.plan_year, baseline=baseline, new_customers_needed=int(customers.loc["new", "customers"]),
        product_lines=run.table("product_lines"), spec=spec, as_of=history_end,
    )
    tables["action_calendar"] = calendar
    tables["actions_dropped"] = pd.DataFrame({"action_dropped": pd.Series(calendar.attrs.get("dropped", []), dtype=object)})
    ledger = actions.build_gap_ledger(calendar, target=target, baseline=baseline)
    tables["gap_closure"] = ledger
    funnel = tables.get("funnel")
    per_visit = float(funnel["target"].sum() / funnel["visits"].sum()) if funnel is not None and funnel["visits"].sum() > 0 else None
    tables["gap_options"] = actions.propose_gap_closing(ledger, revenue_per_visit=per_visit, visits_per_rep_year=12 * spec.max_visits_per_rep_month)
    tables["service_levels"] = actions.plan_service_levels(run.table("abc_customers"), orders, year=plan.review_year, spec=spec)
    checkpoint_targets = long
    if "capacity" in tables:
        # one visit budget: service visits to existing customers count with the funnel; levers before hires
        book = actions.plan_service_book(run.table("abc_customers"), orders, year=plan.review_year, reps=rep_targets)
        types = customers["target"]
        new_share = float(types.get("new", 0.0) / types["total"]) if types.get("total", 0) else 0.0
        tables["visit_plan"], tables["capacity_levers"], tables["hiring_plan"] = actions.plan_capacity(
            tables["capacity"], book, levels={k: v.visits_per_month for k, v in spec.service_levels.items()},
            new_share=new_share, visits_per_rep_month=spec.max_visits_per_rep_month, ramp_months=plan.targets.ramp_months,
            cost_per_rep_year=spec.rep_cost_per_year,
        )
        # the quotas follow the result: hire seats carry part of their region's quota (03's tables stay as they are)
        tables["targets_rep_after_capacity"] = actions.assign_hire_quotas(rep_targets, tables["visit_plan"])
        checkpoint_targets = actions.apply_rep_quotas(long, tables["targets_rep_after_capacity"])
    budget = actions.allocate_budget(calendar, long, orders, budget=spec.budget, as_of=history_end)
    tables["budget_split"] = budget
    tables["budget_ledger"] = actions.build_budget_ledger(ledger, budget, budget=spec.budget)
    if (long["dimension"] == schema.CHANNEL).any():
        tables["channel_support"] = actions.plan_channel_support(long, budget, spec=spec)
    if reps is not None and len(rep_rows):
        tables["incentives"], tables["incentive_sensitivity"] = actions.plan_incentives(
            run.table("targets_rep"), run.table("year_paths"), curve=spec.incentives
        )
    margins = actions.plan_margin_targets(run.table("targets_cube"), orders, as_of=history_end)
    if margins is not None:
        tables["margin_targets"] = margins
    tables["checkpoints"] = actions.build_checkpoints(checkpoint_targets)
    tables["review_cadence"] = actions.build_review_cadence(spec=spec)
    return tables


ACTION_TABLES = (
    "funnel", "capacity", "action_calendar", "actions_dropped", "gap_closure", "gap_options", "service_levels", "visit_plan", "capacity_levers", "hiring_plan", "targets_rep_after_capacity", "budget_split", "budget_ledger", "margin_targets", "incentives", "incentive_sensitivity", "channel_support",
    "checkpoints", "review_cadence",
)
register_builder(ACTION_TABLES, build_actions, annual_only=True)
