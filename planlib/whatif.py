"""What-if panel for JupyterLab: move a slider, see the whole decomposition recomputed.

The widgets only collect settings; every number comes from the same
``decompose_targets`` the plan pack uses, so the panel cannot disagree with the pack.
"""

from __future__ import annotations

import os

from typing import Any

import pandas as pd

from planlib import schema
from planlib.decompose import TargetInputs, decompose_targets
from planlib.plan import TargetsSpec
from planlib.i18n import _, fmt_amount, fmt_quarter, header, value_label


BATCH_ENV_VAR = "PLANLIB_BATCH"  # set to "1" in the kernels of a pack run (planlib.pack)

def update_spec(spec: TargetsSpec, **changes: Any) -> TargetsSpec:
    """A copy of ``spec`` with ``changes`` applied and validated (quarter weights normalised to 1)."""
    weights = changes.get("quarter_weights")
    if weights is not None:
        total = float(sum(weights))
        changes["quarter_weights"] = tuple(w / total for w in weights) if total > 0 else (0.25,) * 4
    return TargetsSpec.model_validate({**spec.model_dump(), **changes})


def summarize_whatif(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The headline of one decomposition: annual target, probability, quarters and regions."""
    final = tables["annual_target"].set_index("step").loc["final"]
    rows = [
        (_("annual target"), fmt_amount(final["amount"])),
        (_("growth on last year"), f"{final['growth']:+.1%}"),
        (_("probability of reaching it"), f"{final['probability']:.0%}"),
    ]
    quarters = tables["targets_month"].groupby("quarter")["target"].sum()
    rows += [(_("{quarter} target").format(quarter=fmt_quarter(q)), fmt_amount(v)) for q, v in quarters.items()]
    for dimension, key in ((schema.PRODUCT_LINE, "targets_product_line"), (schema.REGION, "targets_region")):
        for row in tables[key].to_dict("records"):
            amount = fmt_amount(row["target"])
            value = _("{amount} ({probability} likely)").format(amount=amount, probability=f"{row['probability']:.0%}") if "probability" in row else amount
            rows.append((_("{dimension}: {name}").format(dimension=header(dimension), name=row[dimension]), value))
    new = tables["targets_customer_type"].set_index("customer_type").loc["new", "customers"]
    rows.append((_("new customers needed"), f"{new:,.0f}"))
    return pd.DataFrame(rows, columns=[header("target"), header("value")])


HEADLINE_TABLES = ("annual_target", "targets_month", "targets_product_line", "targets_region", "targets_customer_type")


def show_whatif(run):
    """The what-if section of notebook 03: the panel in JupyterLab, its table at the params' settings in a pack.

    In a pack (``PLANLIB_BATCH=1``) the table is the plan's own headline, read from the
    tables the notebook has just shown, not a second decomposition; the panel builds its
    inputs only when there is someone to move a slider.
    """
    if os.environ.get(BATCH_ENV_VAR) == "1":
        return _show_headline({name: run.table(name) for name in HEADLINE_TABLES})
    from planlib.workflow import target_inputs

    return build_whatif(target_inputs(run), run.plan.targets)


def _show_headline(tables: dict[str, pd.DataFrame]) -> None:
    """The what-if section without widgets: its title and the headline table of ``tables``."""
    from IPython.display import HTML, display

    from planlib.display import format_table

    display(HTML("<b>" + _("What if…") + "</b>"))
    display(format_table(summarize_whatif(tables)))


def build_whatif(inputs: TargetInputs, spec: TargetsSpec):
    """An ipywidgets panel: method, growth or quantile, quarter weights, role and stage tilts (or growths).

    With the balanced split (``targets.split_method: balanced``) the role and stage sliders
    move each group's probability tilt; with the growth split, each group's growth.

    Each change re-runs ``decompose_targets`` and redraws the headline table. In a pack
    (``PLANLIB_BATCH=1``, set by the pack runner) there is no one to move a slider: the
    headline table at the params' settings is shown as is, and no widget is created, since
    live widgets under papermill/nbclient can block a cell's execution forever
    (jupyter/nbclient#312, nteract/papermill#723; seen here in CI).
    """
    if os.environ.get(BATCH_ENV_VAR) == "1":
        return _show_headline(decompose_targets(inputs, spec))
    import ipywidgets as w
    from IPython.display import display

    from planlib.display import format_table

    style = {"description_width": "160px"}
    layout = w.Layout(width="460px")

    def slider(description: str, value: float, low: float, high: float, step: float = 0.01) -> w.FloatSlider:
        return w.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                             continuous_update=False, readout_format=".2f", style=style, layout=layout)

    def choices(*values: str) -> list[tuple[str, str]]:  # (label in the report language, value)
        return [(str(value_label("method", v)), v) for v in values]

    method = w.ToggleButtons(options=choices("growth", "quantile"), value=spec.method if spec.method != "amount" else "growth",
                             description=_("target set by"), style=style)
    growth = slider(_("growth on last year"), spec.growth, -0.3, 1.0)
    quantile = slider(_("forecast quantile"), spec.quantile, 0.05, 0.95)
    time_split = w.ToggleButtons(options=choices("statistical", "manual"), value=spec.time_split, description=_("quarter split"), style=style)
    quarters = [slider(_("{quarter} weight").format(quarter=fmt_quarter(i + 1)), v, 0.0, 0.6)
                for i, v in enumerate(spec.quarter_weights or (0.25,) * 4)]
    balanced = spec.split_method == "balanced"
    if balanced:
        roles = {k: slider(_("{role} line tilt").format(role=value_label("role", k)), v, -0.3, 0.3) for k, v in spec.role_tilt.items()}
        stages = {k: slider(_("{stage} market tilt").format(stage=value_label("stage", k)), v, -0.3, 0.3) for k, v in spec.stage_tilt.items()}
    else:
        roles = {k: slider(_("{role} line growth").format(role=value_label("role", k)), v, -0.3, 2.0) for k, v in spec.role_growth.items()}
        stages = {k: slider(_("{stage} market growth").format(stage=value_label("stage", k)), v, -0.3, 2.0)
                  for k, v in spec.stage_growth.items()}
    output = w.Output()

    def refresh(_change=None) -> None:
        current = update_spec(
            spec,
            method=method.value,
            growth=growth.value,
            quantile=quantile.value,
            time_split=time_split.value,
            quarter_weights=[q.value for q in quarters],
            **{"role_tilt" if balanced else "role_growth": {k: s.value for k, s in roles.items()},
               "stage_tilt" if balanced else "stage_growth": {k: s.value for k, s in stages.items()}},
        )
        table = summarize_whatif(decompose_targets(inputs, current))
        with output:
            output.clear_output(wait=True)
            display(format_table(table))

    controls = [method, growth, quantile, time_split, *quarters, *roles.values(), *stages.values()]
    for control in controls:
        control.observe(refresh, names="value")
    refresh()
    return w.HBox([w.VBox([w.HTML("<b>" + _("What if…") + "</b>"), *controls]), output])
