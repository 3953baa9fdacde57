"""Tests of planlib.onepage: the one-page plan from a pack's tables, in English and Chinese, HTML and (where Chromium exists) PDF."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from planlib import i18n, io, onepage


@pytest.fixture(autouse=True)
def _english_after_each_test():
    yield
    i18n.activate("en")


def _tables() -> dict[str, pd.DataFrame]:
    return {
        "annual_target": pd.DataFrame({"step": ["proposed", "final"], "amount": [140e6, 150e6],
                                       "growth": [0.04, 0.118], "probability": [0.6, 0.4]}),
        "targets_month": pd.DataFrame({"quarter": [1, 1, 2, 3, 4], "target": [10e6, 20e6, 40e6, 35e6, 45e6]}),
        "targets_region": pd.DataFrame({"region": ["华东", "华南", "华北", "西部"], "target": [60e6, 45e6, 30e6, 15e6]}),
        "gap_closure": pd.DataFrame({"kind": ["target", "baseline", "action", "action", "remaining_gap"],
                                     "action_type": [None, None, "promotion", "event", None],
                                     "incremental": [150e6, 138e6, 7e6, 3e6, 2e6]}),
        "capacity": pd.DataFrame({"feasible": [True, False, False, True]}),
        "rep_fairness": pd.DataFrame({"rep": ["张伟", "王芳", "李娜"], "outlier": [False, True, False]}),
        "smart_targets": pd.DataFrame({"probability": [0.5, 0.1, 0.05, 0.3]}),
    }


def test_the_one_page_plan_in_english():
    sections = onepage.build_one_page(_tables())
    text = {s.heading: s.lines for s in sections}
    assert list(text) == ["The target", "Who carries it", "The gap and what closes it", "Top risks"]
    assert text["The target"] == ["Annual target 150M, +11.8% on last year",
                                  "Chance of reaching it: 40% (from the forecast's simulated years)"]
    assert text["Who carries it"][0] == "By quarter: Q1 30.0M; Q2 40.0M; Q3 35.0M; Q4 45.0M"
    assert text["Who carries it"][1] == "Largest by region: 华东 60.0M (40%); 华南 45.0M (30%); 华北 30.0M (20%)"
    assert text["The gap and what closes it"][:3] == [
        "Gap between the target and the forecast without new actions: 12.0M", "Planned actions close 10.0M",
        "Still open: 2.0M"]
    assert text["Top risks"] == [
        "Capacity: 2 of 4 rep-months need more visits than the reps can make",
        "One quota out of line with history and capacity (王芳)",
        "Out of reach: 2 targets have less than a 20% chance"]


def test_the_one_page_plan_in_chinese_and_a_quarterly_pack():
    tables = _tables() | {"tracking": pd.DataFrame({"dimension": ["total", "region"], "attainment": [0.93, 1.1],
                                                     "projected_attainment": [0.97, 1.0]}),
                        "replan_outlook": pd.DataFrame({"metric": ["annual_target", "replanned_year", "p_annual_target",
                                                                   "p_replanned_year"],
                                                        "value": [150e6, 146e6, 0.31, 0.52]})}
    with i18n.language("zh-CN"):
        sections = onepage.build_one_page(tables)
        page = onepage.render_one_page(sections, title="演示贸易公司 2025年销售计划", lang="zh-CN")
    text = {s.heading: s.lines for s in sections}
    assert text["目标"][0] == "年度目标 1.50亿元，较上年+11.8%"
    assert text["目标分解"][0] == "分季度：一季度 3,000.0万元；二季度 4,000.0万元；三季度 3,500.0万元；四季度 4,500.0万元"
    assert text["当前进展"] == ["截至目前达成计划的93.0%", "按当前进度，全年将达成年度目标的97.0%",
                            "重新规划的全年 1.46亿元，年度目标 1.50亿元", "当前达成年度目标的概率：31%；达成重新规划全年的概率：52%"]
    assert "<title>演示贸易公司 2025年销售计划</title>" in page and "<script" not in page
    assert not any(ch.isascii() and ch.isalpha() for line in text["主要风险"] for ch in line.replace("王芳", ""))


def test_missing_tables_leave_their_section_out(tmp_path):
    assert onepage.build_one_page({}) == []
    only_target = {"annual_target": _tables()["annual_target"]}
    assert [s.heading for s in onepage.build_one_page(only_target)] == ["The target"]


def test_write_one_page_html_and_pdf_or_a_stated_reason(tmp_path, monkeypatch):
    pack = tmp_path / "pack"
    for name, frame in _tables().items():
        io.write_artifact(frame, pack, name)
    page, pdf, line = onepage.write_one_page(pack, title="Demo 2025")
    assert page.read_text(encoding="utf-8").count("<h2>") == 4
    if onepage.find_chromium() is None:
        assert pdf is None and line.endswith("no Chromium or Chrome on this machine")
    else:
        assert pdf is not None and pdf.read_bytes()[:5] == b"%PDF-" and line == "one-page plan written as HTML and PDF"
        with i18n.language("zh-CN"):
            _page, pdf, line = onepage.write_one_page(pack, title="演示贸易公司 2025年销售计划", lang="zh-CN")
        assert line == "目标一页纸已生成HTML和PDF"
        # the Chinese is printed in the embedded CJK font, not as boxes: a font besides DejaVu (the Latin one) is in the
        # PDF, named NotoSansCJK or, once Chromium's font sanitizer rebuilt the subset, "OTS-derived-font"
        fonts = re.findall(rb"/FontName\s*/(\S+)", pdf.read_bytes())
        assert any(b"NotoSansCJK" in f or b"OTS-derived-font" in f for f in fonts), fonts
    monkeypatch.setattr(onepage, "find_chromium", lambda: None)
    _page, pdf, line = onepage.write_one_page(pack, title="Demo 2025")
    assert pdf is None and "PDF skipped: no Chromium" in line


def test_capacity_risk_reads_the_plan_after_rebalancing():
    """The one-page plan states what is short after visits moved, not the raw check before it."""
    import pandas as pd

    from planlib.onepage import _risks

    raw = pd.DataFrame({"feasible": [False, False, True]})  # 2 rep-months over before rebalancing
    rebalanced = pd.DataFrame({"funnel_short": [0, 0, 0]})
    section = _risks({"capacity": raw, "visit_plan": rebalanced})
    assert not any("Capacity" in line for line in section.lines)
    short = pd.DataFrame({"funnel_short": [5, 0, 0]})
    section = _risks({"capacity": raw, "visit_plan": short, "hiring_plan": pd.DataFrame({"hires": [1]})})
    assert any("1 of 3 rep-months are still short" in line and "1 hire" in line for line in section.lines)


def test_a_target_below_the_baseline_is_not_called_a_negative_gap():
    import pandas as pd

    from planlib.onepage import _gap

    ledger = pd.DataFrame({"kind": ["target", "baseline", "remaining_gap"], "incremental": [100.0, 120.0, -20.0]})
    lines = _gap({"gap_closure": ledger}).lines
    assert lines[0].startswith("The forecast without new actions already reaches the target") and "-" not in lines[0]
