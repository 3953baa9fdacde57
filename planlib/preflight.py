"""What ``planlib validate`` checks beyond the params: the inputs a pack will read.

Only headers and the date column are read (cheap), so a missing file, a missing
column or a plan year the data cannot support stops in seconds, not minutes into a pack.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd

from planlib import data, io, paths, schema
from planlib.errors import DataError, ParamsError
from planlib.plan import Plan, TableSource

# canonical columns each side table must provide (mapped through its ``columns``)
SIDE_TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "data.quotas": ("rep", "date", "quota"),
    "targets.commitments": ("rep", "amount"),
    "data.reps": ("rep",),
}


def check_inputs(plan: Plan, root: Path) -> list[str]:
    """Check the plan's data and side tables without running anything; one line per check passed.

    Raises
    ------
    DataError
        A file is missing or unreadable, or lacks a mapped column, or holds dates that do not parse.
    ParamsError
        The plan year lies outside what the data covers, or ``data.password_env`` is not set.
    """
    done = [_check_orders(plan, root)]
    for key, spec in (
        ("data.quotas", plan.data.quotas),
        ("targets.commitments", plan.targets.commitments),
        ("data.reps", plan.data.reps),
    ):
        if spec is not None:
            done.append(_check_side_table(key, spec, root))
    return done


def _check_orders(plan: Plan, root: Path) -> str:
    spec = plan.data
    if spec.source == "demo":
        _check_period(plan, pd.Timestamp(spec.demo.start), pd.Timestamp(spec.demo.end), "the demo company")
        from planlib import demo

        sides = demo.demo_side_tables(seed=spec.demo.seed, start=str(spec.demo.start), end=str(spec.demo.end))
        table = sides["product_lines"]
        roles = dict(zip(table[schema.PRODUCT_LINE].astype(str), table[schema.ROLE].astype(str)))
        _check_roles(plan, {**roles, **{k: v for k, v in spec.product_lines.items() if k in roles}}, "the demo company")
        _check_overrides(plan, {key: sides[f"{key}s"][key] for key in (schema.PRODUCT_LINE, schema.REGION, schema.CHANNEL)},
                         "the demo company")
        return f"data: demo company, {spec.demo.start} to {spec.demo.end}"
    if spec.source == "sql":
        if spec.password_env and os.environ.get(spec.password_env) is None:
            raise ParamsError(
                f"data.password_env names the environment variable {spec.password_env}, which is not set",
                path=plan.source_path,
                key="data.password_env",
            )
        return "data: SQL query (read when the pack runs; not checked here)"
    file = paths.resolve(spec.path, root)
    options = {"kind": spec.source, "encoding": spec.encoding, "sheet": spec.sheet, "label": spec.path}
    header = io.read_header(file, **options)
    data.check_header(header, spec.columns, label=spec.path)  # the loader's own rule
    source = data.source_columns(spec.columns)
    date_column, line_column = source[schema.ORDER_DATE], source[schema.PRODUCT_LINE]
    unit_columns = {key: source[key] for key in (schema.PRODUCT_LINE, schema.REGION, schema.CHANNEL) if source[key] in header}
    frame = io.read_columns(file, list(dict.fromkeys([date_column, *unit_columns.values()])), **options)
    if frame.empty:
        raise DataError("no order lines in the source (0 rows)", path=spec.path)
    dates, _ = data.parse_dates(
        frame[date_column].reset_index(drop=True), date_format=getattr(spec, "date_format", None), label=spec.path, column=date_column
    )
    first, last = dates.min(), dates.max()
    _check_period(plan, first, last, spec.path)
    lines = frame[line_column].dropna().astype(str).str.strip().unique()
    _check_roles(plan, {line: spec.product_lines.get(line, "mature") for line in lines}, spec.path)
    _check_overrides(plan, {key: frame[column].astype(str).str.strip() for key, column in unit_columns.items()}, spec.path)
    return f"data: {spec.path}, {len(header)} columns, {len(dates):,} rows from {first.date()} to {last.date()}"


def _check_period(plan: Plan, first: pd.Timestamp, last: pd.Timestamp, where: str) -> None:
    """The plan needs history before its cut-off and data reaching into the review year."""
    history_end = pd.Timestamp(plan.history_end)
    start = pd.Timestamp(plan.data.start) if plan.data.start is not None else first
    review_start = pd.Timestamp(dt.date(plan.review_year, 1, 1))
    if max(first, start) > history_end:
        raise ParamsError(
            f"plan_year {plan.plan_year} uses history up to {history_end.date()}, but {where} starts "
            f"{max(first, start).date()}; the earliest plan year this data supports is {first.year + 1}",
            path=plan.source_path,
            key="plan_year",
        )
    if last < review_start:
        raise ParamsError(
            f"plan_year {plan.plan_year} reviews {plan.review_year}, but {where} ends {last.date()}; "
            f"the latest plan year this data supports is {last.year + 1}",
            path=plan.source_path,
            key="plan_year",
        )


def _check_roles(plan: Plan, roles: dict[str, str], where: str) -> None:
    """A minimum share for strategic lines needs a strategic line (said with the user's keys)."""
    share = plan.targets.strategic_share_min
    if share and "strategic" not in roles.values():
        raise ParamsError(
            f"targets.strategic_share_min is {share:g}, but no product line of {where} has the role strategic "
            f"(set roles in data.product_lines; lines without one are mature); got {', '.join(sorted(roles)[:8])}",
            path=plan.source_path,
            key="targets.strategic_share_min",
        )


def _check_overrides(plan: Plan, units: dict[str, pd.Series], where: str) -> None:
    """``targets.probability_overrides`` may only name units the data has (said with the user's key)."""
    if plan.targets.probability_overrides:
        from planlib.decompose import check_override_names

        try:
            check_override_names(plan.targets.probability_overrides, {k: pd.Series(v.unique()) for k, v in units.items()}, where=where)
        except ParamsError as exc:
            raise ParamsError(str(exc), path=plan.source_path, key="targets.probability_overrides") from None


def _check_side_table(key: str, spec: TableSource, root: Path) -> str:
    file = paths.resolve(spec.path, root)
    if not file.is_file():
        raise DataError(f"file not found (named by {key}.path)", path=spec.path)
    header = io.read_header(file, encoding=spec.encoding, sheet=spec.sheet, label=spec.path)
    needed = SIDE_TABLE_COLUMNS[key]
    source = {name: spec.columns.get(name, name) for name in (*needed, *spec.columns)}
    missing = [name for name, col in source.items() if col not in header]
    if missing:
        wanted = ", ".join(f"'{source[n]}'" + (f" (for {n})" if source[n] != n else "") for n in missing)
        raise DataError(
            f"missing column {wanted} ({key}); the file has {', '.join(map(repr, header))}",
            path=spec.path,
            column=missing[0],
        )
    return f"{key}: {spec.path}, columns {', '.join(source[n] for n in needed)} present"
