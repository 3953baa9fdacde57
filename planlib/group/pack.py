"""The group plan pack: ``reports/<group>/<period>/`` consolidated from whole unit packs.

Written like a unit's pack: into a staging folder under the lock of this group and
period, then swapped in whole (planlib.publish); an existing group pack is replaced
only with ``force``.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from planlib import io, paths, publish
from planlib.errors import PackError
from planlib.i18n import N_, _, fmt_money, fmt_pct, get_language, header, language
from planlib.group.consolidate import consolidate, error_correlation, summarize_unit

MANIFEST = "manifest.json"
SUMMARY = "group_summary"
_PACKAGES = ("planlib", "pandas", "numpy", "scipy", "pyarrow", "xlsxwriter", "dask", "distributed")
_PATH_QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)


def read_unit(pack: Path, *, unit: str) -> dict:
    """What the group plan needs of one whole unit pack (its line, monthly targets, backtest errors)."""
    if not publish.is_whole(pack):
        raise PackError(f"{pack} is not a whole plan pack (no complete manifest.json); re-run the unit's pack")
    for name in ("annual_target", "year_paths", "targets_long"):
        if not io.has_artifact(pack, name):
            raise PackError(f"{pack} holds no '{name}' artifact; a group plan consolidates annual plan packs")
    line = summarize_unit(io.read_artifact(pack, "annual_target"), io.read_artifact(pack, "year_paths"), unit=unit)
    targets = io.read_artifact(pack, "targets_long")
    months = targets.loc[targets["dimension"] == "total", ["month", "target"]].set_index("month")["target"].rename(unit)
    if int(months.sum()) != line["target"]:
        raise PackError(f"{pack}: the monthly targets add up to {int(months.sum()):,}, not the annual target "
                        f"{line['target']:,}; the unit pack is inconsistent")
    backtest = io.read_artifact(pack, "backtest_forecasts") if io.has_artifact(pack, "backtest_forecasts") else None
    return {"line": line, "months": months.astype("int64"), "backtest": backtest}


def write_group_pack(
    unit_packs: Mapping[str, Path],
    *,
    group: str,
    period: str,
    root: str | Path | None = None,
    force: bool = False,
    params: Mapping[str, str] | None = None,
    echo: Callable[[str], None] = lambda line: None,
) -> Path:
    """Consolidate whole unit packs into the group pack and return its folder.

    Parameters
    ----------
    unit_packs : mapping of str to Path
        Unit (its plan name) -> its annual pack folder.
    group : str
        The group's name (a safe folder name, not one of the units').
    period : str
        The plan year the unit packs are for (``2025``).
    force : bool, default False
        Replace an existing group pack of this period.
    params : mapping of str to str, optional
        Unit -> its params file, recorded in the manifest.

    Raises
    ------
    PackError
        A unit pack is not whole or lacks a plan table; the group pack exists (without
        ``force``); the group name is a unit's.
    """
    project = paths.find_project_root(root)
    lang, unit = _report_language(unit_packs)
    with language(lang, unit):  # the group pack speaks its units' language (English when they differ)
        return _write_group_pack(unit_packs, group=group, period=period, project=project, force=force,
                                 params=params, echo=echo)


def _report_language(unit_packs: Mapping[str, Path]) -> tuple[str, str | None]:
    """The units' report language and money unit when they all share them, else English."""
    seen = set()
    for pack in unit_packs.values():
        try:
            report = json.loads((Path(pack) / MANIFEST).read_text(encoding="utf-8"))["params"].get("report", {})
        except (OSError, ValueError, KeyError):
            return "en", None
        seen.add((report.get("language", "en"), report.get("unit")))
    return next(iter(seen)) if len(seen) == 1 else ("en", None)


