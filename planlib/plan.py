"""The params file of one plan run, validated into a frozen, typed ``Plan``.

This is the only place params YAML is parsed. Unknown keys, wrong types, weights that
do not sum to 1 and dates out of order all stop here with one line naming the key. The
section base (``params_section``), the ``actions`` section (``params_actions``) and the
wording of validation errors (``params_errors``) live beside it.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from planlib import i18n, paths, schema
from planlib.errors import ParamsError
from planlib.params_actions import CN_RETAIL_PROMOTIONS, ActionsSpec  # noqa: F401 - part of this module's interface
from planlib.params_errors import params_error, unknown_key_message
from planlib.params_section import WEIGHT_TOLERANCE as _WEIGHT_TOLERANCE, Section as _Section
from planlib.i18n import _
from planlib.secrets import check_sql_url
from planlib.strict_yaml import read_yaml

# defaults of the per-role and per-stage growth and tilt keys (a key the user leaves out keeps these)
_GROUP_DEFAULTS: dict[str, dict[str, float]] = {
    "role_growth": {"mature": 0.05, "strategic": 0.40, "potential": 0.20},
    "stage_growth": {"mature": 0.04, "growth": 0.15, "emerging": 0.30},
    "role_tilt": {"mature": 0.10, "strategic": -0.10, "potential": -0.05},
    "stage_tilt": {"mature": 0.10, "growth": 0.0, "emerging": -0.05},
}
_PLAN_YEARS_AHEAD = 5  # a plan is made for next year; a few years ahead at most


class DemoSpec(_Section):
    """Size and seed of the embedded demo company."""

    n_lines: int = Field(50_000, ge=1_000, le=20_000_000)
    seed: int = 7
    start: dt.date = dt.date(2021, 1, 1)
    end: dt.date = dt.date(2025, 12, 31)

    @model_validator(mode="after")
    def _dates_in_order(self) -> "DemoSpec":
        if self.start >= self.end:
            raise ValueError(
                _("data.demo.start must be before data.demo.end; got {start} and {end}").format(start=self.start, end=self.end)
            )
        return self


class TableSource(_Section):
    """A side table read from a file, with its columns mapped onto planlib's names."""

    path: str
    columns: dict[str, str] = Field(default_factory=dict)
    encoding: Literal["auto", "utf-8", "utf-8-sig", "gbk"] = "auto"
    sheet: str | int | None = None


class DataSpec(_Section):
    """Where the order lines come from and how their columns map onto the contract."""

    source: Literal["demo", "csv", "excel", "parquet", "sql"] = "demo"
    path: str | None = None
    encoding: Literal["auto", "utf-8", "utf-8-sig", "gbk"] = "auto"
    sheet: str | int | None = None
    query: str | None = None
    url: str | None = None
    password_env: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    date_format: str | None = None  # dayfirst, monthfirst or a strftime pattern; None infers from the column
    complete_through: dt.date | None = None  # the data are whole up to this day (judges the last month)
    demo: DemoSpec = DemoSpec()
    start: dt.date | None = None
    product_lines: dict[str, Literal["mature", "strategic", "potential"]] = Field(
        default_factory=dict
    )
    regions: dict[str, Literal["mature", "growth", "emerging"]] = Field(default_factory=dict)
    channels: dict[str, Literal["mature", "growth", "emerging"]] = Field(default_factory=dict)
    reps: TableSource | None = None
    quotas: TableSource | None = None

    @field_validator("columns")
    @classmethod
    def _known_canonical_columns(cls, value: dict[str, str]) -> dict[str, str]:
        known = schema.ALL_COLUMNS + schema.COST_SOURCES
        for key in value:
            if key not in known:
                raise ValueError(unknown_key_message(f"data.columns.{key}", key, known))
        return value

    @field_validator("date_format")
    @classmethod
    def _date_format_reads_a_date(cls, value: str | None) -> str | None:
        if value is None or value in ("dayfirst", "monthfirst"):
            return value
        sample = dt.date(2019, 1, 23)
        try:
            back = dt.datetime.strptime(sample.strftime(value), value).date() if "%" in value else None
        except ValueError:
            back = None
        if back != sample:
            raise ValueError(
                _("data.date_format must be dayfirst, monthfirst or a strftime pattern with day, month "
                  "and year such as %d/%m/%Y; got {value}").format(value=repr(value))
            )
        return value

    @model_validator(mode="after")
    def _source_has_what_it_needs(self) -> "DataSpec":
        if self.source in ("csv", "excel", "parquet") and not self.path:
            raise ValueError(_("data.path is required when data.source is '{source}'").format(source=self.source))
        if self.source == "sql" and not (self.url and self.query):
            raise ValueError(_("data.url and data.query are required when data.source is 'sql'"))
        if self.url:
            check_sql_url(self.url)
            if self.password_env and self.url.split(":", 1)[0].split("+", 1)[0] == "sqlite":
                raise ValueError(_("data.password_env is set, but a SQLite database takes no password; remove it"))
        return self


