"""The one-page plan (目标一页纸): what a sales director reads in a minute, at the front of every pack.

``build_one_page`` turns a pack's tables into a few short sections (the target, its splits,
the gap and what closes it, the top risks, and in a quarterly pack the attainment);
``render_one_page`` makes a self-contained HTML page of them and ``write_one_page`` writes
it, with a PDF printed by the system's Chromium when one is installed. Every word comes
from the i18n catalogs, every number from the pack's own tables.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planlib.i18n import _, fmt_money, fmt_pct, fmt_quarter, header
from planlib.i18n.webfont import embed_cjk_font
from planlib.i18n.fonts import packaged_font

__all__ = ["Section", "build_one_page", "find_chromium", "print_pdf", "render_one_page", "write_one_page"]

TABLES = ("annual_target", "targets_month", "targets_product_line", "targets_region", "gap_closure", "capacity",
          "visit_plan", "capacity_levers", "hiring_plan", "targets_rep_after_capacity", "rep_fairness", "smart_targets", "tracking", "replan_outlook")
LOW_PROBABILITY = 0.2  # a unit whose target is reached with less than this chance is out of reach
_CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


@dataclass(frozen=True)
class Section:
    """A heading and its lines (each a short sentence with the figure in it)."""

    heading: str
    lines: list[str] = field(default_factory=list)


def build_one_page(tables: Mapping[str, pd.DataFrame]) -> list[Section]:
    """The sections of the one-page plan from whichever of ``TABLES`` the pack holds (missing ones are left out)."""
    sections = [_target(tables), _splits(tables), _gap(tables), _risks(tables), _tracking(tables)]
    return [s for s in sections if s is not None and s.lines]


def _col(frame: pd.DataFrame | None, *columns: str) -> bool:
    return frame is not None and not frame.empty and all(c in frame.columns for c in columns)


def _target(tables: Mapping[str, pd.DataFrame]) -> Section | None:
    annual = tables.get("annual_target")
    if not _col(annual, "step", "amount"):
        return None
    final = annual.set_index("step").loc["final"] if "final" in set(annual["step"]) else annual.iloc[-1]
    lines = [_("Annual target {amount}").format(amount=fmt_money(final["amount"]))]
    if "growth" in final and pd.notna(final["growth"]):
        lines[0] += _(", {growth} on last year").format(growth=fmt_pct(final["growth"], signed=True))
    if "probability" in final and pd.notna(final["probability"]):
        lines.append(_("Chance of reaching it: {p} (from the forecast's simulated years)").format(
            p=fmt_pct(final["probability"], digits=0)))
    return Section(_("The target"), lines)


def _largest(frame: pd.DataFrame | None, key: str, n: int = 3) -> str | None:
    if not _col(frame, key, "target"):
        return None
    total = float(frame["target"].sum())
    top = frame.sort_values("target", ascending=False, kind="stable").head(n)
    parts = [_("{segment} {amount} ({share})").format(segment=row[key], amount=fmt_money(row["target"]),
                                                     share=f"{row['target'] / total:.0%}") if total > 0
             else f"{row[key]} {fmt_money(row['target'])}" for _i, row in top.iterrows()]
    return _("; ").join(parts)


def _splits(tables: Mapping[str, pd.DataFrame]) -> Section | None:
    lines = []
    months = tables.get("targets_month")
    if _col(months, "quarter", "target"):
        quarters = months.groupby("quarter")["target"].sum()
        labels = [f"{fmt_quarter(q) if str(q).upper().lstrip('Q').isdigit() else q} {fmt_money(v)}"
                  for q, v in quarters.items()]
        lines.append(_("By quarter: {quarters}").format(quarters=_("; ").join(labels)))
    for key, name in (("product_line", "targets_product_line"), ("region", "targets_region")):
        text = _largest(tables.get(name), key)
        if text:
            lines.append(_("Largest by {dimension}: {segments}").format(dimension=header(key), segments=text))
    return Section(_("Who carries it"), lines)


def _gap(tables: Mapping[str, pd.DataFrame]) -> Section | None:
    ledger = tables.get("gap_closure")
    if not _col(ledger, "kind", "incremental"):
        return None
    value = ledger.groupby("kind")["incremental"].sum()
    if not {"target", "baseline"} <= set(value.index):
        return None
    gap = float(value["target"] - value["baseline"])
    actions = float(value.get("action", 0.0))
    remaining = float(value.get("remaining_gap", gap - actions))
    lines = [_("Gap between the target and the forecast without new actions: {gap}").format(gap=fmt_money(gap))
             if gap > 0 else
             _("The forecast without new actions already reaches the target, {ahead} above it").format(ahead=fmt_money(-gap)),
             _("Planned actions close {closed}").format(closed=fmt_money(actions))]
    if remaining > 0:
        lines.append(_("Still open: {remaining}").format(remaining=fmt_money(remaining)))
    else:
        lines.append(_("The actions cover the gap, with {spare} to spare").format(spare=fmt_money(-remaining)))
    if "action_type" in ledger.columns:
        acts = ledger[ledger["kind"] == "action"].groupby("action_type")["incremental"].sum()
        acts = acts[acts > 0].sort_values(ascending=False).head(3)
        if len(acts):
            lines.append(_("Largest contributions: {actions}").format(
                actions=_("; ").join(f"{header(t)} {fmt_money(v)}" for t, v in acts.items())))
    return Section(_("The gap and what closes it"), lines)


def _risks(tables: Mapping[str, pd.DataFrame]) -> Section | None:
    lines = []
    capacity, visits, hires = tables.get("capacity"), tables.get("visit_plan"), tables.get("hiring_plan")
    levers, quotas = tables.get("capacity_levers"), tables.get("targets_rep_after_capacity")
    if _col(levers, "hires", "needed", "capacity", "b_level_planned", "b_level_asked"):  # the plan after levers and hires
        n_hires = int(pd.to_numeric(levers["hires"], errors="coerce").fillna(0).sum())
        lowered = int((levers["b_level_planned"] < levers["b_level_asked"] - 1e-9).sum())
        if n_hires or lowered:
            carried = (pd.to_numeric(quotas.loc[quotas["seat"] == "hire", "target"], errors="coerce").sum()
                       if _col(quotas, "seat", "target") else 0.0)
            lines.append(_("Capacity: {needed} visits needed (funnel and service counted once) against {capacity}; "
                           "B visits lowered in {lowered} region(s); {hires} hire(s) carry {quota} of quota").format(
                needed=f"{int(levers['needed'].sum()):,}", capacity=f"{int(levers['capacity'].sum()):,}",
                lowered=lowered, hires=n_hires, quota=fmt_money(carried)))
    elif _col(visits, "funnel_short"):  # the plan after visits moved to reps and months with slack
        short = int((pd.to_numeric(visits["funnel_short"], errors="coerce").fillna(0) > 0).sum())
        n_hires = int(pd.to_numeric(hires["hires"], errors="coerce").fillna(0).sum()) if _col(hires, "hires") else 0
        if short:
            lines.append(_("Capacity: after moving visits to reps and months with slack, {short} of {total} "
                           "rep-months are still short; the hiring plan proposes {hires} hire(s)").format(
                short=short, total=len(visits), hires=n_hires))
    elif _col(capacity, "feasible"):
        over = int((~capacity["feasible"].astype(bool)).sum())
        if over:
            lines.append(_("Capacity: {over} of {total} rep-months need more visits than the reps can make").format(
                over=over, total=len(capacity)))
    fairness = tables.get("rep_fairness")
    if _col(fairness, "outlier"):
        outliers = fairness.loc[fairness["outlier"].fillna(False).astype(bool)]
        if len(outliers):
            who = ", ".join(str(r) for r in outliers["rep"].head(5)) if "rep" in outliers.columns else ""
            text = (_("One quota out of line with history and capacity ({who})") if len(outliers) == 1 else
                    _("{n} quotas out of line with history and capacity ({who})"))
            lines.append(text.format(n=len(outliers), who=who))
    smart = tables.get("smart_targets")
    if _col(smart, "probability"):
        low = smart.loc[pd.to_numeric(smart["probability"], errors="coerce") < LOW_PROBABILITY]
        if len(low):
            lines.append(_("Out of reach: {n} targets have less than a {p} chance").format(
                n=len(low), p=fmt_pct(LOW_PROBABILITY, digits=0)))
    if not lines and any(_col(tables.get(t), c) for t, c in (("capacity", "feasible"), ("visit_plan", "funnel_short"), ("capacity_levers", "hires"),
                                                              ("rep_fairness", "outlier"))):
        lines.append(_("No capacity shortfall and no quota out of line"))
    return Section(_("Top risks"), lines)


def _tracking(tables: Mapping[str, pd.DataFrame]) -> Section | None:
    lines = []
    tracking = tables.get("tracking")
    total = tracking.loc[tracking["dimension"] == "total"] if _col(tracking, "dimension", "attainment") else None
    if total is not None and len(total):
        row = total.iloc[0]
        lines.append(_("Attainment to date: {attainment} of plan").format(attainment=fmt_pct(row["attainment"])))
        if "projected_attainment" in row and pd.notna(row["projected_attainment"]):
            lines.append(_("At this pace the year ends at {projected} of the annual target").format(
                projected=fmt_pct(row["projected_attainment"])))
    outlook = tables.get("replan_outlook")
    if _col(outlook, "metric", "value"):
        value = outlook.set_index("metric")["value"]
        if {"replanned_year", "annual_target"} <= set(value.index):
            lines.append(_("Re-planned year {replanned} against the annual target {annual}").format(
                replanned=fmt_money(value["replanned_year"]), annual=fmt_money(value["annual_target"])))
        if pd.notna(value.get("p_annual_target")) and pd.notna(value.get("p_replanned_year")):
            lines.append(_("Chance now of the annual target: {p}; of the re-planned year: {q}").format(
                p=fmt_pct(value["p_annual_target"], digits=0), q=fmt_pct(value["p_replanned_year"], digits=0)))
    return Section(_("Where we stand"), lines)


_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
@page {{ size: A4; margin: 16mm; }}
body {{ font-family: "DejaVu Sans", Arial, "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
       "Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif; color: #222; max-width: 48em; margin: 1.5em auto;
       line-height: 1.45; }}
h1 {{ font-size: 1.5em; margin-bottom: 0.1em; }} .sub {{ color: #666; margin-top: 0; }}
h2 {{ font-size: 1.1em; border-bottom: 2px solid #1f77b4; padding-bottom: 2px; margin: 1.1em 0 0.4em 0; }}
ul {{ margin: 0; padding-left: 1.2em; }} li {{ margin: 0.15em 0; }}
</style></head>
<body><h1>{title}</h1><p class="sub">{subtitle}</p>
{sections}
</body></html>
"""