def _write_group_pack(unit_packs: Mapping[str, Path], *, group: str, period: str, project: Path, force: bool,
                      params: Mapping[str, str] | None, echo: Callable[[str], None]) -> Path:
    if group in unit_packs:
        raise PackError(f"the group name '{group}' is also a unit's plan name; choose another group name")
    final = paths.pack_dir(project, group, period)
    started = time.time()
    units = {unit: read_unit(Path(pack), unit=unit) for unit, pack in sorted(unit_packs.items())}
    rho, rho_months = error_correlation({u: d["backtest"] for u, d in units.items() if d["backtest"] is not None})
    table, target, group_paths = consolidate([d["line"] for d in units.values()], rho=rho, rho_months=rho_months)
    months = pd.concat([d["months"] for d in units.values()], axis=1).fillna(0).astype("int64")
    months["group"] = months.sum(axis=1)
    months = months.rename_axis("month").reset_index()
    if int(months["group"].sum()) != int(target["target"].iloc[0]):  # exact integers: a bug if it ever differs
        raise PackError(f"the group's monthly targets add up to {int(months['group'].sum()):,}, not {int(target['target'].iloc[0]):,}")
    spread = pd.DataFrame({f"p{round(q * 100)}": np.quantile(group_paths.to_numpy(), q, axis=0) for q in _PATH_QUANTILES},
                          index=group_paths.columns).rename_axis("coupling").reset_index()

    locks = paths.reports_dir(project) / ".locks"
    with publish.pack_lock(locks / f"{paths.safe_folder_name(group)}-{period}.lock", label=_rel(final, project)):
        for line in publish.recover(final):
            echo(line)
        if final.exists() and not force:
            raise PackError(f"{_rel(final, project)} exists already; use --force to replace it")
        token = publish.new_token()
        staging = publish.staging_dir(final, token)
        staging.mkdir(parents=True)
        try:
            for name, frame in (("group_units", table), ("group_target", target), ("group_targets_month", months),
                                ("group_year_paths", group_paths), ("group_spread", spread)):
                io.write_artifact(frame, staging, name)
            _write_workbook(staging / f"{group}_{period}_group_plan.xlsx", table, target, months, spread)
            text = render_summary(group, period, table, target)
            (staging / f"{SUMMARY}.md").write_text(text, encoding="utf-8")
            (staging / f"{SUMMARY}.html").write_text(_summary_html(group, period, text, get_language()), encoding="utf-8")
            io.write_json(_manifest(group, period, unit_packs, project, params or {}, time.time() - started,
                                    rho=rho, rho_months=rho_months), staging / MANIFEST)
            publish.publish(staging, final, token=token)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            publish.recover(final)
            raise
    probability = target.set_index("coupling")["probability"]
    echo(_("group plan '{group}': target {target} from {n} units, reached with {independent} (independent) to "
           "{comonotonic} (units together); written to {path}").format(
        group=group, target=f"{int(target['target'].iloc[0]):,}", n=len(units), independent=_pct(probability["independent"]),
        comonotonic=_pct(probability["comonotonic"]), path=_rel(final, project)))
    return final


def render_summary(group: str, period: str, units: pd.DataFrame, target: pd.DataFrame) -> str:
    """The group plan in a few lines of markdown in the report language, every figure read from the tables."""
    row = target.set_index("coupling")
    total, baseline = int(row["target"].iloc[0]), float(row["baseline"].iloc[0])
    p = row["probability"]
    lo, hi = sorted((p["independent"], p["comonotonic"]))
    est = row.loc["estimated"]
    rho = est["rho"]
    estimated = (_("{probability} at the correlation the units' backtest errors show (rho = {rho})").format(
                     probability=_pct(est["probability"]), rho=f"{rho:.2f}")
                 if not math.isnan(rho) else _("the units' backtests share too few months to estimate a correlation"))
    chance = _pct(lo) if _pct(lo) == _pct(hi) else _("{low} to {high}").format(low=_pct(lo), high=_pct(hi))
    easiest = units.loc[units["probability"].idxmax()]
    hardest = units.loc[units["probability"].idxmin()]
    growth = fmt_pct(total / baseline - 1, signed=True) if baseline else fmt_pct(None)
    lines = [
        "# " + _("Group plan {group}, {period}").format(group=group, period=period),
        "",
        _("The group commits to **{target}**, the exact sum of its {n} units' targets: {growth} on a baseline of "
          "{baseline} (each unit's forecast of the year if nothing changes).").format(
            target=_amount(total), n=len(units), growth=growth, baseline=_amount(baseline)),
        "",
        _("Chance the group reaches it: **{chance}**. The units' simulated years were drawn separately, so how they "
          "move together is an assumption: {independent} if they move independently, {comonotonic} if they are all "
          "good or all bad together (the widest spread); {estimated}.").format(
            chance=chance, independent=_pct(p["independent"]), comonotonic=_pct(p["comonotonic"]), estimated=estimated),
        "",
        _("Units range from {hardest} ({low} likely) to {easiest} ({high} likely).").format(
            hardest=hardest["unit"], low=_pct(hardest["probability"]), easiest=easiest["unit"], high=_pct(easiest["probability"])),
        "",
        "| " + " | ".join([header("unit"), header("baseline"), header("target"), header("growth"), header("probability"),
                           _("share of group")]) + " |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in units.itertuples():
        lines.append(f"| {r.unit} | {r.baseline:,.0f} | {int(r.target):,} | {fmt_pct(r.growth, signed=True)} | "
                     f"{_pct(r.probability)} | {fmt_pct(r.share)} |")
    lines.append(f"| **{group}** | {baseline:,.0f} | {total:,} | {growth} | {chance} | {fmt_pct(1.0)} |")
    return "\n".join(lines) + "\n"


def _amount(value: float) -> str:
    """An amount to the currency unit in English (a sum that is exact), in 万元 / 亿元 in Chinese."""
    return fmt_money(value) if get_language() == "zh-CN" else f"{value:,.0f}"


def _summary_html(group: str, period: str, text: str, lang: str) -> str:
    paragraphs = [p for p in text.split("\n\n") if p and not p.startswith(("#", "|"))]
    body = "".join(f"<p>{_bold(html.escape(p))}</p>" for p in paragraphs)
    table = "\n".join(line for line in text.splitlines() if line.startswith("|"))
    rows = [r.strip("|").split("|") for r in table.splitlines()]
    head, data = rows[0], rows[2:]
    cells = "".join("<tr>" + "".join(f"<td>{_bold(html.escape(c.strip()))}</td>" for c in r) + "</tr>" for r in data)
    heading = html.escape(text.splitlines()[0].lstrip("# "))
    header_cells = "".join(f"<th>{html.escape(c.strip())}</th>" for c in head)
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>{heading}</title>"
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3rem .6rem}td:not(:first-child){text-align:right}</style></head><body>"
        f"<h1>{heading}</h1>{body}"
        f"<table><thead><tr>{header_cells}</tr></thead><tbody>{cells}</tbody></table></body></html>\n"
    )