class ReviewSpec(_Section):
    """Options of the review of the past year."""

    abc_thresholds: tuple[float, float, float] = (0.80, 0.15, 0.05)

    @field_validator("abc_thresholds")
    @classmethod
    def _shares_sum_to_one(cls, value: tuple[float, float, float]) -> tuple[float, float, float]:
        _check_weights("review.abc_thresholds", value)
        return value


class ForecastSpec(_Section):
    """Which segment levels to forecast and how."""

    levels: tuple[tuple[str, ...], ...] = (
        ("product_line",),
        ("region",),
        ("channel",),
        ("product_line", "region"),
    )
    # exactly the names forecast_series runs (planlib.forecast.MODEL_CHOICES; tests keep them in step)
    model: Literal[
        "auto", "ets+theta+sarima", "ets+theta", "snaive", "naive2", "naive", "ets", "theta", "stl", "sarima", "croston"
    ] = "auto"
    quantiles: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    n_jobs: int = Field(2, ge=1, le=64)
    n_paths: int = Field(1000, ge=100, le=100_000)
    seed: int = 0
    # re-split January/February by the Spring Festival's date; empty: on when actions.calendar is cn_retail
    spring_festival: bool | None = None

    @field_validator("levels")
    @classmethod
    def _known_dimensions(cls, value: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for level in value:
            for dim in level:
                if dim not in schema.SEGMENT_DIMENSIONS:
                    raise ValueError(
                        unknown_key_message("forecast.levels", dim, schema.SEGMENT_DIMENSIONS)
                    )
        return value

    @field_validator("quantiles")
    @classmethod
    def _quantiles_in_range(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not all(0 < q < 1 for q in value) or list(value) != sorted(set(value)):
            raise ValueError(_("must be increasing values between 0 and 1; got {value}").format(value=list(value)))
        return value


class TargetsSpec(_Section):
    """How the annual target is set and the rules that decompose it."""

    method: Literal["growth", "quantile", "amount"] = "growth"
    growth: float = Field(0.10, ge=-0.5, le=3)
    quantile: float = Field(0.7, gt=0, lt=1)
    amount: float | None = Field(None, gt=0)
    min_growth: float | None = Field(None, ge=-0.5, le=3)
    strategic_share_min: float | None = Field(None, ge=0, le=1)
    market_size: float | None = Field(None, gt=0)
    market_share_target: float | None = Field(None, gt=0, le=1)
    quarter_weights: tuple[float, float, float, float] | None = None
    time_split: Literal["statistical", "manual"] = "statistical"
    # a role or stage left out of one of these four keeps its default below
    role_growth: dict[Literal["mature", "strategic", "potential"], float] = Field(
        default_factory=lambda: dict(_GROUP_DEFAULTS["role_growth"])
    )
    stage_growth: dict[Literal["mature", "growth", "emerging"], float] = Field(
        default_factory=lambda: dict(_GROUP_DEFAULTS["stage_growth"])
    )
    split_method: Literal["balanced", "growth"] = "balanced"  # balanced: each unit's target equally likely (tilted)
    role_tilt: dict[Literal["mature", "strategic", "potential"], float] = Field(
        default_factory=lambda: dict(_GROUP_DEFAULTS["role_tilt"])
    )
    stage_tilt: dict[Literal["mature", "growth", "emerging"], float] = Field(
        default_factory=lambda: dict(_GROUP_DEFAULTS["stage_tilt"])
    )
    probability_band: tuple[float, float] = (0.10, 0.75)
    probability_overrides: dict[str, tuple[float, float]] = Field(default_factory=dict)
    reconciliation: Literal["accept", "halfway", "escalate"] = "escalate"  # what to do with a commitment outside the band
    reconciliation_band: float = Field(0.05, ge=0, le=1)  # commitments within this of the quota are accepted
    new_customer_multiple: float = Field(1.5, gt=0, le=20)  # most new customers a plan may need, x the best recent year
    ramp_months: int = Field(6, ge=0, le=24)
    repurchase_uplift: float = Field(0.0, ge=-0.5, le=1)
    repurchase_rate: float | None = Field(None, ge=0, le=1)  # overrides the measured one (a short history has none)
    order_value_uplift: float = Field(0.0, ge=-0.5, le=1)
    commitments: TableSource | None = None

    @field_validator("quarter_weights")
    @classmethod
    def _weights_sum_to_one(cls, value):
        if value is not None:
            _check_weights("targets.quarter_weights", value)
        return value

    @field_validator("role_growth", "stage_growth", "role_tilt", "stage_tilt")
    @classmethod
    def _keep_defaults_left_out(cls, value, info):
        """``role_tilt: {mature: 0.2}`` changes mature only; strategic and potential keep their defaults."""
        return {**_GROUP_DEFAULTS[info.field_name], **value}

    @field_validator("probability_band")
    @classmethod
    def _band_in_order(cls, value):
        _check_band("targets.probability_band", value)
        return value

    @field_validator("probability_overrides")
    @classmethod
    def _override_bands_in_order(cls, value):
        for unit, band in value.items():
            _check_band(f"targets.probability_overrides.{unit}", band)
        return value

    @model_validator(mode="after")
    def _method_has_its_value(self) -> "TargetsSpec":
        if self.time_split == "manual" and self.quarter_weights is None:
            raise ValueError(_("targets.quarter_weights is required when targets.time_split is 'manual'"))
        if self.method == "amount" and self.amount is None:
            raise ValueError(_("targets.amount is required when targets.method is 'amount'"))
        if (self.market_share_target is None) != (self.market_size is None):
            raise ValueError(
                _("targets.market_size and targets.market_share_target go together; give both or neither")
            )
        return self


class TrackingSpec(_Section):
    """Thresholds and re-plan policy of in-year tracking (used by notebook 05).

    ``respread``: ``carry_shortfall`` (default) carries a shortfall into the open months
    and keeps a lead; ``keep_annual`` makes the year add up to the annual target (a lead
    lowers the rest); ``raise_to_forecast`` also raises the rest to a higher re-forecast;
    ``hold_annual`` keeps the monthly targets. ``carry_forward`` is its older name.
    """

    green: float = Field(0.98, gt=0, le=2)
    amber: float = Field(0.90, gt=0, le=2)
    respread: Literal["carry_shortfall", "keep_annual", "raise_to_forecast", "hold_annual"] = "carry_shortfall"
    carry_forward: Literal["carry_shortfall", "keep_annual", "raise_to_forecast", "hold_annual"] | None = None

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> "TrackingSpec":
        if self.amber >= self.green:
            raise ValueError(
                _("tracking.amber must be below tracking.green; got {amber} and {green}").format(amber=self.amber, green=self.green)
            )
        if self.carry_forward is not None and "respread" in self.model_fields_set and self.carry_forward != self.respread:
            raise ValueError(
                _("tracking.carry_forward is the older name of tracking.respread; got both, {old} and {new}").format(
                    old=repr(self.carry_forward), new=repr(self.respread))
            )
        return self

    @property
    def policy(self) -> str:
        """The re-plan policy: ``respread``, or the older ``carry_forward`` when only that is given."""
        return self.respread if "respread" in self.model_fields_set or self.carry_forward is None else self.carry_forward


class ReportSpec(_Section):
    """Language and money unit of everything a reader sees (headings, tables, charts, Excel)."""

    language: Literal["en", "zh-CN"] = "en"
    unit: Literal["元", "万元", "亿元"] | None = None  # zh-CN amounts; None: 万元 or 亿元 by size


class Plan(_Section):
    """One plan run: who, which year, which data, and every stage's options."""

    plan: str
    title: str = ""
    currency: str = "CNY"
    plan_year: int = Field(ge=1990, le=2100)
    as_of: dt.date | None = None
    data: DataSpec = DataSpec()
    review: ReviewSpec = ReviewSpec()
    forecast: ForecastSpec = ForecastSpec()
    targets: TargetsSpec = TargetsSpec()
    actions: ActionsSpec = ActionsSpec()
    tracking: TrackingSpec = TrackingSpec()
    report: ReportSpec = ReportSpec()
    source_path: str | None = Field(None, exclude=True)

    @field_validator("plan_year")
    @classmethod
    def _plan_year_near_today(cls, value: int) -> int:
        latest = dt.date.today().year + _PLAN_YEARS_AHEAD
        if value > latest:
            raise ValueError(
                _("must be between 1990 and {latest} (at most {ahead} years ahead); got {value}").format(
                    latest=latest, ahead=_PLAN_YEARS_AHEAD, value=value)
            )
        return value

    @field_validator("plan")
    @classmethod
    def _plan_name_is_a_safe_folder(cls, value: str) -> str:
        return paths.safe_folder_name(value)  # any script; no separators or control characters

    @model_validator(mode="after")
    def _dates_in_order(self) -> "Plan":
        year_start = dt.date(self.plan_year, 1, 1)
        if self.as_of is not None and self.as_of >= year_start:
            raise ValueError(
                _("as_of must be before the plan year {year} starts; got {as_of} "
                  "(quarterly packs take their as-of date from --period / --as-of)").format(year=self.plan_year, as_of=self.as_of)
            )
        if self.data.start is not None and self.data.start >= self.history_end:
            raise ValueError(
                _("data.start must be before as_of; got {start} and {as_of}").format(start=self.data.start, as_of=self.history_end)
            )
        return self

    @property
    def history_end(self) -> dt.date:
        """Last day of history the annual plan may use (default: Dec 31 before the plan year)."""
        return self.as_of or dt.date(self.plan_year - 1, 12, 31)

    @property
    def review_year(self) -> int:
        """The year under review: the last calendar year before the plan year."""
        return self.plan_year - 1

    def to_dict(self) -> dict[str, Any]:
        """The validated params as plain JSON-able values (for manifests)."""
        return self.model_dump(mode="json")


def load_plan(path: str | Path, *, overrides: dict[str, Any] | None = None) -> Plan:
    """Read and validate a params YAML file.

    Parameters
    ----------
    path : str or Path
        The params file, e.g. ``params/demo.yaml``.
    overrides : dict, optional
        Dotted keys to replace before validation (``{"targets.growth": 0.2}``).

    Raises
    ------
    ParamsError
        One line naming the file, the key, what was expected and what was found.
    """
    path = Path(path)
    label = _label(path)
    # Until the file is read, its report.language is unknown: a missing file, YAML that does not
    # parse (planlib.strict_yaml) or a file that is not a mapping is reported in English.
    if not path.is_file():
        raise ParamsError("params file not found", path=label)
    raw = read_yaml(path, label=label)
    if not isinstance(raw, dict):
        raise ParamsError(f"expected a mapping of keys at the top; got {type(raw).__name__}", path=label)
    for dotted, value in (overrides or {}).items():
        _set_dotted(raw, dotted, value)
    return validate_plan(raw, label=label)


def validate_plan(raw: dict[str, Any], *, label: str = "params") -> Plan:
    """Validate a params mapping into a ``Plan`` (see ``load_plan``).

    Its errors are worded in the report language the mapping asks for (``report.language``),
    so a zh-CN plan's mistakes read in Chinese; in English when that language itself cannot
    be read (absent, not a mapping, or a language planlib does not have).
    """
    with i18n.language(_language_of(raw)):
        try:
            plan = Plan.model_validate({**raw, "source_path": label})
        except ValidationError as err:
            raise params_error(err, label, Plan) from None
    return plan


def _language_of(raw: Any) -> str:
    """``report.language`` of an unvalidated params mapping when it is one planlib has, else ``en``."""
    report = raw.get("report") if isinstance(raw, dict) else None
    language = report.get("language") if isinstance(report, dict) else None
    return language if isinstance(language, str) and language in i18n.LANGUAGES else "en"


def _check_band(key: str, band: tuple[float, float]) -> None:
    """A probability band: two chances of reaching a target, 0 <= low < high <= 1."""
    low, high = band
    if not (0 <= low < high <= 1):
        raise ValueError(_("{key} must be two probabilities [low, high] with 0 <= low < high <= 1; got {value}").format(key=key, value=list(band)))


def _check_weights(key: str, values) -> None:
    if any(v < 0 for v in values):
        raise ValueError(_("{key} must not be negative; got {value}").format(key=key, value=list(values)))
    total = math.fsum(values)
    if abs(total - 1) > _WEIGHT_TOLERANCE:
        raise ValueError(_("{key} must sum to 1; got {value} (sum {total})").format(key=key, value=list(values), total=f"{total:g}"))


def _set_dotted(raw: dict[str, Any], dotted: str, value: Any) -> None:
    node = raw
    *parents, leaf = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def _label(path: Path) -> str:
    """The params path as the user would write it (relative to the cwd when possible)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
