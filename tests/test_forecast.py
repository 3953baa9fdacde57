"""Forecasting stage: monthly series, models on known series, fallbacks, quantiles, coherence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planlib.errors import DataError, ForecastError
from planlib.forecast import (
    ETS,
    SARIMA,
    STL,
    BorrowedSeasonality,
    Combination,
    Croston,
    ForecastModel,
    Naive,
    Naive2,
    SeasonalNaive,
    Theta,
    WithFallback,
    build_hierarchy,
    build_monthly_series,
    check_forecast,
    coherence_gap,
    forecast_series,
    make_model,
    mase,
    probability_of_reaching,
    reconcile,
    reconciliation_matrix,
    seasonal_factors,
    series_keys,
    smape,
    total_quantiles,
)
from planlib.forecast import summary
from planlib.forecast.backtest import backtest_offsets
from planlib.forecast.calibrate import widen_paths
from planlib.forecast.series import ancestors_of
from planlib.forecast.paths import EtsPaths

PROFILE = np.array([0.7, 0.8, 1.0, 1.1, 1.2, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 1.2])


def seasonal_series(n: int, *, level: float = 1000.0, trend: float = 0.0, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = (level + trend * t) * PROFILE[t % 12]
    return y * (1 + noise * rng.standard_normal(n)) if noise else y


def orders_frame(
    *,
    start: str = "2021-01-01",
    end: str = "2024-12-31",
    lines: dict[str, float] | None = None,
    regions: dict[str, float] | None = None,
    seed: int = 1,
    noise: float = 0.1,
) -> pd.DataFrame:
    """One order line per day, product line and region: seasonal, growing, a little noisy."""
    lines = lines or {"Bikes": 3.0, "Parts": 1.0}
    regions = regions or {"East": 2.0, "West": 1.0}
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, end, freq="D")
    frames = []
    for line, a in lines.items():
        for region, b in regions.items():
            t = np.arange(len(days)) / 365.0
            season = PROFILE[days.month.to_numpy() - 1]
            rev = 100.0 * a * b * season * (1 + 0.05 * t) * (1 + noise * rng.standard_normal(len(days)))
            frames.append(
                pd.DataFrame(
                    {
                        "order_date": days,
                        "order_id": [f"{line}{region}{i}" for i in range(len(days))],
                        "customer_id": "C1",
                        "revenue": np.round(rev, 2),
                        "product_line": line,
                        "region": region,
                        "channel": "direct",
                    }
                )
            )
    out = pd.concat(frames, ignore_index=True)
    for c in ("product_line", "region", "channel", "order_id", "customer_id"):
        out[c] = out[c].astype("category")
    return out


# ---------------------------------------------------------------------------
# build_monthly_series
# ---------------------------------------------------------------------------


def test_monthly_series_sums_levels_and_fills_gaps_with_zero():
    orders = pd.DataFrame(
        {
            "order_date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-03-02", "2024-03-31", "2024-02-10"]),
            "revenue": [10.0, 5.0, 7.0, 1.0, 2.0],
            "product_line": pd.Categorical(["A", "B", "A", "A", "B"]),
            "region": ["E", "E", "W", "E", "E"],
        }
    )
    s = build_monthly_series(orders, [["product_line"], ["product_line", "region"]])
    total = s[s.unique_id == "Total"]
    assert total.y.tolist() == [15.0, 2.0, 8.0]
    assert total.ds.tolist() == list(pd.date_range("2024-01-01", periods=3, freq="MS"))
    a = s[s.unique_id == "product_line=A"]
    assert a.y.tolist() == [10.0, 0.0, 8.0]  # February inside A's span is 0
    aw = s[s.unique_id == "product_line=A|region=W"]
    assert aw.ds.tolist() == [pd.Timestamp("2024-03-01")] and aw.y.tolist() == [7.0]
    assert set(s.level) == {"Total", "product_line", "product_line/region"}
    assert list(s.columns) == ["unique_id", "ds", "y", "level", "product_line", "region"]
    assert s.loc[s.unique_id == "product_line=A", "region"].isna().all()
    assert s.attrs["warnings"] == []


def test_partial_last_month_is_left_out_not_read_as_a_drop():
    orders = orders_frame(end="2024-06-12")
    s = build_monthly_series(orders, [["product_line"]])
    assert s.ds.max() == pd.Timestamp("2024-05-01")
    assert any("2024-06 is partial" in w for w in s.attrs["warnings"])
    s2 = build_monthly_series(orders, [["product_line"]], last_complete_month=pd.Timestamp("2024-03-15"))
    assert s2.ds.max() == pd.Timestamp("2024-03-01")


def test_missing_level_column_names_the_column():
    orders = orders_frame(end="2021-03-31")
    with pytest.raises(DataError, match="'rep'") as err:
        build_monthly_series(orders, [["rep"]])
    assert err.value.column == "rep"
    with pytest.raises(ForecastError, match="list of lists"):
        build_monthly_series(orders, ["region"])


# ---------------------------------------------------------------------------
# Models on known series
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", [ETS(), Theta(), SARIMA(), STL(), SeasonalNaive(), Naive2(), Combination()], ids=repr)
def test_pure_seasonal_series_is_forecast_near_exactly(model):
    y = seasonal_series(72)
    expected = seasonal_series(84)[72:]
    f = WithFallback(model).fit(y).predict(12)
    assert np.max(np.abs(f - expected) / expected) < 0.02


@pytest.mark.parametrize("model", [ETS(), Theta(), SARIMA(), STL(), SeasonalNaive(), Naive2(), Naive(), Croston(), Combination()], ids=repr)
def test_constant_series_stays_constant(model):
    y = np.full(48, 250.0)
    fitted = WithFallback(model).fit(y)
    assert np.allclose(fitted.predict(18), 250.0, rtol=1e-6)
    paths = fitted.sampler(12)(np.random.default_rng(0).standard_normal((12, 50)))
    assert np.allclose(paths, 250.0, rtol=1e-6)


def test_seasonal_factors_recover_the_profile():
    f = seasonal_factors(seasonal_series(60))
    assert np.allclose(f, PROFILE / PROFILE.mean(), rtol=1e-9)
    assert np.allclose(seasonal_factors(np.full(60, 3.0)), 1.0)


def test_ets_paths_match_statsmodels_simulation():
    y = seasonal_series(60, trend=5.0, noise=0.05)
    for spec in ETS().specs:
        model = ETS(specs=[spec]).fit(y)
        sampler = model.sampler(14)
        assert isinstance(sampler, EtsPaths)
        z = np.random.default_rng(3).standard_normal((14, 6))
        ours = sampler(z)
        theirs = np.asarray(
            model.result_.simulate(14, anchor="end", repetitions=6, random_errors=z * np.sqrt(model.result_.scale))
        ) * model.scale_
        assert np.allclose(ours, theirs, rtol=1e-9, atol=1e-9)
        assert np.allclose(sampler(np.zeros((14, 1)))[:, 0], model.predict(14))


class _Exploding(ForecastModel):
    alias = "exploding"

    def fit(self, y):
        self.n_ = len(y)
        self.residuals_ = np.zeros(len(y))
        self.sigma_ = 0.0
        return self

    def predict(self, h):
        return np.full(h, 1e12)


class _Failing(_Exploding):
    alias = "failing"

    def fit(self, y):
        raise RuntimeError("optimizer blew up")


@pytest.mark.parametrize("bad, text", [(_Exploding(), "over 4x"), (_Failing(), "optimizer blew up")])
def test_absurd_or_failed_fit_falls_back_to_seasonal_naive(bad, text):
    y = seasonal_series(36)
    m = WithFallback(bad).fit(y)
    assert m.fell_back_ and text in m.note_ and "snaive" in m.note_
    assert np.allclose(m.predict(12), y[-12:])


def test_check_forecast_flags_nonsense():
    y = np.array([1.0, 2.0, 3.0])
    assert check_forecast(np.array([np.nan]), y) == "non-finite forecast"
    assert "over 4x" in check_forecast(np.array([100.0]), y)
    assert "never went negative" in check_forecast(np.array([-5.0]), y)
    assert check_forecast(np.array([2.5, 3.5]), y) is None


def test_borrowed_profile_gives_a_short_series_its_parents_shape():
    profile = PROFILE / PROFILE.mean()
    y = 50.0 * profile[np.arange(10) % 12]
    f = BorrowedSeasonality(profile=profile).fit(y).predict(12)
    assert np.allclose(f, 50.0 * profile[(10 + np.arange(12)) % 12], rtol=1e-3)


def test_croston_on_intermittent_demand():
    y = np.array([0, 0, 6, 0, 0, 0, 6, 0, 0, 6, 0, 0] * 3, float)
    f = Croston().fit(y).predict(6)
    assert np.allclose(f, f[0]) and 0.5 < f[0] < 3.0


def test_make_model_rejects_unknown_names():
    with pytest.raises(ForecastError, match="the 'model' parameter must be one of"):
        make_model("prophet")


def test_metrics_by_hand():
    assert smape(np.array([100.0, 100.0]), np.array([100.0, 50.0])) == pytest.approx(200 * 50 / 150 / 2)
    hist = np.arange(24, dtype=float)  # seasonal differences are all 12
    assert mase(np.array([30.0]), np.array([24.0]), hist) == pytest.approx(0.5)


# ---------------------------------------------------------------------------
# forecast_series: choice, quantiles, coherence, awkward series
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hierarchy_result():
    orders = orders_frame()
    series = build_monthly_series(orders, [["product_line"], ["region"], ["product_line", "region"]])
    return series, forecast_series(series, n_jobs=1, n_paths=400, n_origins=2)


def test_forecast_adds_up_to_the_cent_month_by_month(hierarchy_result):
    series, res = hierarchy_result
    f = res.forecast.set_index(["unique_id", "ds"])["mean"]
    total = f.xs("Total", level="unique_id")
    for level_prefix in ("product_line=", "region="):
        parts = f[[("|" not in u and u.startswith(level_prefix)) for u in f.index.get_level_values(0)]]
        assert np.max(np.abs(parts.groupby(level="ds").sum() - total)) < 0.005
    bikes = f.xs("product_line=Bikes", level="unique_id")
    cells = f[[u.startswith("product_line=Bikes|") for u in f.index.get_level_values(0)]].groupby(level="ds").sum()
    assert np.max(np.abs(cells - bikes)) < 0.005
    assert res.reconciliation in ("bottom_up", "wls", "mint_shrink")


def test_reconciled_paths_add_up_path_by_path_before_widening():
    series = build_monthly_series(orders_frame(end="2023-12-31"), [["product_line"], ["product_line", "region"]])
    res = forecast_series(series, model="snaive", n_jobs=1, n_paths=300, n_origins=1, calibrate=False)
    yp = res.year_paths
    cells = [c for c in yp.columns if "|" in c]
    assert np.max(np.abs(yp[cells].sum(axis=1) - yp["Total"])) < 0.01
    assert (res.backtest["month_factor"] == 1).all() and (res.backtest["total_factor"] == 1).all()


def test_widening_scales_the_total_and_the_monthly_shape_separately():
    rng = np.random.default_rng(0)
    mean = np.full((1, 12), 100.0)
    paths = mean[:, :, None] + rng.standard_normal((1, 12, 400))
    same = widen_paths(paths, mean, np.array([1.0]), np.array([1.0]))
    assert np.allclose(same, paths)
    wide = widen_paths(paths, mean, np.array([1.0]), np.array([2.0]))
    dev_total = paths.sum(axis=1) - 1200.0
    assert np.allclose(wide.sum(axis=1) - 1200.0, 2.0 * dev_total)
    shape = paths - paths.mean(axis=1, keepdims=True)
    assert np.allclose(wide - wide.mean(axis=1, keepdims=True), shape)


def test_forecast_tables_have_quantiles_backtest_and_coverage(hierarchy_result):
    series, res = hierarchy_result
    f = res.forecast
    qcols = [f"p{q}" for q in range(10, 100, 10)]
    assert list(f.columns) == ["unique_id", "ds", "level", "mean", *qcols, "model"]
    assert (np.diff(f[qcols].to_numpy(), axis=1) >= -1e-9).all()
    assert f.ds.min() == pd.Timestamp("2025-01-01") and f.groupby("unique_id").size().eq(12).all()
    bt = res.backtest
    assert set(bt.unique_id) == set(series.unique_id)
    assert {"model", "reason", "mase", "bias", "mase_snaive", "coverage_p10_p90", "fallback"} <= set(bt.columns)
    assert bt["mase"].notna().all() and (bt["n_origins"] == 2).all()
    # the series are smooth, seasonal and growing: far better than seasonal naive
    assert (bt["mase"] < bt["mase_snaive"]).mean() > 0.5
    assert res.coverage.iloc[-1]["level"] == "all"
    tq = total_quantiles(res, "Total")
    assert tq.loc[0, "p10"] < tq.loc[0, "mean"] < tq.loc[0, "p90"]
    assert probability_of_reaching(res, "Total", tq.loc[0, "p10"]) == pytest.approx(0.9, abs=0.01)
    assert probability_of_reaching(res, "Total", 0.0) == 1.0


def test_same_inputs_give_identical_outputs_whatever_the_worker_count():
    series = build_monthly_series(orders_frame(end="2023-12-31"), [["product_line"]])
    a = forecast_series(series, n_jobs=1, n_paths=200, n_origins=1, seed=7)
    b = forecast_series(series, n_jobs=2, n_paths=200, n_origins=1, seed=7)
    pd.testing.assert_frame_equal(a.forecast, b.forecast)
    pd.testing.assert_frame_equal(a.backtest, b.backtest)
    pd.testing.assert_frame_equal(a.year_paths, b.year_paths)


def test_pure_seasonal_and_constant_series_through_forecast_series():
    ds = pd.date_range("2020-01-01", periods=60, freq="MS")
    frame = pd.concat(
        [
            pd.DataFrame({"unique_id": "seasonal", "ds": ds, "y": seasonal_series(60)}),
            pd.DataFrame({"unique_id": "flat", "ds": ds, "y": 400.0}),
        ]
    )
    res = forecast_series(frame, n_jobs=1, n_paths=100, n_origins=2)
    f = res.forecast.set_index("unique_id")
    assert np.allclose(f.loc["flat", "mean"], 400.0) and np.allclose(f.loc["flat", "p10"], 400.0)
    expected = seasonal_series(72)[60:]
    assert np.max(np.abs(f.loc["seasonal", "mean"].to_numpy() - expected) / expected) < 0.02
    assert res.reconciliation == "none"


def test_awkward_series_get_sensible_forecasts_and_warnings():
    ds = pd.date_range("2020-01-01", periods=48, freq="MS")
    rng = np.random.default_rng(5)
    regular = seasonal_series(48, noise=0.05)
    launched = np.r_[np.zeros(38), 30.0 * np.arange(1, 11)]  # new product, 10 months
    zero = np.r_[rng.uniform(10, 20, 30), np.zeros(18)]  # discontinued
    intermittent = np.where(rng.uniform(size=48) < 0.6, 0.0, rng.uniform(50, 150, 48))
    batched = regular * np.where(np.arange(48) % 3 == 2, 2.4, 0.3)  # quarter-end batching
    parts = {"regular": regular, "launched": launched, "zero": zero, "intermittent": intermittent, "batched": batched}
    rows = [pd.DataFrame({"unique_id": "Total", "ds": ds, "y": sum(parts.values()), "level": "Total", "product_line": np.nan})]
    for name, y in parts.items():
        keep = slice(38, None) if name == "launched" else slice(None)
        rows.append(pd.DataFrame({"unique_id": f"product_line={name}", "ds": ds[keep], "y": y[keep], "level": "product_line", "product_line": name}))
    frame = pd.concat(rows, ignore_index=True)
    res = forecast_series(frame, n_jobs=1, n_paths=200, n_origins=2)
    f = res.forecast.set_index("unique_id")
    assert np.isfinite(res.forecast[["mean", "p10", "p90"]].to_numpy()).all()
    kinds = res.backtest.set_index("unique_id")["kind"]
    assert kinds["product_line=launched"] == "short"
    assert kinds["product_line=zero"] == "zero" and np.allclose(f.loc["product_line=zero", "mean"], 0.0, atol=1e-6)
    assert kinds["product_line=intermittent"] == "intermittent"
    launched_f = f.loc["product_line=launched", "mean"].to_numpy()
    assert 100 < launched_f.mean() < 900  # neither collapsing nor exploding
    batched_f = f.loc["product_line=batched", "mean"].to_numpy()
    assert 0 < batched_f.sum() < 3 * batched[-12:].sum()
    text = " ".join(res.warnings)
    for phrase in ("product_line=launched", "seasonal profile of 'Total'", "no sales in the last 12 months", "intermittent"):
        assert phrase in text
    gap = f.loc["Total", "mean"].to_numpy() - res.forecast[res.forecast.level == "product_line"].groupby("ds")["mean"].sum().to_numpy()
    assert np.max(np.abs(gap)) < 0.005


def test_forecast_series_validates_its_inputs():
    frame = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=30, freq="MS"), "y": 1.0})
    with pytest.raises(ForecastError, match="the 'model' parameter of forecast_series must be one of"):
        forecast_series(frame, model="magic")
    with pytest.raises(ForecastError, match="'y' column"):
        forecast_series(frame.drop(columns="y"))
    bad = frame.copy()
    bad.loc[3, "y"] = np.nan
    with pytest.raises(ForecastError, match="series 'a'"):
        forecast_series(bad)


# ---------------------------------------------------------------------------
# Reconciliation on its own
# ---------------------------------------------------------------------------


def _grouped_keys(n_lines: int, n_regions: int, with_bottom: bool):
    rows = [{"unique_id": "Total", "level": "Total", "product_line": np.nan, "region": np.nan}]
    rows += [{"unique_id": f"product_line=L{i}", "level": "product_line", "product_line": f"L{i}", "region": np.nan} for i in range(n_lines)]
    rows += [{"unique_id": f"region=R{j}", "level": "region", "product_line": np.nan, "region": f"R{j}"} for j in range(n_regions)]
    if with_bottom:
        rows += [
            {"unique_id": f"product_line=L{i}|region=R{j}", "level": "product_line/region", "product_line": f"L{i}", "region": f"R{j}"}
            for i in range(n_lines)
            for j in range(n_regions)
        ]
    return series_keys(pd.DataFrame(rows))


@settings(max_examples=30, deadline=None)
@given(
    n_lines=st.integers(1, 4),
    n_regions=st.integers(1, 4),
    with_bottom=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_every_reconciliation_method_gives_coherent_forecasts(n_lines, n_regions, with_bottom, seed):
    hier = build_hierarchy(_grouped_keys(n_lines, n_regions, with_bottom))
    rng = np.random.default_rng(seed)
    n = len(hier.ids)
    base = rng.uniform(0, 1e6, size=(n, 12))
    a = rng.standard_normal((n, n))
    cov = a @ a.T + n * np.eye(n)
    methods = ["ols", "wls", "mint_shrink"] + (["bottom_up"] if hier.bottom is not None else [])
    for method in methods:
        rec = reconcile(base, reconciliation_matrix(hier, method=method, covariance=cov))
        assert coherence_gap(rec, hier) < 1e-6 * 1e6
    # coherent input stays as it is
    if hier.bottom is not None:
        coherent = hier.summing @ rng.uniform(0, 100, size=(len(hier.bottom), 3))
        for method in methods:
            assert np.allclose(reconcile(coherent, reconciliation_matrix(hier, method=method, covariance=cov)), coherent)


def test_a_short_cell_borrows_from_its_closest_long_ancestor():
    keys = _grouped_keys(2, 2, with_bottom=True)
    assert ancestors_of(keys)["product_line=L0|region=R1"] == ["product_line=L0", "region=R1", "Total"]


def test_crossed_levels_without_a_bottom_level_have_no_bottom_up():
    hier = build_hierarchy(_grouped_keys(2, 3, with_bottom=False))
    assert hier.bottom is None and len(hier.pairs) == 2
    with pytest.raises(ForecastError, match="bottom level"):
        reconciliation_matrix(hier, method="bottom_up")


def test_backtest_offsets_shorten_windows_only_when_history_is_short():
    assert backtest_offsets(48, 12, 4, 3) == ([12, 15, 18, 21], None)
    offsets, note = backtest_offsets(24, 12, 4, 3)
    assert offsets == [5, 8, 11] and "shortened to 11, 8, 5 months" in note
    offsets, note = backtest_offsets(14, 12, 4, 3)
    assert "too short for any out-of-sample backtest" in note


def test_a_two_year_history_is_still_backtested_out_of_sample():
    # AdventureWorks before its 2013 plan: 24 months, no room for full 12-month windows
    series = build_monthly_series(orders_frame(start="2021-01-01", end="2022-12-31"), [["product_line"]])
    res = forecast_series(series, n_jobs=1, n_paths=200)
    bt = res.backtest
    assert (bt["n_origins"] == 2).all() and bt["mase"].notna().all()  # the default n_origins=2
    assert set(bt["window_months"]) == {"8,11"}
    assert res.coverage["monthly"].notna().all() and res.coverage["total"].isna().all()
    assert any("shortened to 11, 8 months" in w for w in res.warnings)
    assert summary.summarize_backtest(bt).startswith("Rolling-origin backtests (windows of 11, 8 months)")
    assert "12-month totals could not be backtested" in summary.summarize_coverage(res.coverage)


def test_summaries_say_when_nothing_could_be_backtested():
    series = build_monthly_series(orders_frame(start="2021-01-01", end="2022-02-28"), [["product_line"]])
    res = forecast_series(series, n_jobs=1, n_paths=100)
    assert (res.backtest["n_origins"] == 0).all() and res.coverage.empty
    assert "accuracy is untested" in summary.summarize_backtest(res.backtest)
    assert "untested" in summary.summarize_coverage(res.coverage)
