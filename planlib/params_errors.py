"""A params file's validation errors in planlib's words: one line naming the key, in the plan's language.

pydantic reports where a value is wrong; this turns its first error into the line the
user reads (unknown keys with the closest known one, bounds read from the model).
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError

from planlib import i18n
from planlib.errors import ParamsError
from planlib.i18n import N_, _


# pydantic's error types -> what the key must be, in planlib's words (English keeps pydantic's own text)
_EXPECTED = {
    "int_parsing": N_("a whole number"), "int_type": N_("a whole number"), "int_from_float": N_("a whole number"),
    "float_parsing": N_("a number"), "float_type": N_("a number"), "finite_number": N_("a finite number"),
    "bool_parsing": N_("true or false"), "bool_type": N_("true or false"),
    "string_type": N_("text"), "list_type": N_("a list"), "tuple_type": N_("a list"),
    "dict_type": N_("a mapping of keys"), "model_type": N_("a mapping of keys"), "model_attributes_type": N_("a mapping of keys"),
    "date_parsing": N_("a date such as 2025-01-31"), "date_type": N_("a date such as 2025-01-31"),
    "date_from_datetime_parsing": N_("a date such as 2025-01-31"), "date_from_datetime_inexact": N_("a date such as 2025-01-31"),
}


def params_error(err: ValidationError, label: str, model: type[BaseModel]) -> ParamsError:
    """Turn pydantic's first error on ``model`` (the ``Plan``) into planlib's one-line message."""
    first = err.errors()[0]
    loc = [str(part) for part in first["loc"]]
    key = ".".join(loc)
    found = first.get("input")
    kind = first["type"]
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        choices = list(parent.model_fields) if parent is not None else []
        choices = [c for c in choices if c != "source_path"]
        message = unknown_key_message(key, loc[-1], choices)
    elif kind == "missing":
        message = _("{key} is required").format(key=key)
    elif kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        low, high = _bounds_at(model, loc)
        if str(high) == "inf" or str(low) == "-inf":
            words = {"greater_than": N_("{key} must be above {bound}; got {value}"),
                     "greater_than_equal": N_("{key} must be at least {bound}; got {value}"),
                     "less_than": N_("{key} must be below {bound}; got {value}"),
                     "less_than_equal": N_("{key} must be at most {bound}; got {value}")}
            bound = low if kind.startswith("greater") else high
            message = _(words[kind]).format(key=key, bound=_fmt(bound), value=_fmt(found))
        else:
            message = _("{key} must be between {low} and {high}; got {value}").format(key=key, low=_fmt(low), high=_fmt(high), value=_fmt(found))
    elif kind == "value_error":
        text = str(first.get("ctx", {}).get("error", first["msg"]))
        first_word = text.split(" ", 1)[0]
        names_its_key = not key or text.startswith(("unknown key", _("unknown key"))) or "." in first_word or first_word == key
        message = text if names_its_key else _("{key} {problem}").format(key=key, problem=text)
    elif kind == "literal_error":
        expected = first.get("ctx", {}).get("expected", "")
        message = _("{key} must be one of {expected}; got {value}").format(key=key, expected=expected.replace(" or ", _(" or ")),
                                                                          value=_short(found))
    elif i18n.get_language() != "en":  # pydantic's own words are English: say what was expected in the report language
        expected = _EXPECTED.get(kind)
        message = (_("{key} must be {expected}; got {value}").format(key=key, expected=_(expected), value=_short(found)) if expected
                   else _("{key} is not valid ({detail}); got {value}").format(key=key, detail=first["msg"], value=_short(found)))
    else:
        text = first["msg"].replace("Input should be", "must be")
        message = f"{key} {text[0].lower()}{text[1:]}; got {_short(found)}"
    return ParamsError(message, path=label, key=key or None)


def _short(value: Any, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters (a pasted table must not flood the one line)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def unknown_key_message(key: str, name: str, choices) -> str:
    """``unknown key ...`` with the closest known key, else the list of known ones."""
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    if close:
        return _("unknown key {key}; did you mean '{close}'?").format(key=key, close=close[0])
    return _("unknown key {key}; expected one of {choices}").format(key=key, choices=", ".join(map(str, choices)))


def _model_at(model: type[BaseModel], loc: list[str]) -> type[BaseModel] | None:
    """The pydantic model class found by walking ``loc`` from ``model``.

    List positions and mapping keys (``actions.events.0``, ``service_levels.A``) are
    stepped over, so an unknown key inside a list item lists that item's keys.
    """
    current: Any = model
    skip = 0
    for part in loc:
        if skip:
            skip -= 1
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current, skip = _unwrap_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap_model(annotation: Any) -> tuple[Any, int]:
    """The model inside ``annotation`` (``X | None``, ``tuple[X, ...]``, ``dict[k, X]``) and its container depth."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            inner, depth = _unwrap_model(arg)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner, depth
        return annotation, 0
    if origin in (tuple, list) and args:
        inner, depth = _unwrap_model(args[0])
        return inner, depth + 1
    if origin is dict and len(args) == 2:
        inner, depth = _unwrap_model(args[1])
        return inner, depth + 1
    return annotation, 0


def _bounds_at(model: type[BaseModel], loc: list[str]) -> tuple[Any, Any]:
    parent = _model_at(model, loc[:-1])
    field = parent.model_fields.get(loc[-1]) if parent is not None else None
    low, high = "-inf", "inf"
    for meta in field.metadata if field is not None else []:
        if isinstance(meta, (annotated_types.Ge, annotated_types.Gt)):
            low = getattr(meta, "ge", getattr(meta, "gt", low))
        if isinstance(meta, (annotated_types.Le, annotated_types.Lt)):
            high = getattr(meta, "le", getattr(meta, "lt", high))
    return low, high


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
