"""Difficulty-balanced splits: equal probability, tilted by group, inside the band, exact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planlib import targets as T
from planlib.errors import ParamsError

RNG = np.random.default_rng(0)
PATHS = pd.DataFrame({"A": RNG.normal(1000, 100, 4000), "B": RNG.normal(500, 100, 4000), "C": RNG.normal(300, 30, 4000)})
UNITS = pd.DataFrame({"product_line": ["A", "B", "C"], "role": ["mature", "strategic", "potential"],
                      "last_year": [950.0, 400.0, 280.0]})
TILT = {"mature": 0.0, "strategic": 0.0, "potential": 0.0}


def split(total, units=UNITS, **kw):
    options = {"key": "product_line", "group": "role", "company_probability": 0.4, "tilt": TILT} | kw
    return T.balance_split(total, PATHS, units, **options).set_index("product_line")


def test_equal_tilts_give_equal_probabilities_and_an_exact_total():
    out = split(1900)
    assert out["target"].sum() == 1900 and out["target"].dtype == "int64"
    assert out["probability"].max() - out["probability"].min() < 0.02
    assert out.loc["B", "baseline"] == pytest.approx(np.median(PATHS["B"]))
    assert out.loc["A", "growth"] == pytest.approx(out.loc["A", "target"] / 950 - 1)


def test_strategic_stretches_more_and_mature_less():
    out = split(1900, tilt={"mature": 0.1, "strategic": -0.1, "potential": 0.0})
    assert out.loc["B", "probability"] < out.loc["C", "probability"] < out.loc["A", "probability"]
    assert out.loc["A", "probability"] - out.loc["B", "probability"] == pytest.approx(0.2, abs=0.03)


def test_band_holds_and_a_params_override_is_stated():
    out = split(1900, tilt={"mature": 0.5, "strategic": -0.5, "potential": 0.0})
    assert out["probability"].between(0.095, 0.755).all()
    loose = split(1900, tilt={"mature": 0.5, "strategic": -0.5, "potential": 0.0}, overrides={"B": (0.02, 0.75)})
    assert loose.loc["B", "probability"] < 0.09
    assert "set in params" in loose.loc["B", "note"]
    hopeless = split(3000)  # far beyond every unit's 10% point: scaled, and said so
    assert hopeless["target"].sum() == 3000 and "discuss before signing" in hopeless.loc["A", "note"]


def test_mature_unit_is_not_set_below_last_year_unless_its_median_is():
    units = UNITS.assign(last_year=[1050.0, 400.0, 280.0])  # A's median (1000) is below last year: allowed, said
    easy = split(1500, units=units, tilt={"mature": 0.3, "strategic": 0.0, "potential": 0.0})
    assert easy.loc["A", "target"] < 1050 and "its own forecast median" in easy.loc["A", "note"]
    held = split(1500, units=UNITS.assign(last_year=[990.0, 400.0, 280.0]), tilt={"mature": 0.3, "strategic": 0.0, "potential": 0.0})
    assert held.loc["A", "target"] >= 990 and "held at last year" in held.loc["A", "note"]
    assert held["target"].sum() == 1500


def test_a_group_without_tilt_or_an_unknown_override_is_refused():
    with pytest.raises(ParamsError, match="lacks a value for role"):
        split(1900, tilt={"mature": 0.0})
    with pytest.raises(ParamsError, match="does not have"):
        split(1900, overrides={"Z": (0.0, 1.0)})


def test_a_params_minimum_share_lifts_the_group_and_rebalances_the_rest():
    free = split(1900)
    assert free.loc["B", "share"] < 0.30
    lifted = split(1900, min_share={"strategic": 0.30})
    assert lifted.loc["B", "target"] == 570 and lifted["target"].sum() == 1900
    assert "params minimum share of 30%" in lifted.loc["B", "note"]
    assert lifted.loc["A", "probability"] == pytest.approx(lifted.loc["C", "probability"], abs=0.02)  # the rest balanced
    assert lifted.loc["A", "probability"] > free.loc["A", "probability"]


def test_a_minimum_share_beyond_the_band_stops_at_its_edge_unless_params_lower_the_band():
    capped = split(1900, min_share={"strategic": 0.40})  # 760 needs B's 0.3% point; the band stops at its 10% point
    assert capped.loc["B", "probability"] == pytest.approx(0.10, abs=0.01)
    assert "would put it below its band" in capped.loc["B", "note"] and capped["target"].sum() == 1900
    forced = split(1900, min_share={"strategic": 0.40}, overrides={"B": (0.0, 0.75)})
    assert forced.loc["B", "target"] == 760 and "band 0%-75% set in params" in forced.loc["B", "note"]
