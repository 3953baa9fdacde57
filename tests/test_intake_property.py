"""Random small exports through the loader: a clear one-line error, or every line and cent accounted for."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import RAW_COLUMNS
from planlib import schema
from planlib.errors import DataError
from planlib.intake import canonicalize_orders

_DAYS = st.dates(min_value=pd.Timestamp("2000-01-01").date(), max_value=pd.Timestamp("2030-12-31").date())
_GOOD = {
    "date": st.one_of(_DAYS.map(str), _DAYS.map(lambda d: f"{d.year}/{d.month}/{d.day}")),
    "amount": st.one_of(st.decimals(min_value=-10_000, max_value=10_000, places=2, allow_nan=False).map(str),
                        st.sampled_from(["¥1,234.50", "(20.00)", "-0", " 7 "])),
    "text": st.sampled_from(["A", "B", " A ", "A\x00", "B\r\n", "华东", "C\x1f7"]),
}
_BAD = {
    "date": st.one_of(st.text(max_size=12), _DAYS.map(lambda d: d.strftime("%d/%m/%Y"))),
    "amount": st.one_of(st.sampled_from(["1e300", "inf", "nan", "", "abc"]), st.text(max_size=6)),
    "text": st.one_of(st.sampled_from(["", "  ", "\x00"]), st.text(max_size=6)),
}
_FIELDS = {"date": "date", "order": "text", "cust": "text", "amount": "amount", "line": "text", "area": "text"}


@st.composite
def _exports(draw):
    """A few rows, mostly well formed; at most one column also draws bad values."""
    n = draw(st.integers(min_value=1, max_value=12))
    spoilt = draw(st.sampled_from([None, None, None, *_FIELDS]))
    def value(column):
        kind = _FIELDS[column]
        if column == spoilt and draw(st.booleans()):
            return draw(_BAD[kind])
        return draw(_GOOD[kind])
    frame = pd.DataFrame([{column: value(column) for column in _FIELDS} for _ in range(n)])
    if draw(st.booleans()):
        frame = pd.concat([frame, frame.iloc[: draw(st.integers(0, n))]], ignore_index=True)
    return frame


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=_exports())
def test_the_loader_gives_a_clear_error_or_an_exact_ledger(raw):
    try:
        orders, quality = canonicalize_orders(raw, columns=RAW_COLUMNS, label="x.csv")
    except DataError as err:
        text = str(err)
        assert text.startswith("x.csv: ") and "\n" not in text
        return
    checks = quality.set_index("check")
    dropped = checks["amount"].get("exact duplicate lines removed", 0.0)
    n_dropped = checks["rows"].get("exact duplicate lines removed", 0)
    assert len(orders) == len(raw) - n_dropped
    assert math.isclose(orders[schema.REVENUE].sum(), checks.loc["rows read", "amount"] - dropped, abs_tol=1e-6)
    assert pd.api.types.is_datetime64_dtype(orders[schema.ORDER_DATE]) and orders[schema.ORDER_DATE].notna().all()
    for name in (schema.ORDER_ID, schema.CUSTOMER_ID, schema.REGION):
        text = orders[name].astype(str)
        assert not text.str.contains(r"[\x00-\x1f]").any() and (text == text.str.strip()).all() and (text != "").all()
