"""Which source column feeds which canonical column, checked against the file's header.

``data.columns`` maps canonical names (and ``profit`` or ``margin``, from which cost is
derived) onto the file's own column names; unmapped canonical names are looked up
under their own name. ``check_header`` needs only the header, so ``planlib validate``
can run it without loading the lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from planlib import schema
from planlib.errors import DataError
from planlib.i18n import _

COST_SOURCES = schema.COST_SOURCES  # mapped in data.columns to derive cost
PROFIT, MARGIN = COST_SOURCES


def source_columns(columns: Mapping[str, str] | None) -> dict[str, str]:
    """Canonical name -> source column for every canonical name, plus a mapped profit/margin."""
    columns = dict(columns or {})
    out = {name: columns.get(name, name) for name in schema.ALL_COLUMNS}
    out.update({name: columns[name] for name in COST_SOURCES if name in columns})
    return out


def check_header(header: Iterable[object], columns: Mapping[str, str] | None, *, label: str) -> dict[str, str]:
    """Check a file's header against ``data.columns``; return the columns that will be read.

    Parameters
    ----------
    header : iterable
        The file's column names, as read.
    columns : mapping
        ``data.columns`` of the plan (canonical name -> source column).
    label : str
        The source's name for messages (the file path).

    Returns
    -------
    dict
        Canonical name (or ``profit`` / ``margin``) -> source column, only for those
        present in the file.

    Raises
    ------
    DataError
        A required column is missing, a mapping names a column the file lacks, or cost
        is given twice (cost with profit or margin, or profit with margin).
    """
    columns = dict(columns or {})
    names = [str(c) for c in header]
    present = set(names)
    source = source_columns(columns)
    missing = [n for n in schema.REQUIRED_COLUMNS if source[n] not in present]
    if missing:
        wanted = _(", ").join(_("'{column}' (for {name})").format(column=source[n], name=n) if source[n] != n else f"'{source[n]}'"
                              for n in missing)
        raise DataError(
            _("missing required column {wanted}; the file has {names}").format(wanted=wanted, names=", ".join(map(repr, names))),
            path=label, column=missing[0],
        )
    for name, col in columns.items():
        if col not in present:
            hint = ""
            if name == schema.COST and any(op in col for op in ("-", "+", "*", "/")):
                hint = _("; to derive cost, map data.columns.profit (cost = revenue - profit) or data.columns.margin")
            raise DataError(_("data.columns maps {name} to '{column}', which the file does not have").format(name=name, column=col) + hint,
                            path=label, column=name)
    given = [n for n in (schema.COST, *COST_SOURCES) if n in columns]
    if len(given) > 1:
        raise DataError(
            _("data.columns maps {names}; cost comes from one of cost, profit or margin, map only one").format(names=_(" and ").join(given)),
            path=label, column=given[0],
        )
    found = {name: col for name, col in source.items() if col in present}
    if any(n in columns for n in COST_SOURCES):
        found.pop(schema.COST, None)  # a file's own 'cost' column is not read when cost is derived
    return found
