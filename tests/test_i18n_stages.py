"""The stages' sentences in zh-CN: Chinese throughout, with only data values (names, codes) left as they are.

Each test builds a stage's tables from the tiny frames of that stage's own tests and reads
its summaries, notes and chart titles with ``report.language: zh-CN``.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from planlib import actions as A
from planlib import charts, decompose, i18n, review
from planlib import tracking as TR
from planlib.plan import TargetsSpec

# Three English words in a row: a sentence (or a piece of one) the catalog did not translate.
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'()/-]+[A-Za-z]{2,}){2,}")
# Words planlib keeps in Chinese text on purpose: model and metric names, params keys.
KEPT = re.compile(r"\b(?:MASE|SMART|P\d+|IQR|ETS|SARIMA|Theta|MinT|WLS)\b|`[^`]*`|\w+\.\w+(?:\(.*?\))?")


def english_in(text: str, *data_values: str) -> list[str]:
    """Runs of English words left in ``text`` once data values and kept terms are taken out."""
    for value in sorted(data_values, key=len, reverse=True):
        text = text.replace(value, " ")
    return ENGLISH.findall(KEPT.sub(" ", text))


@pytest.fixture(autouse=True)
def _chinese():
    i18n.activate("zh-CN")
    yield
    i18n.activate("en")


def test_the_detector_finds_english_and_spares_data_values():
    assert english_in("年度目标1.45亿元: reached with probability 16%") == ["reached with probability"]
    assert english_in("共6个区域；最大的是East China，目标3,998.0万元", "East China") == []
    assert english_in("回测MASE 0.95，见 targets.probability_overrides") == []


def test_target_sentences_and_notes_are_chinese():
    from test_targets_decompose import _inputs

    spec = TargetsSpec(method="quantile", quantile=0.6, reconciliation="halfway", reconciliation_band=0.05)
    tables = decompose.decompose_targets(_inputs(pd.DataFrame({"rep": ["r1", "r2"], "amount": [5_000.0, 1_000.0]})), spec)
    data = ("A", "S", "N", "W", "r1", "r2", "r3")
    texts = [
        decompose.summarize_annual_target(tables["annual_target"], currency="CNY"),
        decompose.summarize_split(tables["targets_product_line"], "product_line"),
        decompose.summarize_split(tables["targets_region"], "region"),
        decompose.summarize_customer_plan(tables["targets_customer_type"]),
        decompose.summarize_rep_targets(tables["targets_rep"], tables["rep_fairness"]),
        decompose.summarize_smart(tables["smart_targets"]),
        *tables["annual_target"]["note"].dropna(),
        *tables["smart_targets"]["owner"], *tables["smart_targets"]["action"],
        *tables["quota_reconciliation"]["action"], *tables["quota_reconciliation"]["reason"],
    ]
    assert "年度目标" in texts[0] and "万元" in texts[0] or "元" in texts[0]
    left = {t: english_in(t, *data) for t in texts if english_in(t, *data)}
    assert left == {}, f"English left in zh-CN target texts: {left}"


def test_action_sentences_and_the_gap_chart_are_chinese():
    from test_actions_ledger import calendar

    ledger = A.build_gap_ledger(calendar(), target=1_300, baseline=1_000)
    options = A.propose_gap_closing(ledger, revenue_per_visit=7.0, visits_per_rep_year=10)
    fig = charts.plot_gap_closure(ledger)
    axis = fig.axes[0]
    texts = [A.summarize_gap_ledger(ledger), *options["detail"], axis.get_title(), axis.get_ylabel(),
             *[t.get_text() for t in axis.get_xticklabels()], *[t.get_text() for t in axis.get_legend().get_texts()]]
    assert "缺口" in texts[0]
    left = {t: english_in(t, "Drive Q1", "Expo", "618") for t in texts if english_in(t, "Drive Q1", "Expo", "618")}
    assert left == {}, f"English left in zh-CN action texts: {left}"


def test_tracking_sentences_are_chinese():
    from test_tracking import make_orders, make_targets

    orders = make_orders([("2025-01-05", 60.0, "A", "East", "a"), ("2025-01-06", 20.0, "B", "West", "c")])
    status = TR.compare_to_plan(make_targets(), orders, as_of="2025-01-31")
    later = make_orders([(f"2025-{m:02d}-10", 80.0, "A", "East", "a") for m in (1, 2, 3)])
    texts = [TR.summarize_tracking(status)]
    for rule in ("keep_annual", "carry_shortfall", "hold_annual"):
        texts.append(TR.summarize_respread(TR.respread_remaining(make_targets(), later, as_of="2025-03-31", carry_forward=rule)))
    assert texts[0].startswith("截至1月31日：实际")
    left = {t: english_in(t, "East", "West") for t in texts if english_in(t, "East", "West")}
    assert left == {}, f"English left in zh-CN tracking texts: {left}"


def test_review_sentences_are_chinese():
    from test_review import make_lines

    lines = make_lines([
        ("2022-03-01", "B1", "c1", 200.0, "P", "East"), ("2022-06-01", "B2", "c2", 150.0, "Q", "West"),
        ("2023-03-01", "A1", "c1", 300.0, "P", "East"), ("2023-07-01", "A2", "c3", 250.0, "Q", "West"),
    ])
    kpis = review.compute_kpis(lines, year=2023)
    text = review.summarize_kpis(kpis)
    assert text.startswith("2023年（截至6月30日）收入") or text.startswith("2023收入"), text
    assert english_in(text) == [], text


def test_english_sentences_keep_their_words():
    """The same call in English gives the sentence the notebooks' stored outputs hold."""
    from test_actions_ledger import calendar

    i18n.activate("en")
    ledger = A.build_gap_ledger(calendar(), target=1_300, baseline=1_000)
    assert A.summarize_gap_ledger(ledger).startswith("Target 1.3K against a baseline of 1.0K: a gap of 300. ")
