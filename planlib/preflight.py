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
from planlib.i18n import _
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
        where = _("the demo company")
        _check_period(plan, pd.Timestamp(spec.demo.start), pd.Timestamp(spec.demo.end), where)
        from planlib import demo

        sides = demo.demo_side_tables(seed=spec.demo.seed, start=str(spec.demo.start), end=str(spec.demo.end))
        table = sides["product_lines"]
        roles = dict(zip(table[schema.PRODUCT_LINE].astype(str), table[schema.ROLE].astype(str)))
        _check_roles(plan, {**roles, **{k: v for k, v in spec.product_lines.items() if k in roles}}, where)
        _check_overrides(plan, {key: sides[f"{key}s"][key] for key in (schema.PRODUCT_LINE, schema.REGION, schema.CHANNEL)},
                         where)
        return _("data: demo company, {start} to {end}").format(start=spec.demo.start, end=spec.demo.end)
    if spec.source == "sql":
        if spec.password_env and os.environ.get(spec.password_env) is None:
            raise ParamsError(
                _("data.password_env names the environment variable {name}, which is not set").format(name=spec.password_env),
                path=plan.source_path,
                key="data.password_env",
            )
        return _("data: SQL query (read when the pack runs; not checked here)")
    file = paths.resolve(spec.path, root)
    options = {"kind": spec.source, "encoding": spec.encoding, "sheet": spec.sheet, "label": spec.path}
    header = io.read_header(file, **options)
    data.check_header(header, spec.columns, label=spec.path)  # the loader's own rule
    source = data.source_columns(spec.columns)
    date_column, line_column = source[schema.ORDER_DATE], source[schema.PRODUCT_LINE]
    unit_columns = {key: source[key] for key in (schema.PRODUCT_LINE, schema.REGION, schema.CHANNEL) if source[key] in header}
    frame = io.read_columns(file, list(dict.fromkeys([date_column, *unit_columns.values()])), **options)
    if frame.empty:
        raise DataError(_("no order lines in the source (0 rows)"), path=spec.path)
    dates = data.parse_dates(
        frame[date_column].reset_index(drop=True), date_format=getattr(spec, "date_format", None), label=spec.path, column=date_column
    )[0]
    first, last = dates.min(), dates.max()
    _check_period(plan, first, last, spec.path)
    lines = frame[line_column].dropna().astype(str).str.strip().unique()
    _check_roles(plan, {line: spec.product_lines.get(line, "mature") for line in lines}, spec.path)
    _check_overrides(plan, {key: frame[column].astype(str).str.strip() for key, column in unit_columns.items()}, spec.path)
    return _("data: {path}, {columns} columns, {rows} rows from {first} to {last}").format(
        path=spec.path, columns=len(header), rows=f"{len(dates):,}", first=first.date(), last=last.date())


def _check_period(plan: Plan, first: pd.Timestamp, last: pd.Timestamp, where: str) -> None:
    """The plan needs history before its cut-off and data reaching into the review year."""
    history_end = pd.Timestamp(plan.history_end)
    start = pd.Timestamp(plan.data.start) if plan.data.start is not None else first
    review_start = pd.Timestamp(dt.date(plan.review_year, 1, 1))
    if max(first, start) > history_end:
        raise ParamsError(
            _("plan_year {year} uses history up to {end}, but {where} starts {start}; the earliest plan year this data supports is {earliest}").format(
                year=plan.plan_year, end=history_end.date(), where=where, start=max(first, start).date(), earliest=first.year + 1),
            path=plan.source_path,
            key="plan_year",
        )
    if last < review_start:
        raise ParamsError(
            _("plan_year {year} reviews {review_year}, but {where} ends {end}; the latest plan year this data supports is {latest}").format(
                year=plan.plan_year, review_year=plan.review_year, where=where, end=last.date(), latest=last.year + 1),
            path=plan.source_path,
            key="plan_year",
        )


def _check_roles(plan: Plan, roles: dict[str, str], where: str) -> None:
    """A minimum share for strategic lines needs a strategic line (said with the user's keys)."""
    share = plan.targets.strategic_share_min
    if share and "strategic" not in roles.values():
        raise ParamsError(
            _("targets.strategic_share_min is {share}, but no product line of {where} has the role strategic "
              "(set roles in data.product_lines; lines without one are mature); got {lines}").format(
                share=f"{share:g}", where=where, lines=", ".join(sorted(roles)[:8])),
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
        raise DataError(_("file not found (named by {key}.path)").format(key=key), path=spec.path)
    header = io.read_header(file, encoding=spec.encoding, sheet=spec.sheet, label=spec.path)
    needed = SIDE_TABLE_COLUMNS[key]
    source = {name: spec.columns.get(name, name) for name in (*needed, *spec.columns)}
    missing = [name for name, col in source.items() if col not in header]
    if missing:
        wanted = _(", ").join(_("'{column}' (for {name})").format(column=source[n], name=n) if source[n] != n else f"'{source[n]}'"
                              for n in missing)
        raise DataError(
            _("missing column {wanted} ({key}); the file has {names}").format(wanted=wanted, key=key, names=", ".join(map(repr, header))),
            path=spec.path,
            column=missing[0],
        )
    return _("{key}: {path}, columns {columns} present").format(key=key, path=spec.path, columns=", ".join(source[n] for n in needed))
