"""What a manager opens: code-free HTML of the executed notebooks and the plan's Excel workbook.

The HTML needs no network: its <title> is the notebook's title, widgets are replaced by the
output they showed at the params' settings (a static table), and no script is loaded
from a CDN. Sheet titles and descriptions are catalog messages, in the report language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import nbformat
import pandas as pd

from planlib.i18n import N_, _, get_language
from planlib.i18n.webfont import embed_cjk_font

HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell"}


def render_html(notebook: Path, target: Path) -> Path:
    """Write a code-free HTML of an executed notebook (no inputs, no prompts, no params cells).

    A markdown cell tagged ``lang-zh-CN`` (or ``lang-en``) is kept only in a report of
    that language: a notebook carries its narrative in both, each cell beside its twin.
    """
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if not HIDDEN_TAGS & set(c.get("metadata", {}).get("tags", [])) and _in_language(c)]
    title = notebook_title(nb) or notebook.stem
    _freeze_widgets(nb)
    nb.metadata["title"] = title
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _resources = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = body.replace("</head>", _READABLE_TEXT + "</head>", 1)
    target.write_text(embed_cjk_font(_REMOTE_SCRIPT.sub("", body)), encoding="utf-8")
    return target


# printed sentences wrap between words, not mid-word (JupyterLab's output CSS breaks anywhere)
_READABLE_TEXT = "<style>.jp-OutputArea-output pre{word-break:normal;overflow-wrap:anywhere}</style>\n"


_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>\s*", re.IGNORECASE)
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def missing_glyph_warnings(notebook: Path) -> list[str]:
    """Every "Glyph ... missing from font(s)" line in an executed notebook's outputs (a chart printed boxes)."""
    nb = nbformat.read(notebook, as_version=4)
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")] + [str(v) for k, v in output.get("data", {}).items() if k.startswith("text/")]
            found += [line.strip() for text in texts for line in str(text).splitlines() if "missing from font" in line]
    return found


def _in_language(cell: nbformat.NotebookNode) -> bool:
    """False for a cell tagged ``lang-<code>`` of another language than the report's (untagged cells: always)."""
    langs = {t.removeprefix("lang-") for t in cell.get("metadata", {}).get("tags", []) if t.startswith("lang-")}
    return not langs or get_language() in langs


