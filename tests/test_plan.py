"""Params validation: every mistake stops with one line naming the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from planlib.errors import ParamsError
from planlib.plan import load_plan

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "params" / "demo.yaml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _demo_with(tmp_path: Path, **changes) -> Path:
    raw = yaml.safe_load(DEMO.read_text())
    for dotted, value in changes.items():
        node = raw
        *parents, leaf = dotted.split("__")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return _write(tmp_path, yaml.safe_dump(raw, allow_unicode=True))


@pytest.mark.parametrize("name", ["demo.yaml", "adventureworks.yaml"])
def test_shipped_params_files_are_valid(name):
    plan = load_plan(ROOT / "params" / name)
    assert plan.plan == name.removesuffix(".yaml")
    assert plan.history_end == dt.date(plan.plan_year - 1, 12, 31)


def test_plan_is_frozen():
    plan = load_plan(DEMO)
    with pytest.raises(Exception):
        plan.plan_year = 2030


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"targets__grwth": 0.1}, "unknown key targets.grwth; did you mean 'growth'?"),
        ({"forcast": {}}, "unknown key forcast; did you mean 'forecast'?"),
        ({"data__columns": {"revnue": "x"}}, "unknown key data.columns.revnue; did you mean 'revenue'?"),
        ({"targets__growth": 12}, "targets.growth must be between -0.5 and 3; got 12"),
        ({"forecast__n_jobs": "two"}, "forecast.n_jobs must be a valid integer"),
        ({"targets__method": "guess"}, "targets.method must be one of 'growth', 'quantile' or 'amount'; got 'guess'"),
        ({"targets__quarter_weights": [0.3, 0.3, 0.3, 0.3]}, "targets.quarter_weights must sum to 1; got [0.3, 0.3, 0.3, 0.3] (sum 1.2)"),
        ({"review__abc_thresholds": [0.7, 0.2, 0.2]}, "review.abc_thresholds must sum to 1"),
        ({"as_of": "2025-03-31"}, "as_of must be before the plan year 2025 starts; got 2025-03-31"),
        ({"data__demo__start": "2026-01-01"}, "data.demo.start must be before data.demo.end"),
        ({"data__start": "2025-06-01"}, "data.start must be before as_of"),
        ({"tracking__amber": 0.99}, "tracking.amber must be below tracking.green"),
        ({"data__source": "csv"}, "data.path is required when data.source is 'csv'"),
        ({"data__source": "sql", "data__url": "postgresql://me:secret@db/sales", "data__query": "select 1"}, "data.url must not hold a password"),
        ({"targets__method": "amount"}, "targets.amount is required when targets.method is 'amount'"),
        ({"forecast__levels": [["product_line", "regoin"]]}, "unknown key forecast.levels; did you mean"),
    ],
)
def test_bad_params_give_one_line_naming_the_key(tmp_path, changes, message):
    path = _demo_with(tmp_path, **changes)
    with pytest.raises(ParamsError) as caught:
        load_plan(path)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(str(path)) or text.startswith("plan.yaml") or str(path.name) in text
    assert message in text


def test_missing_required_key_and_missing_file(tmp_path):
    with pytest.raises(ParamsError, match="plan_year is required"):
        load_plan(_write(tmp_path, "plan: x\n"))
    with pytest.raises(ParamsError, match="params file not found"):
        load_plan(tmp_path / "nope.yaml")


def test_not_yaml_or_not_a_mapping(tmp_path):
    with pytest.raises(ParamsError, match="not valid YAML at line 2"):
        load_plan(_write(tmp_path, "plan: x\n  bad: [\n"))
    with pytest.raises(ParamsError, match="expected a mapping"):
        load_plan(_write(tmp_path, "- a\n- b\n"))


def test_bare_yaml_dates_and_quoted_dates_parse_alike(tmp_path):
    bare = load_plan(_write(tmp_path, "plan: x\nplan_year: 2025\nas_of: 2024-06-30\n"))
    quoted = load_plan(_write(tmp_path, "plan: x\nplan_year: 2025\nas_of: '2024-06-30'\n"))
    assert bare.as_of == quoted.as_of == dt.date(2024, 6, 30)


def test_overrides_are_validated_too():
    plan = load_plan(DEMO, overrides={"targets.growth": 0.2})
    assert plan.targets.growth == 0.2
    with pytest.raises(ParamsError, match="targets.growth must be between"):
        load_plan(DEMO, overrides={"targets.growth": -0.9})
