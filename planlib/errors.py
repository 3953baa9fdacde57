"""Every error planlib raises on purpose.

All subclass ``ValueError`` (so existing handlers catch them) and carry where the
problem is as attributes; the CLI prints ``str(err)`` as one line and exits 2. Messages
are written with ``_()`` where they are raised, so they come in the language active then
(``report.language`` once a params file is read; see ``planlib.plan.validate_plan``).
"""

from __future__ import annotations


class PlanlibError(ValueError):
    """Base class: a problem with the user's inputs, not a bug in planlib."""


def _where(path: str | None, message: str) -> str:
    """``<path>: <message>`` in the active report language (the message is translated where it is raised)."""
    if not path:
        return message
    from planlib.i18n.catalog import _  # not at the top: the catalog raises ParamsError itself

    return _("{path}: {message}").format(path=path, message=message)


class ParamsError(PlanlibError):
    """A params file is missing, malformed or holds a value out of range."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None):
        self.path = path
        self.key = key
        super().__init__(_where(path, message))


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
        super().__init__(_where(path, message))


class ForecastError(PlanlibError):
    """A forecast cannot be made from the series given (e.g. an empty series)."""

    def __init__(self, message: str, *, series: str | None = None):
        self.series = series
        if series:
            from planlib.i18n.catalog import _

            message = _("series {series}: {warning}").format(series=repr(series), warning=message)
        super().__init__(message)


class PackError(PlanlibError):
    """A plan pack cannot be written (it exists already, or a notebook failed)."""

    def __init__(self, message: str, *, notebook: str | None = None):
        self.notebook = notebook
        super().__init__(message)

    @classmethod
    def no_annual_pack(cls, pack: object, params: object) -> "PackError":
        """A quarterly run without the annual pack it tracks (said by the pack runner and by a notebook's run)."""
        from planlib.i18n.catalog import _

        return cls(_("no annual plan pack at {pack}: run `planlib pack {params}` first; a quarterly pack tracks that plan "
                     "and never recomputes it").format(pack=pack, params=params))
