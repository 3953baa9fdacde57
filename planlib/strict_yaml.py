"""Strict reading of a params file: UTF-8 only, and a key written twice is an error.

PyYAML's safe loader silently keeps the last of two equal keys and a wrong byte
becomes a traceback; here both stop with one line naming the file and the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from planlib.errors import ParamsError


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping holding the same key twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark.line + 1)
            except TypeError:  # an unhashable key: let the base class say so
                continue
            if first != key_node.start_mark.line + 1:
                raise _DuplicateKey(key, first, key_node.start_mark.line + 1)
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, first: int, again: int):
        super().__init__(key, first, again)
        self.key, self.first, self.again = key, first, again


def read_yaml(path: Path, *, label: str) -> Any:
    """The YAML document in ``path``, or ``ParamsError`` for bad bytes, bad YAML or a repeated key."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ParamsError(f"cannot read the params file: {err.strerror}", path=label) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ParamsError(
            f"not UTF-8 text: byte 0x{data[err.start]:02x} at line {line}; save the file as UTF-8",
            path=label,
        ) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except _DuplicateKey as dup:
        raise ParamsError(
            f"key '{dup.key}' is written twice (lines {dup.first} and {dup.again}); keep one",
            path=label,
            key=str(dup.key),
        ) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ParamsError(f"not valid YAML{where}: {problem}", path=label) from None
    except RecursionError:
        raise ParamsError("not valid YAML: nested too deeply", path=label) from None
