"""Loader: every source format onto the canonical frame; bad input stops with one clear line."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from conftest import RAW_COLUMNS, make_raw_orders
from planlib import data, io, schema
from planlib.errors import DataError


def _load(path, **kwargs):
    raw = io.read_table(path, label=path.name, **kwargs)
    return data.canonicalize_orders(raw, columns=RAW_COLUMNS, label=path.name)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_bom_and_gbk_with_chinese_text(tmp_path, encoding):
    raw = make_raw_orders()
    raw["area"] = ["华东", "华南", "西南", "华东", "华北", "西北"]
    path = tmp_path / "orders.csv"
    raw.to_csv(path, index=False, encoding=encoding)
    orders, quality = _load(path)
    assert sorted(orders[schema.REGION].astype(str).unique()) == sorted(set(raw["area"]))
    assert orders[schema.REVENUE].sum() == pytest.approx(sum(100 * (i + 1) + 0.5 for i in range(6)))
    assert quality.loc[0, "rows"] == 6


def test_excel_and_parquet_sources(tmp_path):
    raw = make_raw_orders()
    raw["amount"] = raw["amount"].astype(float)
    raw["date"] = pd.to_datetime(raw["date"])
    raw.to_excel(tmp_path / "orders.xlsx", index=False)
    raw.to_parquet(tmp_path / "orders.parquet")
    from_excel, _ = _load(tmp_path / "orders.xlsx")
    from_parquet, _ = _load(tmp_path / "orders.parquet")
    pd.testing.assert_frame_equal(from_excel, from_parquet)
    assert from_excel[schema.ORDER_DATE].dtype == "datetime64[ns]"


def test_sql_source_reads_a_real_sqlite_file(tmp_path):
    db = tmp_path / "sales.db"
    with sqlite3.connect(db) as conn:
        make_raw_orders().to_sql("lines", conn, index=False)
    raw = io.read_sql(f"sqlite:///{db}", "select * from lines where area = 'East'")
    orders, _ = data.canonicalize_orders(raw, columns=RAW_COLUMNS, label="data.query")
    assert len(orders) == 6


def test_sql_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SALES_DB_PASSWORD", "s3cret")
    url = io.sql_url_with_password("postgresql://planner@db.local/sales", "SALES_DB_PASSWORD")
    assert url.password == "s3cret"
    monkeypatch.delenv("SALES_DB_PASSWORD")
    with pytest.raises(DataError, match="SALES_DB_PASSWORD, which is not set"):
        io.sql_url_with_password("postgresql://planner@db.local/sales", "SALES_DB_PASSWORD")


def test_a_failing_query_names_the_problem(tmp_path):
    db = tmp_path / "sales.db"
    sqlite3.connect(db).close()
    with pytest.raises(DataError, match=r"the SQL query failed: .*no such table: lines"):
        io.read_sql(f"sqlite:///{db}", "select * from lines")


def test_missing_required_column_names_file_and_column(tmp_path):
    path = tmp_path / "orders.csv"
    make_raw_orders().drop(columns=["amount"]).to_csv(path, index=False)
    with pytest.raises(DataError) as caught:
        _load(path)
    assert str(caught.value).startswith("orders.csv: missing required column 'amount' (for revenue)")
    assert caught.value.column == "revenue"


def test_unparseable_dates_name_up_to_five_rows(tmp_path):
    raw = make_raw_orders(8)
    raw.loc[[1, 3, 4, 5, 6, 7], "date"] = ["2024-13-45", "yesterday", "x", "y", "z", "w"]
    path = tmp_path / "orders.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError) as caught:
        _load(path)
    text = str(caught.value)
    assert text.startswith("orders.csv: column 'date': 6 values are not dates (row 3: '2024-13-45', row 5: 'yesterday'")
    assert caught.value.rows == [3, 5, 6, 7, 8]
    assert "\n" not in text


def test_unparseable_amounts_and_empty_required_values(tmp_path):
    raw = make_raw_orders()
    raw.loc[2, "amount"] = "about 300"
    path = tmp_path / "orders.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"column 'amount': 1 value is not a number \(row 4: 'about 300'\)"):
        _load(path)
    raw = make_raw_orders()
    raw.loc[4, "cust"] = ""
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"column 'cust': 1 value is empty \(row 6: empty\)"):
        _load(path)


def test_empty_file_and_header_only_file(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("")
    with pytest.raises(DataError, match="orders.csv: the file is empty"):
        _load(path)
    make_raw_orders().iloc[:0].to_csv(path, index=False)
    with pytest.raises(DataError, match=r"orders.csv: no order lines in the source \(0 rows\)"):
        _load(path)


def test_amounts_with_separators_are_fixed_and_counted(tmp_path):
    raw = make_raw_orders()
    raw.loc[0, "amount"] = "¥1,234.50"
    raw.loc[1, "amount"] = "(20.00)"
    path = tmp_path / "orders.csv"
    raw.to_csv(path, index=False)
    orders, quality = _load(path)
    assert orders[schema.REVENUE].iloc[0] == 1234.5
    assert orders[schema.REVENUE].iloc[1] == -20.0
    fixed = quality.loc[quality["check"].str.contains("separators"), "rows"]
    assert fixed.tolist() == [2]


def test_exact_duplicates_removed_and_returns_netted_and_counted():
    raw = make_raw_orders()
    raw = pd.concat([raw, raw.iloc[[0, 0]], pd.DataFrame([{**raw.iloc[1].to_dict(), "order": "RET1", "amount": "-50"}])], ignore_index=True)
    orders, quality = data.canonicalize_orders(raw, columns=RAW_COLUMNS, label="x.csv")
    assert len(orders) == 7
    checks = quality.set_index("check")
    assert checks.loc["exact duplicate lines removed", "rows"] == 2
    assert checks.loc["exact duplicate lines removed", "amount"] == pytest.approx(201.0)
    assert checks.loc["return lines (negative revenue) netted against sales", "amount"] == -50


def test_optional_columns_blank_values_are_filled_and_counted():
    raw = make_raw_orders()
    raw["rep"] = ["Li", "", "Wang", None, "Li", "Wang"]
    orders, quality = data.canonicalize_orders(raw, columns={**RAW_COLUMNS, "rep": "rep"}, label="x.csv")
    assert (orders[schema.REP].astype(str) == data.MISSING_LABEL).sum() == 2
    assert "rep: empty values filled as '(none)'" in quality["check"].tolist()


def test_a_mapped_column_the_file_lacks_is_an_error():
    with pytest.raises(DataError, match="data.columns maps rep to 'salesperson', which the file does not have"):
        data.canonicalize_orders(make_raw_orders(), columns={**RAW_COLUMNS, "rep": "salesperson"}, label="x.csv")


def _monthly_orders(months: int, last_month_days: int, last_month_scale: float = 1.0) -> pd.DataFrame:
    rows = []
    for m in range(months):
        start = pd.Timestamp("2023-01-01") + pd.DateOffset(months=m)
        days = pd.date_range(start, start + pd.offsets.MonthEnd(0))
        if m == months - 1:
            days = days[:last_month_days]
        for d in days:
            rows.append({"order_date": d, "revenue": 100.0 * (last_month_scale if m == months - 1 else 1)})
    return pd.DataFrame(rows)


def test_partial_last_month_is_detected_not_read_as_a_collapse():
    months = data.summarize_months(_monthly_orders(12, last_month_days=10))
    assert months["complete"].tolist() == [True] * 11 + [False]
    assert "the 21 missing days would carry 67.7% of the month" in months["reason"].iloc[-1]
    assert data.last_complete_month(months) == pd.Timestamp("2023-11-01")


def test_a_full_month_far_below_its_neighbours_is_flagged_and_a_normal_one_is_not():
    low = data.summarize_months(_monthly_orders(12, last_month_days=31, last_month_scale=0.3))
    assert not low["complete"].iloc[-1] and "revenue 30%" in low["reason"].iloc[-1]
    normal = data.summarize_months(_monthly_orders(12, last_month_days=31, last_month_scale=0.8))
    assert normal["complete"].all()


def test_split_at_as_of_keeps_every_row():
    orders = _monthly_orders(6, last_month_days=30)
    before, after = data.split_at_as_of(orders, pd.Timestamp("2023-03-31").date())
    assert len(before) + len(after) == len(orders)
    assert before["order_date"].max() == pd.Timestamp("2023-03-31")


def test_adventureworks_loads_and_reports_its_partial_last_months(shared_data, project_root):
    from planlib.workflow import build_intake, open_run

    run = open_run("params/adventureworks.yaml", root=project_root)
    tables = build_intake(run)
    quality = tables["data_quality"]
    assert quality.loc[0, "rows"] == 121_253
    incomplete = quality.loc[quality["check"].str.startswith("incomplete month in the source"), "check"].tolist()
    # the data starts on 2010-12-29, and 2013-12 (online only) and 2014-01 (a tail) are partial
    assert incomplete == [f"incomplete month in the source: {m}" for m in ("2010-12", "2013-12", "2014-01")]
    assert tables["orders"][schema.ORDER_DATE].max() == pd.Timestamp("2012-12-31")
    assert set(tables["orders"][schema.CHANNEL].astype(str)) == {"Online", "Reseller"}
    assert len(tables["quotas"]) == 163
    used = quality.set_index("check").loc["rows used", "rows"]
    later = quality.set_index("check").loc["rows after the as-of date, kept for in-year tracking", "rows"]
    assert used + later == 121_253


def test_artifacts_keep_their_attrs_through_parquet(tmp_path):
    import datetime as dt

    from planlib import io

    frame = pd.DataFrame({"a": [1, 2]})
    frame.attrs = {"as_of": pd.Timestamp("2025-06-30"), "day": dt.date(2025, 1, 1), "n": np.int64(3), "rule": "carry_shortfall"}
    io.write_artifact(frame, tmp_path, "t")
    back = io.read_artifact(tmp_path, "t")
    assert back.attrs == frame.attrs and isinstance(back.attrs["as_of"], pd.Timestamp)
    pd.testing.assert_frame_equal(back, frame)


def test_wide_categoricals_round_trip_as_plain_text_with_their_attrs(tmp_path, monkeypatch):
    """Order ids by the million are stored as text (Parquet repeats a dictionary per row group) and read back
    as the same sorted categories; the attrs travel as before and the marker does not leak into them."""
    from planlib import io

    monkeypatch.setattr(io, "WIDE_CATEGORIES", 3)
    frame = pd.DataFrame({"order_id": pd.Categorical(["O3", "O1", "O2", "O4", "O1"]), "a": range(5)})
    frame.attrs = {"as_of": pd.Timestamp("2025-06-30")}
    io.write_artifact(frame, tmp_path, "orders")
    back = io.read_artifact(tmp_path, "orders")
    assert back.attrs == frame.attrs
    assert list(back["order_id"].cat.categories) == ["O1", "O2", "O3", "O4"]
    assert back["order_id"].astype(str).tolist() == frame["order_id"].astype(str).tolist()
    assert io.read_artifact(tmp_path, "orders", columns=["a"]).attrs == frame.attrs
