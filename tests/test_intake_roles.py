"""Undeclared roles and stages are read from the history; promotions come only from a named calendar."""

from __future__ import annotations

import pandas as pd
import pytest

from planlib import demo, schema
from planlib.calendars import spring_festival, spring_festival_dates
from planlib.intake.roles import infer_roles
from planlib.plan import ActionsSpec


@pytest.fixture(scope="module")
def demo_orders() -> pd.DataFrame:
    return demo.generate_demo_orders(20_000, seed=7, start="2021-01-01", end="2024-12-31")


def _lines(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({schema.ORDER_DATE: pd.to_datetime([r[0] for r in rows]), schema.PRODUCT_LINE: [r[1] for r in rows],
                         schema.REGION: [r[1] for r in rows], schema.REVENUE: [r[2] for r in rows]})


def test_small_fast_lines_are_potential_and_the_big_steady_ones_mature(demo_orders):
    table = infer_roles(demo_orders, schema.PRODUCT_LINE).set_index(schema.PRODUCT_LINE)
    values = table["value"].to_dict()
    assert (values["Pumps"], values["Valves"], values["Smart Sensors"]) == ("mature", "mature", "potential")
    assert table.at["Smart Sensors", "source"].startswith("inferred: share 3.9%, growth +206% vs company +35%")  # the evidence
    assert "strategic lines are declared in data.product_lines" in table.at["Smart Sensors", "source"]


def test_market_stages_follow_growth_against_the_company():
    rows = []
    for year, scale in ((2023, 1.0), (2024, 1.1)):  # the company grows 10%
        rows += [(f"{year}-03-01", "Big", 800 * scale), (f"{year}-03-01", "Fast", 150 * (1.0 if year == 2023 else 1.4)),
                 (f"{year}-03-01", "Slow", 50 * (1.0 if year == 2023 else 0.9))]
    rows.append(("2024-06-01", "Fresh", 5.0))  # first sold within 24 months of a 2-year history
    rows += [("2022-05-01", unit, 1.0) for unit in ("Big", "Fast", "Slow")]  # sold over 24 months before the end (2024-06-01)
    table = infer_roles(_lines(rows), schema.REGION).set_index(schema.REGION)["value"].to_dict()
    assert table == {"Big": "mature", "Fast": "growth", "Slow": "mature", "Fresh": "emerging"}


def test_too_short_a_history_stays_mature_and_says_why():
    table = infer_roles(_lines([("2024-01-05", "A", 10.0), ("2024-11-05", "B", 5.0)]), schema.REGION)
    assert set(table["value"]) == {"mature"}
    assert table["source"].str.startswith("default mature (under 24 months of data").all()


def test_params_declare_strategic_and_beat_inference(demo_orders):
    from planlib.intake.segments import build_segment_tables
    from planlib.plan import load_plan
    from pathlib import Path

    plan = load_plan(Path(__file__).resolve().parents[1] / "params" / "demo.yaml")
    plan = plan.model_copy(update={"data": plan.data.model_copy(update={"product_lines": {"Smart Sensors": "strategic"}})})
    lines = build_segment_tables(demo_orders, plan=plan)["product_lines"].set_index(schema.PRODUCT_LINE)
    assert lines.at["Smart Sensors", schema.ROLE] == "strategic" and lines.at["Smart Sensors", "source"] == "params"
    assert lines.at["Pumps", schema.ROLE] == "mature" and lines.at["Pumps", "source"].startswith("inferred: share")


def test_no_promotion_calendar_unless_the_plan_names_one():
    assert ActionsSpec().promotions == ()
    names = [p.name for p in ActionsSpec(calendar="cn_retail").promotions]
    assert names == ["Spring Festival stocking push", "618 mid-year festival", "Double 11 festival", "Year-end push"]
    own = ActionsSpec(calendar="cn_retail", promotions=[{"name": "Back to school", "anchor": "09-01"}])
    assert [p.name for p in own.promotions] == ["Back to school"]  # its own list replaces the calendar's


def test_spring_festival_dates_come_from_the_holidays_library():
    assert [str(d.date()) for d in spring_festival_dates(2023, 2026)] == ["2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17"]
    assert spring_festival(1999) == pd.Timestamp("1999-02-16")
    assert tuple(demo.CNY_DATES[:3]) == ("2015-02-19", "2016-02-08", "2017-01-28")
