"""The base of every params section: frozen, typed, unknown keys refused, no true/false where a number goes."""

from __future__ import annotations

import json
import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from planlib.i18n import _

WEIGHT_TOLERANCE = 1e-6  # weights and shares that must sum to 1 may miss it by this much


def _wants_number(annotation: Any) -> bool:
    """Whether ``annotation`` takes an int or float but not a bool."""
    if annotation in (int, float):
        return True
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return bool not in args and any(_wants_number(a) for a in args)
    if origin is typing.Annotated:
        return _wants_number(args[0])
    return False


def _bool_where_number(annotation: Any, value: Any) -> bool:
    """Whether ``value`` (or an item of it) is a bool where ``annotation`` wants a number."""
    if isinstance(value, bool):
        return _wants_number(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_bool_where_number(a, value) for a in args if a is not type(None))
    if origin in (tuple, list) and isinstance(value, (list, tuple)) and args:
        if len(args) == 2 and args[1] is Ellipsis or origin is list:
            return any(_bool_where_number(args[0], v) for v in value)
        return any(_bool_where_number(a, v) for a, v in zip(args, value))
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        return any(_bool_where_number(args[1], v) for v in value.values())
    return False


def _yaml_text(value: Any) -> str:
    """A value as the user wrote it in YAML (``true``, ``[0.2, true]``)."""
    return json.dumps(value, default=str)


class Section(BaseModel):
    """Base of every params section: frozen, typed, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value: Any, info) -> Any:
        """``true`` where a number is expected is a mistake (pydantic would read it as 1)."""
        field = cls.model_fields.get(info.field_name)
        if field is not None and _bool_where_number(field.annotation, value):
            raise ValueError(_("must be a number, not true/false; got {value}").format(value=_yaml_text(value)))
        return value