def render_one_page(sections: list[Section], *, title: str, subtitle: str = "", lang: str = "en") -> str:
    """A self-contained HTML page (no script, no remote font) of the sections."""
    body = "\n".join(
        f"<h2>{html.escape(s.heading)}</h2><ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in s.lines)
        + "</ul>" for s in sections)
    return embed_cjk_font(_PAGE.format(lang=html.escape(lang), title=html.escape(title), subtitle=html.escape(subtitle),
                                       sections=body))


def find_chromium() -> str | None:
    """The system Chromium (or Chrome) executable, or None."""
    return next((path for path in map(shutil.which, _CHROMIUM) if path), None)


_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""


def _font_environment(folder: Path) -> dict[str, str]:
    """Environment in which Chromium's fontconfig also sees the packaged CJK font (none installed on the system)."""
    font = packaged_font()
    if font is None:
        return dict(os.environ)
    conf = folder / "fonts.conf"
    conf.write_text(_FONTS_CONF.format(fonts=html.escape(str(font.parent)), cache=html.escape(str(folder / "cache"))),
                    encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def print_pdf(page: Path, target: Path, *, chromium: str, timeout: float = 120.0) -> Path:
    """Print an HTML file to PDF with headless Chromium (no network, no header/footer, the packaged CJK font)."""
    with tempfile.TemporaryDirectory(prefix="planlib-chromium-") as profile:
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
             "--no-pdf-header-footer", "--virtual-time-budget=10000",  # let the CJK font load before printing
             f"--print-to-pdf={target}", page.resolve().as_uri()],
            check=True, capture_output=True, timeout=timeout, env=_font_environment(Path(profile)),
        )
    return target


def write_one_page(pack: Path, *, title: str, subtitle: str = "", lang: str = "en") -> tuple[Path, Path | None, str]:
    """Write ``one_page.html`` (and ``one_page.pdf`` when Chromium exists) into ``pack``.

    Returns the HTML path, the PDF path or None, and a line saying what was written or why
    the PDF was skipped.
    """
    from planlib import io

    tables = {name: io.read_artifact(pack, name) for name in TABLES if io.has_artifact(pack, name)}
    page = pack / "one_page.html"
    page.write_text(render_one_page(build_one_page(tables), title=title, subtitle=subtitle, lang=lang),
                    encoding="utf-8")
    chromium = find_chromium()
    if chromium is None:
        return page, None, _("one-page plan written as HTML; PDF skipped: no Chromium or Chrome on this machine")
    try:
        pdf = print_pdf(page, pack / "one_page.pdf", chromium=chromium)
    except (subprocess.SubprocessError, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return page, None, _("one-page plan written as HTML; PDF skipped: Chromium failed ({reason})").format(
            reason=reason)
    return page, pdf, _("one-page plan written as HTML and PDF")

