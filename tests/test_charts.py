"""Tests of planlib.charts: each builder returns a readable Figure without touching pyplot."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (only to check that no pyplot figure is created)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from planlib import abc_analysis as abc, charts, review  # noqa: E402


@pytest.fixture(scope="module")
def lines() -> pd.DataFrame:
    """Two years of monthly orders: 12 customers, 3 product lines, 2 regions, a December peak."""
    rng = np.random.default_rng(7)
    rows = []
    for year in (2022, 2023):
        for month in range(1, 13):
            for k in range(12):
                value = float(rng.integers(1_000, 50_000)) * (1.8 if month == 12 else 1.0) * (1.1 if year == 2023 else 1.0)
                rows.append((pd.Timestamp(year, month, 1 + k), f"{year}-{month}-{k}", f"c{k}", value, ["Bikes", "Parts", "Apps"][k % 3], ["East", "West"][k % 2]))
    rows.append((pd.Timestamp(2023, 12, 31), "last", "c0", 10.0, "Bikes", "East"))
    frame = pd.DataFrame(rows, columns=["order_date", "order_id", "customer_id", "revenue", "product_line", "region"])
    for column in ("order_id", "customer_id", "product_line", "region"):
        frame[column] = frame[column].astype("category")
    return frame


def _check(fig: Figure, *, title: str, xlabel: str, ylabel: str) -> None:
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert title in ax.get_title()
    assert ax.get_xlabel() == xlabel and ax.get_ylabel() == ylabel
    assert ax.get_legend() is not None
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    assert plt.get_fignums() == []  # built without pyplot: nothing to close, nothing leaks


def test_format_amount():
    assert [charts.format_amount(v) for v in (0, 999, 1_500, 12_345_678, -2_000_000, 3.2e9, np.nan)] == [
        "0", "999", "1.5K", "12.3M", "-2M", "3.2B", ""
    ]


def test_monthly_trend(lines):
    periods = review.compute_kpis_by_period(lines, year=2023, as_of="2023-09-30")
    fig = charts.plot_monthly_trend(periods)
    _check(fig, title="Revenue by month: 2023 vs 2022", xlabel="month", ylabel="revenue")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2022", "2023"]
    assert ax.yaxis.get_major_formatter()(2_500_000, 0) == "2.5M"
    current = ax.get_lines()[1].get_ydata()
    assert np.isnan(current[9:]).all() and np.isfinite(current[:9]).all()  # nothing drawn after as_of
    expected = periods.loc[:8, "revenue"].sum() / periods.loc[:8, "revenue_previous"].sum() - 1
    assert f"({expected:+.1%} on the same months)" in ax.get_title()
    quarters = charts.plot_monthly_trend(review.compute_kpis_by_period(lines, year=2023, freq="quarter"), metric="orders", cumulative=True)
    _check(quarters, title="Orders by quarter", xlabel="quarter", ylabel="orders (cumulative)")
    with pytest.raises(KeyError, match="no column 'margin'"):
        charts.plot_monthly_trend(periods, metric="margin")


def test_mix_and_bridge(lines):
    table = review.break_down(lines, by="product_line", year=2023)
    fig = charts.plot_mix(table, labels=("2023", "2022"))
    _check(fig, title="Revenue mix by product line", xlabel="share of revenue", ylabel="product line")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == table["product_line"].tolist()[::-1]
    assert ax.xaxis.get_major_formatter()(0.25, 0) == "25%"
    small = charts.plot_mix(table, top=2)
    assert [t.get_text() for t in small.axes[0].get_yticklabels()] == ["Other", table["product_line"].iloc[0]]
    bridge = charts.plot_growth_bridge(table, labels=("2023", "2022"))
    bx = bridge.axes[0]
    assert [t.get_text() for t in bx.get_xticklabels()][::len(table) + 1] == ["2022", "2023"]
    assert len(bx.patches) == len(table) + 2
    assert bx.patches[-1].get_height() == pytest.approx(table["revenue"].sum())
    assert bx.get_ylabel() == "revenue" and "Revenue bridge by product line" in bx.get_title()


def test_pareto(lines):
    classes = abc.classify_abc(lines, year=2023)
    fig = charts.plot_pareto(classes)
    _check(fig, title="Pareto curve of customers", xlabel="share of customers (largest first, 12 in all)", ylabel="cumulative share of revenue")
    ax = fig.axes[0]
    curve = ax.get_lines()[0]
    assert curve.get_ydata()[-1] == pytest.approx(1.0) and (np.diff(curve.get_ydata()) >= 0).all()
    cuts = sorted(line.get_ydata()[0] for line in ax.get_lines() if line.get_linestyle() == "--" and line.get_ydata()[0] == line.get_ydata()[1])
    assert cuts == pytest.approx([0.80, 0.95])
    labels = " ".join(t.get_text() for t in ax.texts)
    for klass in ("A", "B", "C"):
        count = int((classes["abc_class"] == klass).sum())
        if count:
            assert f"{klass}\n{count:,}" in labels


def test_seasonality(lines):
    indices = review.compute_monthly_indices(lines)
    profile = review.profile_seasonality(indices)
    fig = charts.plot_seasonality(profile, indices)
    _check(fig, title="Seasonality: monthly revenue index over 2 years", xlabel="month", ylabel="index (1.0 = average month)")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    mean_line = [line for line in ax.get_lines() if line.get_label() == "mean index"][0]
    assert mean_line.get_ydata() == pytest.approx(profile["mean"].to_numpy())
    assert len(ax.collections) == 1  # the min-max band
    without_years = charts.plot_seasonality(profile)
    assert len(without_years.axes[0].get_lines()) == 2  # mean and the 1.0 reference


def _render_warnings(fig: Figure) -> list[str]:
    """Warnings raised while the figure is drawn to PNG and PDF."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png", dpi=40)
        fig.savefig(io.BytesIO(), format="pdf")
    return [str(w.message) for w in caught]


