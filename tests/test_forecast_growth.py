"""Growth pooled across segments for short histories, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from planlib.forecast.growth import grown_mean, growth_rule, widen_for_growth


def _two_years(prev: float, last: float) -> np.ndarray:
    return np.r_[np.full(12, prev / 12), np.full(12, last / 12)]


def _ys():
    seg = {"a": _two_years(100, 120), "b": _two_years(100, 150), "c": _two_years(100, 90)}
    return {"Total": sum(seg.values()), **seg}


def test_growth_rule_pools_growth_and_its_spread_across_segments():
    ys = _ys()
    ids, levels = ["Total", "a", "b", "c"], ["Total", "seg", "seg", "seg"]
    rule = growth_rule(ys, ids, levels)
    assert rule.applies.all()
    assert rule.growth == pytest.approx([1.2, 1.2, 1.2, 1.2])  # 360 / 300
    # log growth around 1.2: 0, +0.223, -0.288 -> MAD 0.223 -> sd 1.4826 * 0.223
    sd = 1.4826 * np.log(1.5 / 1.2)
    assert rule.log_sd[1:] == pytest.approx([sd] * 3, rel=1e-6)
    # the Total: diversified by the segments' revenue shares 120, 150 and 90 of 360
    shares = np.array([120, 150, 90]) / 360
    assert rule.log_sd[0] == pytest.approx(sd * np.sqrt(np.sum(shares**2)), rel=1e-6)
    assert any("pooled growth" in n for n in rule.notes)


def test_long_histories_are_left_alone():
    ys = {k: np.r_[v[:12], v] for k, v in _ys().items()}  # 36 months
    rule = growth_rule(ys, list(ys), ["Total", "seg", "seg", "seg"])
    assert not rule.applies.any() and rule.notes == []


def test_grown_mean_and_widening_by_hand():
    ys = _ys()
    ids, levels = ["Total", "a", "b", "c"], ["Total", "seg", "seg", "seg"]
    rule = growth_rule(ys, ids, levels)
    model = np.full((4, 12), 10.0)
    mean = grown_mean(model, ys, ids, rule)
    # segment a: halfway between the model (10) and last year's 10 a month grown 20% (12)
    assert mean[1] == pytest.approx(np.full(12, 11.0))
    rng = np.random.default_rng(0)
    paths = mean[:, :, None] * (1 + 0.01 * rng.standard_normal((4, 12, 4000)))
    wide = widen_for_growth(paths, rule)
    totals = wide[1].sum(axis=0)
    assert np.std(np.log(totals)) == pytest.approx(rule.log_sd[1], rel=0.1)
    assert (wide > 0).all()
