"""What a manager opens: code-free HTML of the executed notebooks (and, later, the Excel workbook)."""

from __future__ import annotations

from pathlib import Path

import nbformat

HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell"}


def render_html(notebook: Path, target: Path) -> Path:
    """Write a code-free HTML of an executed notebook (no inputs, no prompts, no params cells)."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if not HIDDEN_TAGS & set(c.get("metadata", {}).get("tags", []))]
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    target.write_text(body, encoding="utf-8")
    return target


# Artifact -> (sheet title, one line for the Contents sheet), in workbook order.
PLAN_SHEETS: dict[str, tuple[str, str]] = {
    "annual_target": ("Annual target", "the annual target, its growth and probability, and the constraints that set it"),
    "target_options": ("Target options", "growth, forecast quantile and amount side by side"),
    "targets_month": ("By month", "monthly and quarterly targets (forecast seasonal weights)"),
    "targets_product_line": ("By product line", "targets per product line, by role"),
    "targets_region": ("By region", "targets per region, by stage"),
    "targets_channel": ("By channel", "targets per channel, by stage"),
    "targets_customer_type": ("By customer type", "existing vs new customers, and the new customers needed"),
    "targets_rep": ("By rep", "quota per rep (capacity, months present, ramp-up)"),
    "targets_cube": ("Region x line x month", "the exact cube every other table adds up from"),
    "targets_long": ("All targets by month", "every target of every dimension by month"),
    "commitments_gap": ("Commitments vs quota", "reps' bottom-up commitments against their quotas"),
    "smart_targets": ("SMART targets", "metric, owner, period, baseline, value, probability, flag"),
    "funnel": ("Funnel", "deals, proposals, visits and leads per rep and month"),
    "capacity": ("Capacity check", "visits needed vs capacity, and what would close an infeasible month"),
    "action_calendar": ("Action calendar", "actions with owner, dates, milestones, budget, expected effect, KPI"),
    "gap_closure": ("Gap ledger", "target, baseline, each action's incremental effect and the remaining gap"),
    "gap_options": ("Closing the gap", "what would close a remaining gap: budget, capacity or a lower target"),
    "service_levels": ("ABC service levels", "visit frequency, ownership, repurchase and cross-sell targets per class"),
    "channel_support": ("Channel support", "channel targets and partner support"),
    "budget_split": ("Budget", "the budget split across channels and regions"),
    "checkpoints": ("Checkpoints", "monthly and quarterly cumulative milestones per owner"),
    "review_cadence": ("Review cadence", "who reviews what, and when"),
    "tracking": ("Actual vs plan", "attainment, projection and traffic light per target"),
    "checkpoint_status": ("Checkpoint status", "checkpoints met or missed at the as-of date"),
    "behaviour": ("Behaviour", "orders, customers and order value against last year"),
    "target_changes": ("Re-spread changes", "every target changed by the re-spread, before and after"),
    "replanned_targets_long": ("Re-planned targets", "the rest of the year re-planned, by month"),
    "data_quality": ("Data quality", "what the loader read, fixed and set aside"),
}


def write_plan_workbook(pack: Path, target: Path) -> Path | None:
    """The Excel workbook of a pack: one sheet per plan table the pack holds, with a Contents sheet.

    Returns ``None`` (and writes nothing) when the pack holds none of those tables.
    """
    from planlib import io
    from planlib.workbook import write_workbook

    sheets, descriptions = {}, {}
    for name, (title, description) in PLAN_SHEETS.items():
        if io.has_artifact(pack, name):
            sheets[title] = io.read_artifact(pack, name)
            descriptions[title] = description
    if not sheets:
        return None
    return write_workbook(sheets, target, descriptions=descriptions, overwrite=True)
