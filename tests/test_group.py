"""planlib.group without packs: the group's numbers, and the checks that refuse a set of units up front."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from planlib.cli import main
from planlib.errors import DataError, PackError
from planlib.group import check_units, run_many, consolidate, couple_paths, error_correlation, find_params, summarize_unit
from planlib.group.consolidate import reach

ROOT = Path(__file__).resolve().parents[1]


def _unit(name: str, paths: np.ndarray, target: int, baseline: float = 100.0) -> dict:
    annual = pd.DataFrame({"step": ["proposed", "final"], "amount": [target - 1, target], "baseline": [baseline] * 2,
                           "growth": [0.0, target / baseline - 1], "probability": [0.5, 0.4]})
    return summarize_unit(annual, pd.DataFrame({"Total": paths}), unit=name)


def test_the_group_target_is_the_exact_integer_sum_of_the_units():
    big = 3_000_000_000_000_001  # beyond float's exact integers when summed as floats
    units = [_unit(f"u{i}", np.full(100, float(big)), big + i, baseline=float(big)) for i in range(3)]
    table, group, _ = consolidate(units)
    assert table["target"].tolist() == [big, big + 1, big + 2]
    assert set(group["target"]) == {3 * big + 3}
    assert group["target"].dtype == "int64"


def test_summarize_unit_reads_the_final_step_and_recomputes_the_probability():
    line = _unit("north", np.arange(100, dtype=float), 60)
    assert line["target"] == 60 and line["probability"] == pytest.approx(0.40)
    assert line["probability_stated"] == 0.4


def test_summarize_unit_names_a_missing_final_step():
    annual = pd.DataFrame({"step": ["proposed"], "amount": [1], "baseline": [1.0], "growth": [0.0], "probability": [0.5]})
    with pytest.raises(DataError, match="unit 'x' has 0 rows with step 'final'"):
        summarize_unit(annual, pd.DataFrame({"Total": [1.0]}), unit="x")


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(5, 60),
    units=st.integers(1, 5),
    seed=st.integers(0, 10_000),
    levels=st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5),
)
def test_the_comonotonic_probability_lies_between_the_units_own(n, units, seed, levels):
    """All units good or bad together: the group reaches the summed targets at least as often as
    its hardest unit and at most as often as its easiest (exact on equal path counts)."""
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(units):
        paths = rng.gamma(2.0, 50.0, size=n).round(1)
        lines.append(_unit(f"u{i}", paths, int(np.quantile(paths, levels[i]))))
    _, group, _ = consolidate(lines)
    p = group.set_index("coupling")["probability"]
    own = [line["probability"] for line in lines]
    assert min(own) - 1e-12 <= p["comonotonic"] <= max(own) + 1e-12
    assert 0.0 <= p["independent"] <= 1.0


def test_stretch_targets_are_harder_for_independent_units_than_for_units_moving_together():
    rng = np.random.default_rng(1)
    lines = [_unit(f"u{i}", rng.normal(1000, 100, 4000), 1025) for i in range(4)]  # each about 40% likely
    _, group, paths = consolidate(lines, rho=0.5, rho_months=24)
    p = group.set_index("coupling")["probability"]
    assert p["independent"] < p["estimated"] < p["comonotonic"]
    assert p["comonotonic"] == pytest.approx(np.mean([line["probability"] for line in lines]), abs=0.02)
    assert p["independent"] == pytest.approx(0.31, abs=0.02)  # P(N(0,1) > 0.25 * 2) with sd 200
    assert list(paths.columns) == ["independent", "estimated", "comonotonic"]
    assert (paths.diff().iloc[1:] >= 0).all().all()


def test_couple_paths_takes_units_with_different_path_counts():
    a, b = np.arange(100.0), np.arange(1000.0)
    co = couple_paths({"a": a, "b": b}, coupling="comonotonic")
    assert len(co) == 1000 and co[0] == 0.0 and co[-1] == pytest.approx(99 + 999)
    ind = couple_paths({"a": a, "b": b}, coupling="independent", n_draws=5000)
    assert len(ind) == 5000 and ind.min() >= 0 and ind.max() <= 99 + 999
    again = couple_paths({"a": a, "b": b}, coupling="independent", n_draws=5000)
    assert np.array_equal(ind, again)  # a fixed seed: the same packs give the same group figures
    with pytest.raises(ValueError, match="coupling' parameter of couple_paths must be one of"):
        couple_paths({"a": a}, coupling="sorted")


def _backtest(errors: np.ndarray) -> pd.DataFrame:
    months = pd.date_range("2023-01-01", periods=len(errors), freq="MS")
    return pd.DataFrame({"unique_id": "Total", "cutoff": pd.Timestamp("2022-12-01"), "ds": months,
                         "y": 100 * np.exp(errors), "mean": 100.0})


def test_error_correlation_from_the_units_backtests():
    rng = np.random.default_rng(3)
    common, own = rng.normal(size=36), rng.normal(size=(3, 36))
    same = error_correlation({"a": _backtest(common), "b": _backtest(common)})
    assert same == (pytest.approx(1.0), 36)
    half = error_correlation({u: _backtest(common + own[i]) for i, u in enumerate("abc")})
    assert 0.2 < half[0] < 0.8
    assert error_correlation({"a": _backtest(common), "b": _backtest(-common)})[0] == 0.0  # clipped: no promised hedge
    rho, months = error_correlation({"a": _backtest(common[:6]), "b": _backtest(common[:6])})
    assert math.isnan(rho) and months == 0


# ---- refusing a set of units up front ----------------------------------------------------------

def _project(tmp_path: Path) -> Path:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "params").mkdir()
    return tmp_path


def _params(project: Path, name: str, *, plan: str | None = None, **changes) -> Path:
    data = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))
    data["targets"].pop("commitments", None)
    data["plan"] = plan or name
    data.update(changes)
    path = project / "params" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_two_units_with_one_plan_name_are_refused(tmp_path):
    project = _project(tmp_path)
    files = [_params(project, "north"), _params(project, "south", plan="north")]
    with pytest.raises(PackError, match=r"^params/north.yaml and params/south.yaml both name plan 'north'; each unit needs its own plan name$"):
        check_units(files, project, group="group")


def test_units_planning_different_years_or_currencies_are_refused(tmp_path):
    project = _project(tmp_path)
    north = _params(project, "north")
    with pytest.raises(PackError, match=r"params/south.yaml plans 2024 but params/north.yaml plans 2025; a group plans one year"):
        check_units([north, _params(project, "south", plan_year=2024)], project, group="group")
    with pytest.raises(PackError, match=r"params/west.yaml plans in USD but params/north.yaml in CNY"):
        check_units([north, _params(project, "west", currency="USD")], project, group="group")


def test_a_group_named_like_a_unit_or_a_file_given_twice_is_refused(tmp_path):
    project = _project(tmp_path)
    north, south = _params(project, "north"), _params(project, "south")
    with pytest.raises(PackError, match="the group name 'north' is also the plan of params/north.yaml"):
        check_units([north, south], project, group="north")
    with pytest.raises(PackError, match="params/north.yaml is given twice"):
        check_units([north, south, north], project, group="group")
    assert [plan.plan for _, plan in check_units([north, south], project, group="group")] == ["north", "south"]


def test_a_folder_gives_its_params_files_in_order(tmp_path):
    project = _project(tmp_path)
    units = project / "params" / "units"
    units.mkdir()
    for name in ("b", "a"):
        (units / f"{name}.yaml").write_text("plan: x\n")
    (units / "notes.txt").write_text("not a params file")
    assert [p.name for p in find_params(["params/units"], project)] == ["a.yaml", "b.yaml"]
    with pytest.raises(PackError, match="params/empty: no such params file or folder"):
        find_params(["params/empty"], project)


def test_the_command_refuses_duplicate_plan_names_in_one_line(tmp_path):
    project = _project(tmp_path)
    _params(project, "north")
    _params(project, "south", plan="north")
    result = CliRunner().invoke(main, ["pack", "params/north.yaml", "params/south.yaml"], env={"PLANLIB_ROOT": str(project)})
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "planlib: params/north.yaml and params/south.yaml both name plan 'north'; each unit needs its own plan name"
    ]
    assert not (project / "reports").exists()  # nothing ran


def test_an_unreachable_scheduler_stops_with_one_line(tmp_path):
    project = _project(tmp_path)
    files = [_params(project, "north"), _params(project, "south")]
    with pytest.raises(PackError, match=r"^cannot reach the dask scheduler at tcp://127.0.0.1:1: "):
        run_many(files, root=project, scheduler="tcp://127.0.0.1:1", connect_timeout="1s")
    assert not (project / "reports").exists()


# ---- the group pack from small hand-made unit packs --------------------------------------------

def _fake_pack(project: Path, name: str, *, target: int, paths: np.ndarray, language: str = "en") -> Path:
    """A whole unit pack holding just what the group plan reads (12 monthly targets adding up to ``target``)."""
    from planlib import io

    pack = project / "reports" / name / "2025"
    months = pd.date_range("2025-01-01", periods=12, freq="MS")
    monthly = [target // 12] * 11 + [target - 11 * (target // 12)]
    io.write_artifact(pd.DataFrame({"step": ["final"], "amount": [target], "baseline": [target / 1.1], "growth": [0.1],
                                    "probability": [round(float(np.mean(paths >= target)), 2)]}), pack, "annual_target")
    io.write_artifact(pd.DataFrame({"Total": paths}), pack, "year_paths")
    io.write_artifact(pd.DataFrame({"dimension": "total", "segment": "Total", "month": months, "target": monthly}),
                      pack, "targets_long")
    io.write_json({"status": "complete", "params": {"report": {"language": language}}}, pack / "manifest.json")
    return pack


def test_a_chinese_group_speaks_chinese(tmp_path):
    import openpyxl

    from planlib.group import write_group_pack

    project = _project(tmp_path)
    rng = np.random.default_rng(0)
    packs = {name: _fake_pack(project, name, target=t, paths=rng.normal(t * 0.95, t * 0.1, 500), language="zh-CN")
             for name, t in (("华东", 12_345_678), ("华南", 8_765_432))}
    lines: list[str] = []
    pack = write_group_pack(packs, group="集团", period="2025", root=project, echo=lines.append)
    summary = (pack / "group_summary.md").read_text(encoding="utf-8")
    assert summary.startswith("# 集团计划 集团，2025") and "集团承诺**2,111.1万元**" in summary
    assert "21,111,110" in summary  # the table keeps the exact sum
    book = openpyxl.load_workbook(pack / "集团_2025_group_plan.xlsx", read_only=True)
    assert book.sheetnames == ["目录", "单位", "集团", "月度", "分布"]
    assert lines[-1].startswith("集团计划“集团”：2个单位合计目标21,111,110")


def test_the_group_pack_refuses_a_unit_pack_that_is_not_whole_or_does_not_add_up(tmp_path):
    from planlib.group import write_group_pack

    project = _project(tmp_path)
    good = _fake_pack(project, "north", target=1200, paths=np.arange(1000, 1500, dtype=float))
    odd = _fake_pack(project, "south", target=1200, paths=np.arange(1000, 1500, dtype=float))
    (odd / "manifest.json").write_text('{"status": "running"}')
    with pytest.raises(PackError, match="south/2025 is not a whole plan pack"):
        write_group_pack({"north": good, "south": odd}, group="group", period="2025", root=project)
    from planlib import io

    io.write_json({"status": "complete", "params": {}}, odd / "manifest.json")
    io.write_artifact(pd.DataFrame({"step": ["final"], "amount": [1300], "baseline": [1000.0], "growth": [0.3],
                                    "probability": [0.5]}), odd, "annual_target")
    with pytest.raises(PackError, match="the monthly targets add up to 1,200, not the annual target 1,300"):
        write_group_pack({"north": good, "south": odd}, group="group", period="2025", root=project)
    assert not (project / "reports" / "group").exists() or not any((project / "reports" / "group").iterdir())
