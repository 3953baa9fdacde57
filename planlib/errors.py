"""Every error planlib raises on purpose.

All subclass ``ValueError`` (so existing handlers catch them) and carry where the
problem is as attributes; the CLI prints ``str(err)`` as one line and exits 2.
"""

from __future__ import annotations


class PlanlibError(ValueError):
    """Base class: a problem with the user's inputs, not a bug in planlib."""


class ParamsError(PlanlibError):
    """A params file is missing, malformed or holds a value out of range."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None):
        self.path = path
        self.key = key
        super().__init__(f"{path}: {message}" if path else message)


class DataError(PlanlibError):
    """An input data file cannot be mapped onto the canonical order-line frame."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        column: str | None = None,
        rows: list[int] | None = None,
    ):
        self.path = path
        self.column = column
        self.rows = rows or []
        super().__init__(f"{path}: {message}" if path else message)


class ForecastError(PlanlibError):
    """A forecast cannot be made from the series given (e.g. an empty series)."""

    def __init__(self, message: str, *, series: str | None = None):
        self.series = series
        super().__init__(f"series {series!r}: {message}" if series else message)


class PackError(PlanlibError):
    """A plan pack cannot be written (it exists already, or a notebook failed)."""

    def __init__(self, message: str, *, notebook: str | None = None):
        self.notebook = notebook
        super().__init__(message)
