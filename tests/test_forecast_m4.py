"""A sanity check of the default forecaster on real series: 20 of the M4 monthly "Other" sample.

The full benchmark lives in ``benchmarks/forecast_m4.py``; this only guards against a
default that stops beating the Naive2 benchmark.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planlib.forecast import DEFAULT_MODEL, make_model, mase, owa, smape

M4_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "m4_monthly_other"
N_SERIES = 20
HORIZON = 18


@pytest.fixture(scope="module")
def m4_sample():
    train_csv = M4_DIR / "Monthly-Other-train.csv"
    if not train_csv.is_file():
        pytest.skip(f"M4 sample not found at {M4_DIR} (clone ../shared beside the repo)")
    train = pd.read_csv(train_csv, nrows=N_SERIES)
    test = pd.read_csv(M4_DIR / "Monthly-Other-test.csv", nrows=N_SERIES)
    full = [row.dropna().to_numpy(float) for _, row in train.iloc[:, 1:].iterrows()]
    return full, test.iloc[:, 1:].to_numpy(float)


def test_default_model_beats_naive2_on_m4_subset(m4_sample):
    full, test = m4_sample
    scores = {}
    for name in ("naive2", DEFAULT_MODEL):
        fc = [make_model(name).fit(y[-120:]).predict(HORIZON) for y in full]
        scores[name] = (
            np.mean([smape(t, f) for t, f in zip(test, fc)]),
            np.mean([mase(t, f, y) for t, f, y in zip(test, fc, full)]),
        )
    result = owa(*scores[DEFAULT_MODEL], *scores["naive2"])
    assert result < 0.95, f"OWA of {DEFAULT_MODEL} on {N_SERIES} M4 series: {result:.3f}"
