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


def clean_text(values: pd.Series, *, from_float: bool = False) -> tuple[pd.Series, pd.Series]:
    """Text with control characters removed and spaces trimmed; returns it and the changed-line mask.

    ``from_float`` drops the ``.0`` a spreadsheet adds to whole-number ids.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype("string")
    has_control = (text.str.contains(CONTROL_CHARS, regex=True) | text.str.contains(_BREAKS, regex=True)).fillna(False)
    if has_control.any():
        text = text.str.replace(CONTROL_CHARS, "", regex=True).str.replace(_BREAKS, " ", regex=True)
    text = text.str.strip()
    if from_float:
        text = text.str.replace(r"\.0$", "", regex=True)
    missing = codes < 0
    picked = np.asarray(text.to_numpy(dtype=object, na_value=pd.NA))[np.where(missing, 0, codes)] if len(text) else np.full(len(codes), pd.NA, dtype=object)
    picked[missing] = pd.NA
    changed = np.asarray(has_control.to_numpy(dtype=bool))[np.where(missing, 0, codes)] if len(text) else np.zeros(len(codes), dtype=bool)
    changed[missing] = False
    return pd.Series(picked, index=values.index, dtype="string"), pd.Series(changed, index=values.index)
