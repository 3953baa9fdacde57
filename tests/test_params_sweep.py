"""Params at the edges of what the schema allows, through the target and action stages.

Every value ``planlib validate`` accepts must either plan or stop with a line in the user's
words (a params key), never with an internal function's parameter name
("the 'tilt' parameter of balance_split ..."), and never crash.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from planlib import workflow
from planlib.errors import PlanlibError
from planlib.plan import load_plan

ROOT = Path(__file__).resolve().parents[1]
BASE = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))
BASE["data"]["demo"]["n_lines"] = 12_000
BASE["forecast"]["levels"] = [["product_line"], ["region"], ["channel"]]

VARIANTS = {
    "one role's tilt": {"targets": {"role_tilt": {"mature": 0.2}}},
    "one stage's tilt": {"targets": {"stage_tilt": {"emerging": 0.1}}},
    "growth split, one role's growth": {"targets": {"split_method": "growth", "role_growth": {"mature": 0.1}, "stage_growth": {"growth": 0.3}}},
    "override naming no unit": {"targets": {"probability_overrides": {"Nowhere": [0.2, 0.5]}}},
    "override of a region": {"targets": {"probability_overrides": {"East China": [0.3, 0.4]}}},
    "whole strategic share": {"targets": {"strategic_share_min": 1.0}},
    "lowest growth floor": {"targets": {"min_growth": -0.5}},
    "near-certain quantile": {"targets": {"quantile": 0.999}},
    "tiny amount": {"targets": {"method": "amount", "amount": 1}},
    "all in Q1": {"targets": {"time_split": "manual", "quarter_weights": [1, 0, 0, 0]}},
    "no ramp": {"targets": {"ramp_months": 0}},
    "no repurchase": {"targets": {"repurchase_rate": 0.0, "order_value_uplift": -0.5}},
    "no budget": {"actions": {"budget": 0}},
    "one visit a month": {"actions": {"max_visits_per_rep_month": 1, "win_rate": 1.0}},
}


@pytest.fixture(scope="module")
def upstream(tmp_path_factory) -> tuple[workflow.Run, Path]:
    """The demo's intake, review and forecast artifacts, built once."""
    folder = tmp_path_factory.mktemp("sweep")
    params = folder / "base.yaml"
    params.write_text(yaml.safe_dump(BASE, allow_unicode=True), encoding="utf-8")
    run = workflow.open_run(str(params), pack_dir=str(folder / "upstream"), root=ROOT)
    for name in workflow.FORECAST_TABLES:
        run.table(name, optional=True)
    return run, folder


@pytest.mark.parametrize("label", list(VARIANTS))
def test_params_at_the_edges_plan_or_stop_in_the_users_words(upstream, label):
    run, folder = upstream
    params = copy.deepcopy(BASE)
    for section, values in VARIANTS[label].items():
        params[section].update(values)
    path = folder / f"{label.replace(' ', '_')}.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    plan = load_plan(path)  # the schema accepts it
    pack = folder / f"pack_{label.replace(' ', '_')}"
    shutil.copytree(run.pack, pack)
    variant = workflow.Run(plan=plan, root=ROOT, pack=pack, period=run.period, as_of=run.as_of, params_file=path)
    try:
        for name in (*workflow.TARGET_TABLES, *workflow.ACTION_TABLES):
            variant.table(name, optional=True)
    except PlanlibError as exc:
        message = str(exc)
        assert "parameter" not in message and "\n" not in message, message
        assert getattr(exc, "key", None) or "actions." in message or "targets." in message, message
        if label == "override naming no unit":
            assert message.startswith("targets.probability_overrides names 'Nowhere', which is no product line, region or channel")
        else:
            assert label == "no budget", f"{label}: {message}"  # the only variant that cannot plan: actions cost money
        return
    assert label not in ("override naming no unit", "no budget"), f"{label} planned, but should have stopped"
    targets = variant.table("targets_region")
    assert int(targets["target"].sum()) == int(variant.table("annual_target").query("step == 'final'")["amount"].iloc[0])