def test_chinese_labels_render_without_missing_glyphs():
    from planlib import i18n
    from planlib.i18n import fonts

    table = pd.DataFrame({"region": ["华东", "华南", "华北", "西部"], "share": [0.4, 0.3, 0.2, 0.1],
                          "share_previous": [0.35, 0.3, 0.25, 0.1], "revenue": [4e8, 3e8, 2e8, 1e8]})
    english = charts.plot_mix(table)  # Chinese data values in an English report
    assert [t.get_text() for t in english.axes[0].get_yticklabels()] == ["西部", "华北", "华南", "华东"]
    assert not [w for w in _render_warnings(english) if "missing from font" in w]
    with i18n.language("zh-CN"):
        chinese = charts.plot_mix(table)
        assert chinese.axes[0].get_title() == "按区域的收入结构" and chinese.axes[0].get_xlabel() == "收入占比"
        assert charts.format_amount(123_400_000) == "1.23亿" and charts.format_amount(56_000) == "5.6万"
    assert not [w for w in _render_warnings(chinese) if "missing from font" in w]
    assert fonts.find_cjk_font() in fonts.SYSTEM_CJK_FAMILIES


def test_without_a_cjk_font_the_boxes_are_reported(monkeypatch):
    """The check above can fail: with no CJK font, matplotlib warns of missing glyphs (and planlib says why)."""
    import matplotlib as mpl

    from planlib.i18n import fonts

    monkeypatch.setattr(fonts, "packaged_font", lambda: None)
    monkeypatch.setattr(fonts, "SYSTEM_CJK_FAMILIES", ("No Such Font",))
    fonts.find_cjk_font.cache_clear()
    fonts._warn_no_font.cache_clear()
    try:
        with mpl.rc_context({"font.family": ["sans-serif"]}):
            with pytest.warns(UserWarning, match="no CJK font found"):
                fig = charts.plot_mix(pd.DataFrame({"region": ["华东"], "share": [1.0], "share_previous": [1.0],
                                                    "revenue": [1.0]}))
            assert [w for w in _render_warnings(fig) if "missing from font" in w]
    finally:
        fonts.find_cjk_font.cache_clear()
        fonts._warn_no_font.cache_clear()


def test_target_distribution_with_options_in_chinese():
    from planlib import i18n

    totals = np.random.default_rng(3).normal(1.2e8, 1e7, 500)
    options = pd.DataFrame({"method": ["growth", "quantile"], "amount": [1.25e8, 1.3e8]})
    with i18n.language("zh-CN"):
        fig = charts.plot_target_distribution(totals, target=1.3e8, last_year=1.1e8, options=options)
    ax = fig.axes[0]
    assert ax.get_title() == "目标有多大把握？计划年度的预测分布"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "上年 1.1亿" and labels[1].startswith("目标 1.3亿（达成概率 ")
    assert not [w for w in _render_warnings(fig) if "missing from font" in w]
