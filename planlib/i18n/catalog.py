"""The message catalogs: Babel reads ``locale/<lang>/LC_MESSAGES/planlib.po`` and gettext looks messages up.

The .po files are compiled in memory on first use (no build step, nothing but pip's
Babel). To add messages: wrap them in ``_()`` / ``_p()``, then
``pybabel extract -k _ -k _p:1c,2 -o planlib/i18n/locale/planlib.pot planlib`` and
``pybabel update -i planlib/i18n/locale/planlib.pot -d planlib/i18n/locale -D planlib``;
``tests/test_i18n.py`` fails while any message lacks its Chinese. pybabel does not read
notebooks: the test also collects ``_()`` from the notebooks' code cells and every markdown
paragraph (context ``notebook``, see :mod:`planlib.i18n.notebooks`); add those by hand.

Rules for a stage's sentences: one whole sentence per message with named placeholders
(``_("{line} is the largest product line with {share} of revenue").format(...)``, never
pieces glued together, so a translation can reorder them); numbers through ``fmt_money``
/ ``fmt_pct`` / ``fmt_month`` / ``fmt_quarter`` before they go in; data values (region,
product, rep names) as placeholders, untranslated; never ``_`` as a throwaway variable
in a module that imports it (``for _, row in ...`` breaks every ``_()`` in that function).
"""

from __future__ import annotations

import contextlib
import gettext
import io
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from planlib import schema
from planlib.errors import ParamsError

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "planlib"
LANGUAGES = ("en", "zh-CN")  # en is the source language: its messages are the catalog keys

_language: ContextVar[str] = ContextVar("planlib_language", default="en")
_unit: ContextVar[str | None] = ContextVar("planlib_unit", default=None)


def po_path(lang: str) -> Path:
    """The .po file of a language (``zh-CN`` -> ``locale/zh_CN/LC_MESSAGES/planlib.po``)."""
    return LOCALE_DIR / lang.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def _translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of a language (NullTranslations for English)."""
    if lang == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang.replace("-", "_"), domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _check(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ParamsError(f"report.language must be one of {', '.join(LANGUAGES)}; got {lang!r}", key="report.language")
    return lang


def activate(lang: str = "en", unit: str | None = None) -> None:
    """Set the report language (``en`` / ``zh-CN``) and money unit (``None``: chosen by size) from now on."""
    from planlib.i18n.numbers import check_unit

    _language.set(_check(lang))
    _unit.set(check_unit(unit))
    _translations(lang)  # load now: a broken catalog fails here, not mid-report


@contextlib.contextmanager
def language(lang: str, unit: str | None = None) -> Iterator[None]:
    """Use a language (and unit) inside a ``with`` block only."""
    from planlib.i18n.numbers import check_unit

    tokens = (_language.set(_check(lang)), _unit.set(check_unit(unit)))
    try:
        yield
    finally:
        _language.reset(tokens[0])
        _unit.reset(tokens[1])


def get_language() -> str:
    """The active report language."""
    return _language.get()


def get_unit() -> str | None:
    """The active money unit (``None``: each amount picks its own by size)."""
    return _unit.get()


def _(message: str) -> str:
    """The message in the active language (the English text itself where no translation exists)."""
    return _translations(_language.get()).gettext(message)


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it yet (tables of titles built at import time)."""
    return message


def _p(context: str, message: str) -> str:
    """The message of a context (``column``, ``sheet``...) in the active language."""
    return _translations(_language.get()).pgettext(context, message)


def header(column: object) -> str:
    """A table or sheet header for people: the catalog's word for a column name, else the name with spaces.

    Columns the catalog does not know (data values such as region names in a pivot)
    pass through unchanged apart from ``_`` -> space.
    """
    name = str(column)
    text = _p("column", name)
    return ENGLISH_HEADERS.get(name, text.replace("_", " ")) if text == name else text


# English headers that need more than the column name with spaces (the unit, mostly)
ENGLISH_HEADERS = {
    "a_level_asked": "A visits a month, asked",
    "a_level_without_hires": "A visits a month without hires",
    "b_level_asked": "B visits a month, asked",
    "b_level_planned": "B visits a month, planned",
}


# Columns whose values are planlib's own words (roles, stages, statuses...), not the user's data.
VALUE_COLUMNS = frozenset({"role", "stage", "status", "projected_status", "customer_type", "action_type", "kind",
                           "dimension", "level", "owner_type", "cadence", "method", "chosen_method", "step",
                           "period_type", "group", "flag", "metric", "owner", "support",
                           "when", "who", "what", "check", "note", "action", "item", "use", "kpi", "segment",
                           "probability_source", "need", "policy", "purpose", "capacity_source", "rate_source", "lever",
                           "unit", "seat", "source", "deal_size_source"})


# Rows planlib adds inside columns of data values (a total, the actions' budget row, a hire seat
# of 04's hiring plan): its own words, shown in the report language in whatever column they sit.
OWN_VALUES = frozenset({"(actions, company-wide)", "(support pool)", "total", "Total", "new", "lost"})
SEGMENT_KEYS = frozenset({"product_line", "region", "channel", "customer_type", "rep"})  # of ids like "region=East China"


def own_label(value: object) -> object:
    """One of planlib's own row labels (``OWN_VALUES``, a hire seat) in the report language; anything else unchanged."""
    if not isinstance(value, str):
        return value
    if value in OWN_VALUES:
        return _p("value", value)
    if value.startswith(schema.HIRE_SEAT_PREFIX):
        return _p("value", "(hire) {seat}").format(seat=value[len(schema.HIRE_SEAT_PREFIX):])
    parts = [part.split("=", 1) for part in value.split("|")]
    if all(len(p) == 2 and p[0] in SEGMENT_KEYS for p in parts):  # a series or segment id: product_line=Pumps|region=East
        return "|".join(f"{_p('column', key)}={name}" for key, name in parts)
    return value


def value_label(column: object, value: object) -> object:
    """A value of one of ``VALUE_COLUMNS`` in the report language (context ``value``); planlib's own row labels
    (:func:`own_label`) in any column; other values unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if str(column) not in VALUE_COLUMNS:
        return own_label(value)
    word = _p("value", value)
    return word if word != value else own_label(value)


def headers(columns: Iterable[object]) -> list[str]:
    """:func:`header` of each column."""
    return [header(c) for c in columns]