def notebook_title(nb: nbformat.NotebookNode) -> str:
    """The text of the notebook's first markdown heading (``# 03 Targets`` -> ``03 Targets``); "" if none."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.lstrip().startswith("#"):
                    return re.sub(r"[*_`]", "", line.lstrip("# ").strip())
    return ""


def _freeze_widgets(nb: nbformat.NotebookNode) -> None:
    """Replace each widget view by the outputs its Output widgets held when the notebook ran, then drop the state.

    A what-if panel shows its result at the params' settings as plain HTML; without the
    widget state nbconvert loads no widget manager from the network.
    """
    state = nb.metadata.pop("widgets", {}).get(_WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(_WIDGET_VIEW)
            if view is None:
                outputs.append(output)
                continue
            outputs += [nbformat.from_dict(o) for o in _held_outputs(state, view.get("model_id", ""))]
        cell.outputs = outputs


def _held_outputs(state: dict, model_id: str, seen: set | None = None) -> list[dict]:
    """Outputs held by the Output widgets inside a widget (depth first, in display order)."""
    seen = set() if seen is None else seen
    model = state.get(model_id)
    if model is None or model_id in seen:
        return []
    seen.add(model_id)
    if model.get("model_name") == "OutputModel":
        return list(model.get("state", {}).get("outputs", []))
    found = []
    for child in model.get("state", {}).get("children", []):
        found += _held_outputs(state, str(child).removeprefix("IPY_MODEL_"), seen)
    return found


# Artifact -> (sheet title, one line for the Contents sheet), in workbook order.
PLAN_SHEETS: dict[str, tuple[str, str]] = {
    "kpis": (N_("Review KPIs"), N_("last year's KPIs against the year before")),
    "breakdown_product_line": (N_("Review by product line"), N_("last year's revenue, growth and share per product line")),
    "breakdown_region": (N_("Review by region"), N_("last year's revenue, growth and share per region")),
    "breakdown_channel": (N_("Review by channel"), N_("last year's revenue, growth and share per channel")),
    "forecast_plan_year": (N_("Forecast by segment"), N_("the plan year's forecast per segment and month, with its quantiles")),
    "annual_target": (N_("Annual target"), N_("the annual target, its growth and probability, and the constraints that set it")),
    "target_options": (N_("Target options"), N_("growth, forecast quantile and amount side by side")),
    "targets_month": (N_("By month"), N_("monthly and quarterly targets (forecast seasonal weights)")),
    "quarter_weights": (N_("Quarter split"), N_("the manual quarter weights against the statistical ones")),
    "targets_product_line": (N_("By product line"), N_("targets per product line, by role")),
    "targets_region": (N_("By region"), N_("targets per region, by stage")),
    "targets_channel": (N_("By channel"), N_("targets per channel, by stage")),
    "targets_customer_type": (N_("By customer type"), N_("existing vs new customers, and the new customers needed")),
    "targets_rep": (N_("By rep"), N_("quota per rep from their own book (recent sales, trend, season), time in seat and ramp-up; house sales on their own line")),
    "rep_fairness": (N_("Rep fairness"), N_("each rep's quota against history and capacity, with the outliers flagged")),
    "targets_cube": (N_("Region x line x month"), N_("the exact cube every other table adds up from")),
    "targets_long": (N_("All targets by month"), N_("every target of every dimension by month")),
    "commitments_gap": (N_("Commitments vs quota"), N_("reps' bottom-up commitments against their quotas")),
    "smart_targets": (N_("SMART targets"), N_("metric, owner, period, baseline, value, probability, flag")),
    "funnel": (N_("Funnel"), N_("deals, proposals, visits and leads per rep and month")),
    "capacity": (N_("Capacity check"), N_("visits needed vs capacity, and what would close an infeasible month")),
    "visit_plan": (N_("Visit plan"), N_("visits rebalanced within region and across months, service visits in the same capacity")),
    "hiring_plan": (N_("Hiring plan"), N_("hires only where capacity is short after rebalancing: how many, by when, cost")),
    "capacity_levers": (N_("Capacity levers"), N_("per region: visits needed (funnel and service counted once) against capacity, C to inside sales, B lowered, hires")),
    "targets_rep_after_capacity": (N_("Quotas after capacity"), N_("rep quotas after the hiring plan: hire seats carry part of their region's quota; checkpoints follow")),
    "action_calendar": (N_("Action calendar"), N_("actions with owner, dates, milestones, budget, expected effect, KPI")),
    "actions_dropped": (N_("Actions left out"), N_("actions with no expected revenue or no window that matters, and why")),
    "gap_closure": (N_("Gap ledger"), N_("target, baseline, each action's incremental effect and the remaining gap")),
    "gap_options": (N_("Closing the gap"), N_("what would close a remaining gap: budget, capacity or a lower target")),
    "service_levels": (N_("ABC service levels"), N_("visit frequency, ownership, repurchase and cross-sell targets per class")),
    "margin_targets": (N_("Gross-profit targets"), N_("gross-profit targets by product line, region and month beside revenue; the mix effect")),
    "incentives": (N_("Incentives"), N_("expected payout per rep from the payout curve over the forecast paths")),
    "incentive_sensitivity": (N_("Incentives vs target"), N_("how the expected payout and cost of sales move with the target")),
    "channel_support": (N_("Channel support"), N_("channel targets and partner support")),
    "budget_ledger": (N_("Budget"), N_("every draw on the one budget (actions, support) and its expected return")),
    "budget_split": (N_("Budget by channel, region"), N_("the same budget by channel and by region (actions + support pool)")),
    "checkpoints": (N_("Checkpoints"), N_("monthly and quarterly cumulative milestones per owner")),
    "review_cadence": (N_("Review cadence"), N_("who reviews what, and when")),
    "tracking": (N_("Actual vs plan"), N_("attainment, projection and traffic light per target")),
    "margin_tracking": (N_("Gross profit vs plan"), N_("gross profit to date against its plan, and the margin rate against its target")),
    "checkpoint_status": (N_("Checkpoint status"), N_("checkpoints met or missed at the as-of date")),
    "behaviour": (N_("Behaviour"), N_("orders, customers and order value against last year")),
    "replan_outlook": (N_("Re-plan outlook"), N_("the re-planned year beside the re-forecast, and the chance of the annual target")),
    "respread_by_segment": (N_("Re-plan by segment"), N_("the open months' targets before and after the re-plan, per segment")),
    "target_changes": (N_("Re-spread changes"), N_("every target changed by the re-spread, before and after")),
    "replanned_targets_long": (N_("Re-planned targets"), N_("the rest of the year re-planned, by month")),
    "data_quality": (N_("Data quality"), N_("what the loader read, fixed and set aside")),
}


# Sheets that show part of a table: (sheet placed after this PLAN_SHEETS key, artifact, title, description,
# rows shown). The whole table stays in the pack.
PART_SHEETS: tuple[tuple[str, str, str, str, Callable[[pd.DataFrame], pd.DataFrame]], ...] = (
    ("breakdown_channel", "abc_customers", N_("A customers"), N_("the A-class customers, who carry most of the revenue"),
     lambda frame: frame.loc[frame["abc_class"].astype(str) == "A"]),
)


def write_plan_workbook(pack: Path, target: Path) -> Path | None:
    """The Excel workbook of a pack: one sheet per plan table the pack holds, with a Contents sheet.

    Sheet titles, descriptions and headers are in the report language (``planlib.i18n``).

    Returns ``None`` (and writes nothing) when the pack holds none of those tables.
    """
    from planlib import io
    from planlib.workbook import write_workbook

    sheets, descriptions = {}, {}
    for name, (title, description) in PLAN_SHEETS.items():
        parts = [(artifact, t, d, rows) for after, artifact, t, d, rows in PART_SHEETS if after == name]
        for artifact, title, description, rows in [(name, title, description, None), *parts]:
            if io.has_artifact(pack, artifact):
                frame = io.read_artifact(pack, artifact)
                sheets[_(title)] = rows(frame) if rows is not None else frame
                descriptions[_(title)] = _(description)
    if not sheets:
        return None
    return write_workbook(sheets, target, descriptions=descriptions, overwrite=True, readable_headers=True)
