"""Tests of planlib.display: tables for people (no index, %, units, ✓ / —, blanks, wrapped) in both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planlib import i18n
from planlib.display import Table, configure_notebook, format_table
from planlib.plan import load_plan


@pytest.fixture(autouse=True)
def _english_after_each_test():
    yield
    i18n.activate("en")


@pytest.fixture
def kpis() -> pd.DataFrame:
    """A KPI table as 01 shows it, filtered so its index starts at 34."""
    return pd.DataFrame({
        "metric": ["revenue", "orders", "gross_margin", "repurchase_rate"],
        "current": [134_195_948.0, 4_433.0, 0.283, 0.41],
        "previous": [127_305_112.0, 4_161.0, 0.278, 0.40],
        "change": [6_890_836.0, 272.0, 0.005, 0.01],
        "growth": [0.054, 0.065, np.nan, np.nan],
        "period": [2024] * 4,
        "flag": pd.array([True, False, pd.NA, True], dtype="boolean"),
    }, index=range(34, 38))


def test_a_kpi_table_reads_as_a_person_expects(kpis):
    table = format_table(kpis, money=["current", "previous", "change"], pct=["growth"])
    assert isinstance(table, Table)
    lines = repr(table).splitlines()
    assert lines[0].split() == ["metric", "current", "previous", "change", "growth", "period", "flag"]
    assert lines[1].split() == ["revenue", "134,195,948", "127,305,112", "6,890,836", "+5.4%", "2024", "✓"]
    assert lines[2].split() == ["orders", "4,433", "4,161", "272", "+6.5%", "2024", "—"]
    assert lines[3].split() == ["gross", "margin", "28.3%", "27.8%", "+0.5", "pts", "2024"]  # a rate, not "0"
    assert not any(line.lstrip().startswith(("34", "35")) for line in lines)  # no row numbers
    assert "<NA>" not in repr(table) and "nan" not in repr(table)
    page = table._repr_html_()
    assert "<th" in page and "34</td>" not in page and "<NA>" not in page and ">✓<" in page


def test_chinese_tables_scale_money_and_translate_headers(kpis):
    i18n.activate("zh-CN")
    table = format_table(kpis, money=["current", "previous", "change"], pct=["growth"])
    frame = table.frame
    assert list(frame.columns) == ["指标", "本期", "上期", "变化", "增长率", "期间", "提示"]
    assert frame.iloc[0].tolist()[:4] == ["收入", "1.34亿元", "1.27亿元", "689.1万元"]
    assert frame.iloc[2].tolist()[:4] == ["毛利率", "28.3%", "27.8%", "+0.5个百分点"]
    months = pd.DataFrame({"region": ["华东", "华南"], "month": pd.to_datetime(["2025-03-01", "2025-04-01"]),
                           "quarter": [1, 2], "target": [12_345_678.0, 45_000_000.0], "chosen": [True, False]})
    frame = format_table(months, money=["target"]).frame
    assert list(frame.columns) == ["区域", "月份", "季度", "目标（万元）", "是否选用"]
    assert frame.iloc[0].tolist() == ["华东", "2025年3月", "一季度", "1,234.6", "✓"]
    assert frame.iloc[1].tolist() == ["华南", "2025年4月", "二季度", "4,500.0", "—"]
    assert format_table(pd.DataFrame({"quarter": ["Q1", "Q4"]})).frame["季度"].tolist() == ["一季度", "四季度"]


def test_wide_tables_are_split_into_blocks_that_repeat_the_labels():
    wide = pd.DataFrame({"region": ["East", "West"], "product_line": ["Pumps", "Valves"],
                         **{f"m{i:02d}": [1_000.0 * i, 2_000.0 * i] for i in range(1, 13)}})
    table = format_table(wide, money=[f"m{i:02d}" for i in range(1, 13)], max_columns=5)
    blocks = table.blocks()
    assert [len(b.columns) for b in blocks] == [7, 7, 4]
    assert all(list(b.columns[:2]) == ["region", "product line"] for b in blocks)
    assert repr(table).count("region") == 3 and table._repr_html_().count("<table") == 3
    assert blocks[2].iloc[1].tolist() == ["West", "Valves", "22,000", "24,000"]


def test_a_named_index_is_kept_and_missing_values_are_blank():
    frame = pd.DataFrame({"revenue": [1_500.0, np.nan]}, index=pd.Index(["East", "West"], name="region"))
    table = format_table(frame, money=["revenue"])
    assert table.frame.values.tolist() == [["East", "1,500"], ["West", ""]]


def test_configure_notebook_switches_the_report_language():
    configure_notebook(load_plan("params/demo_zh.yaml"))
    assert i18n.get_language() == "zh-CN"
    configure_notebook(load_plan("params/demo.yaml"))
    assert i18n.get_language() == "en"


def test_planlib_words_in_cells_are_translated_and_data_values_are_not():
    frame = pd.DataFrame({"product_line": ["Pumps", "growth"], "role": ["mature", "strategic"],
                          "status": ["green", "red"], "target": [1e6, 2e6]})
    assert format_table(frame, money=["target"]).frame["role"].tolist() == ["mature", "strategic"]
    i18n.activate("zh-CN")
    table = format_table(frame, money=["target"]).frame
    assert table["定位"].tolist() == ["成熟", "战略"] and table["状态"].tolist() == ["绿灯", "红灯"]
    assert table["产品线"].tolist() == ["Pumps", "growth"]  # a product line named "growth" is data: unchanged


def test_counts_show_as_whole_numbers_with_separators():
    """Customers planned as fractions (1,502 x 67.2%) read as people: 1,009, not 1,008.72."""
    frame = pd.DataFrame({"customer_type": ["existing", "new"], "customers": [1008.72, np.nan]})
    assert format_table(frame, counts=["customers"]).frame.iloc[:, 1].tolist() == ["1,009", ""]