def _bold(text: str) -> str:
    parts = text.split("**")
    return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))


_SHEETS = {
    "Units": N_("Each unit's baseline, target, growth and probability of reaching it, and its share of the group target"),
    "Group": N_("The group target (sum of the units') and its probability under each assumption of how units move together"),
    "Months": N_("Monthly targets per unit and for the group (they add up to the annual targets exactly)"),
    "Spread": N_("Quantiles of the group's simulated year total under each assumption"),
}
_SHEET_TITLES = (N_("Units"), N_("Group"), N_("Months"), N_("Spread"))


def _write_workbook(target: Path, units: pd.DataFrame, group: pd.DataFrame, months: pd.DataFrame, spread: pd.DataFrame) -> Path:
    from planlib.pack import _chmod_like_other_files
    from planlib.workbook import write_workbook

    frames = {"Units": units, "Group": group, "Months": months, "Spread": spread}
    sheets = {_(title): frames[title] for title in _SHEET_TITLES}
    descriptions = {_(title): _(_SHEETS[title]) for title in _SHEET_TITLES}
    formats = {"probability": "pct", "probability_stated": "pct", "share": "pct", "growth": "pct", "target": "money",
               "baseline": "money", "median": "money", "rho": "ratio"}
    path = write_workbook(sheets, target, descriptions=descriptions, formats=formats, overwrite=True, readable_headers=True)
    _chmod_like_other_files(path)
    return path


def _manifest(group: str, period: str, unit_packs: Mapping[str, Path], project: Path, params: Mapping[str, str],
              seconds: float, *, rho: float, rho_months: int) -> dict:
    units = {}
    for unit, pack in sorted(unit_packs.items()):
        pack = Path(pack)
        manifest = json.loads((pack / MANIFEST).read_text(encoding="utf-8"))
        units[unit] = {
            "pack": _rel(pack, project),
            "params": _rel(Path(params[unit]), project) if unit in params else None,
            "created": manifest.get("created"),
            "targets_sha256": io.hash_file(pack / "artifacts" / "targets_long.parquet"),
            "year_paths_sha256": io.hash_file(pack / "artifacts" / "year_paths.parquet"),
        }
    versions = io.package_versions(_PACKAGES)
    return {
        "group": group,
        "period": period,
        "kind": "group",
        "status": "complete",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "units": units,
        "dependence": {
            "independent": "each unit's simulated totals drawn on their own",
            "comonotonic": "units' simulated totals summed rank by rank",
            "estimated_rho": None if math.isnan(rho) else round(rho, 4),
            "estimated_from": f"correlation of the units' backtest errors of their Total, fewest shared months {rho_months}",
        },
        "packages": versions,
        "timings_seconds": {"total": round(seconds, 2)},
    }


def _pct(value: float) -> str:
    return fmt_pct(value, digits=0)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)
