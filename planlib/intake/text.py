"""Text columns cleaned by a documented rule: surrounding spaces and control characters removed.

A NUL or other control character inside a name (``'R07\\x00'``) would make a second
rep, region or customer that prints like the first; the intake removes them, turns
tabs and line breaks into one space, and counts every line it changed. Each distinct
value is cleaned once (millions of lines hold far fewer distinct names).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CONTROL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_BREAKS = r"[\t\r\n]+"
_ANY_CONTROL = r"[\x00-\x1f\x7f-\x9f]"  # either of the two above: one pass over the distinct values


def clean_text(values: pd.Series, *, from_float: bool = False, as_category: bool = False) -> tuple[pd.Series, pd.Series]:
    """Text with control characters removed and spaces trimmed; returns it and the changed-line mask.

    ``from_float`` drops the ``.0`` a spreadsheet adds to whole-number ids. ``as_category``
    returns a ``category`` column (empty text missing) instead of one string per line:
    at 10M lines that saves building millions of strings the intake would factorize again.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):  # the demo's and Parquet's text: its categories are the distinct values
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    original = pd.Series(uniques, dtype=object).astype("string")
    has_control = original.str.contains(_ANY_CONTROL, regex=True).fillna(False)
    text = original
    if has_control.any():
        text = text.str.replace(CONTROL_CHARS, "", regex=True).str.replace(_BREAKS, " ", regex=True)
    text = text.str.strip()
    if from_float:
        text = text.str.replace(r"\.0$", "", regex=True)
    missing = codes < 0
    if as_category:
        untouched = not has_control.any() and bool((text == original).all()) and not bool((text == "").any())
        return _as_category(text, codes, index=values.index, distinct=untouched), _changed(has_control, codes, index=values.index)
    picked = np.asarray(text.to_numpy(dtype=object, na_value=pd.NA))[np.where(missing, 0, codes)] if len(text) else np.full(len(codes), pd.NA, dtype=object)
    picked[missing] = pd.NA
    return pd.Series(picked, index=values.index, dtype="string"), _changed(has_control, codes, index=values.index)


def _changed(has_control: pd.Series, codes: np.ndarray, *, index: pd.Index) -> pd.Series:
    """Per line: True where its distinct value had a control character."""
    missing = codes < 0
    changed = np.asarray(has_control.to_numpy(dtype=bool))[np.where(missing, 0, codes)] if len(has_control) else np.zeros(len(codes), dtype=bool)
    changed[missing] = False
    return pd.Series(changed, index=index)


def _as_category(text: pd.Series, codes: np.ndarray, *, index: pd.Index, distinct: bool = False) -> pd.Series:
    """The cleaned distinct values as a categorical over the lines; values cleaned alike share a category.

    ``distinct``: cleaning changed no value (and none is empty), so the values are still
    distinct and the lines keep their codes (4M order ids need no second factorize).
    """
    if not len(text):
        return pd.Series(pd.Categorical.from_codes(np.full(len(codes), -1), categories=pd.Index([], dtype=str)), index=index)
    if distinct:
        return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(text, dtype=str), validate=False), index=index)
    merged_codes, merged = pd.factorize(text.mask(text == ""), use_na_sentinel=True)  # empty text: missing
    line_codes = np.where(codes < 0, -1, merged_codes[np.where(codes < 0, 0, codes)])
    return pd.Series(pd.Categorical.from_codes(line_codes, categories=pd.Index(merged, dtype=str)), index=index)
