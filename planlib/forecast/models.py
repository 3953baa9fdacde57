"""Models by name: the registry ``make_model`` reads, and the one place the default is named.

The classes live in one file per family (``naive``, ``ets``, ``theta``, ``sarima``,
``sparse``, ``combine``) on the interface of ``base``; they are re-exported here.
"""

from __future__ import annotations

from planlib.errors import ForecastError
from planlib.forecast.base import SEASON_LENGTH, ForecastModel, check_forecast, seasonal_factors, seasonality_test
from planlib.forecast.combine import Combination, WithFallback
from planlib.forecast.ets import ETS, ETS_SPECS, NONSEASONAL_ETS_SPECS
from planlib.forecast.naive import Naive, Naive2, SeasonalNaive
from planlib.forecast.sarima import SARIMA, STL
from planlib.forecast.sparse import BorrowedSeasonality, Croston
from planlib.forecast.theta import Theta

__all__ = [
    "BorrowedSeasonality",
    "COMBINATIONS",
    "Combination",
    "Croston",
    "DEFAULT_MODEL",
    "ETS",
    "ETS_SPECS",
    "ForecastModel",
    "MODEL_NAMES",
    "NONSEASONAL_ETS_SPECS",
    "Naive",
    "Naive2",
    "SARIMA",
    "SEASON_LENGTH",
    "SINGLE_MODELS",
    "STL",
    "SeasonalNaive",
    "Theta",
    "WithFallback",
    "check_forecast",
    "make_model",
    "seasonal_factors",
    "seasonality_test",
]

# Single models by name; combinations are the mean of their members' forecasts (on
# the M4 sample the mean of ETS, Theta and SARIMA scores OWA 0.845, each alone 0.88).
SINGLE_MODELS = ("snaive", "naive2", "naive", "ets", "theta", "stl", "sarima", "croston")
COMBINATIONS: dict[str, tuple[str, ...]] = {
    "ets+theta+sarima": ("ets", "theta", "sarima"),
    "ets+theta": ("ets", "theta"),
}
DEFAULT_MODEL = "ets+theta+sarima"
MODEL_NAMES = (*COMBINATIONS, *SINGLE_MODELS)


def make_model(name: str, *, season_length: int = SEASON_LENGTH, fast: bool = False) -> ForecastModel:
    """A fresh, unfitted model by its name in ``MODEL_NAMES``.

    Combinations come back as ``Combination``; every model is wrapped in
    ``WithFallback`` with seasonal naive as the benchmark. ``fast`` fits ETS with
    heuristic initial states (about three times faster, slightly less accurate): the
    backtest origins use it, the final forecast does not.
    """
    m = season_length
    singles = {
        "snaive": lambda: SeasonalNaive(season_length=m),
        "naive2": lambda: Naive2(season_length=m),
        "naive": Naive,
        "ets": lambda: ETS(season_length=m, initialization="heuristic" if fast else "hybrid"),
        "theta": lambda: Theta(season_length=m),
        "stl": lambda: STL(season_length=m),
        "sarima": lambda: SARIMA(season_length=m),
        "croston": Croston,
    }
    if name in COMBINATIONS:
        members = [singles[k]() for k in COMBINATIONS[name]]
        return WithFallback(Combination(members=members), fallback=SeasonalNaive(season_length=m))
    if name not in singles:
        raise ForecastError(f"the 'model' parameter must be one of {', '.join(MODEL_NAMES)}; got {name!r} instead")
    model = singles[name]()
    if name in ("snaive", "naive"):
        return model
    return WithFallback(model, fallback=SeasonalNaive(season_length=m))
