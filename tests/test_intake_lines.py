"""Intake of order lines: header against data.columns, duplicates, derived cost, bad values, the ledger."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import RAW_COLUMNS, make_raw_orders
from planlib import schema
from planlib.errors import DataError
from planlib.intake import canonicalize_orders, check_header, reconcile_ledger


def _quality_row(quality, prefix):
    hit = quality.loc[quality["check"].str.startswith(prefix)]
    assert len(hit) == 1, quality
    return hit.iloc[0]


def test_header_check_names_the_mapping_the_file_lacks_and_hints_at_profit():
    header = ["date", "order", "cust", "amount", "line", "area", "Profit"]
    assert check_header(header, {**RAW_COLUMNS, "profit": "Profit"}, label="x.csv")["profit"] == "Profit"
    with pytest.raises(DataError, match=r"^x.csv: data.columns maps cost to 'Sales - Profit', which the file does not have; to derive cost, map data.columns.profit"):
        check_header(header, {**RAW_COLUMNS, "cost": "Sales - Profit"}, label="x.csv")
    with pytest.raises(DataError, match=r"missing required column 'amount' \(for revenue\)"):
        check_header([h for h in header if h != "amount"], RAW_COLUMNS, label="x.csv")
    with pytest.raises(DataError, match="data.columns maps cost and profit; cost comes from one of cost, profit or margin"):
        check_header([*header, "Cost"], {**RAW_COLUMNS, "cost": "Cost", "profit": "Profit"}, label="x.csv")


def test_lines_differing_only_in_an_unmapped_column_are_both_kept():
    raw = make_raw_orders()
    raw["sku"] = [f"P{i}" for i in range(6)]
    twin = raw.iloc[[0]].assign(sku="P99")  # same order, amount and mapped fields; another product
    same = raw.iloc[[1]]  # the whole row repeats
    raw = pd.concat([raw, twin, same], ignore_index=True)
    orders, quality = canonicalize_orders(raw, columns=RAW_COLUMNS, label="x.csv")
    assert len(orders) == 7
    dup = _quality_row(quality, "exact duplicate lines removed")
    assert (dup["rows"], dup["amount"], dup["kind"]) == (1, 200.5, "dropped")
    assert "all 7 columns" in dup["note"] and "row 9" in dup["note"]
    read = _quality_row(quality, "rows read")
    assert read["amount"] == pytest.approx(orders[schema.REVENUE].sum() + dup["amount"])


@pytest.mark.parametrize(
    "mapping, values, expected_cost",
    [
        ({"profit": "Profit"}, ["50.5", "-10", "0", "100", "0", "1,000"], [50.0, 210.5, 300.5, 300.5, 500.5, -399.5]),
        ({"margin": "Margin"}, ["0.5", "25%", "0", "-10%", "1", "50%"], [50.25, 150.375, 300.5, 440.55, 0.0, 300.25]),
    ],
)
def test_cost_is_derived_from_profit_or_margin(mapping, values, expected_cost):
    raw = make_raw_orders()
    raw[next(iter(mapping.values()))] = values
    orders, quality = canonicalize_orders(raw, columns={**RAW_COLUMNS, **mapping}, label="x.csv")
    by_id = orders.set_index(schema.ORDER_ID)[schema.COST]
    assert [by_id[f"SO{i}"] for i in range(6)] == pytest.approx(expected_cost)
    assert _quality_row(quality, "cost derived from column")["kind"] == "note"


def test_a_margin_above_one_is_refused_not_guessed():
    raw = make_raw_orders().assign(Margin=["25", "0.2", "0.2", "0.2", "0.2", "0.2"])
    with pytest.raises(DataError, match=r"column 'Margin': 1 value is out of range \(row 2: '25'\); margins are fractions"):
        canonicalize_orders(raw, columns={**RAW_COLUMNS, "margin": "Margin"}, label="x.csv")


def test_control_characters_are_removed_counted_and_the_rows_named():
    raw = make_raw_orders()
    raw.loc[2, "cust"] = "C2\x00"
    raw.loc[4, "area"] = "East\r\n"
    orders, quality = canonicalize_orders(raw, columns=RAW_COLUMNS, label="x.csv")
    assert set(orders[schema.CUSTOMER_ID].astype(str)) == {"C0", "C1", "C2"}
    assert set(orders[schema.REGION].astype(str)) == {"East"}
    row = _quality_row(quality, "control characters")
    assert (row["rows"], row["amount"], row["kind"]) == (2, 300.5 + 500.5, "fixed")
    assert row["note"] == "columns 'cust', 'area'; rows 4, 6"


@pytest.mark.parametrize("bad, problem", [("1e300", "is out of range"), ("inf", "is not a number"), ("nan", "is not a number")])
def test_absurd_or_non_finite_amounts_are_refused_with_the_rows_named(bad, problem):
    raw = make_raw_orders()
    raw.loc[3, "amount"] = bad
    with pytest.raises(DataError) as caught:
        canonicalize_orders(raw, columns=RAW_COLUMNS, label="x.csv")
    assert str(caught.value).startswith(f"x.csv: column 'amount': 1 value {problem} (row 5: '{bad}')")
    assert caught.value.rows == [5]


def test_a_large_but_plausible_amount_loads():
    raw = make_raw_orders()
    raw.loc[3, "amount"] = "25000000"  # a big contract, 60,000 times the typical line
    orders, _ = canonicalize_orders(raw, columns=RAW_COLUMNS, label="x.csv")
    assert orders[schema.REVENUE].max() == 25_000_000


def test_the_ledger_adds_up_and_a_lost_line_is_caught():
    raw = make_raw_orders()
    raw = pd.concat([raw, raw.iloc[[0]]], ignore_index=True)
    orders, quality = canonicalize_orders(raw, columns=RAW_COLUMNS, label="x.csv")
    quality = pd.concat([quality, pd.DataFrame([{"check": "rows used", "rows": len(orders), "amount": orders[schema.REVENUE].sum(), "note": "", "kind": "used"}])], ignore_index=True)
    figures = reconcile_ledger(quality)
    assert figures["read_rows"] == 7 and figures["used_rows"] == 6 and figures["left_revenue"] == 100.5
    quality.loc[quality["kind"] == "used", "amount"] -= 100.5
    with pytest.raises(DataError, match="the data-quality ledger does not add up"):
        reconcile_ledger(quality)


def test_an_empty_numeric_revenue_cell_is_named():
    raw = make_raw_orders()
    raw["amount"] = raw["amount"].astype(float)
    raw.loc[0, "amount"] = np.nan
    with pytest.raises(DataError, match=r"column 'amount': 1 value is empty \(row 2: empty\)"):
        canonicalize_orders(raw, columns=RAW_COLUMNS, label="x.xlsx")


def test_an_order_id_shared_by_customers_becomes_one_order_each_and_stages_agree():
    from planlib.customers import compute_customer_kpis
    from planlib.targets.customers import summarize_customer_base

    rows = []
    for year in (2023, 2024):
        for i in range(8):
            rows.append({"date": f"{year}-0{1 + i % 6}-1{i % 9}", "order": f"{year}-{i}", "cust": f"C{i}", "amount": "100",
                         "line": "Bikes", "area": "East"})
    rows += [{"date": "2024-03-05", "order": "STORE-1", "cust": c, "amount": "50", "line": "Bikes", "area": "East"} for c in ("N1", "N2", "N3", "N4")]
    orders, quality = canonicalize_orders(pd.DataFrame(rows), columns=RAW_COLUMNS, label="x.csv")
    assert sorted(orders.loc[orders[schema.CUSTOMER_ID].astype(str).str.startswith("N"), schema.ORDER_ID].astype(str)) == [
        f"STORE-1 / N{i}" for i in range(1, 5)]
    row = _quality_row(quality, "order ids shared by several customers")
    assert (row["rows"], row["amount"], row["kind"]) == (4, 200.0, "fixed")
    review = compute_customer_kpis(orders, year=2024, as_of=pd.Timestamp("2024-12-31")).set_index("metric")
    base = summarize_customer_base(orders, year=2024).iloc[0]
    assert base["active_customers"] == 12 and base["new_customers"] == 4
    assert review.loc["active_customers", "current"] == base["active_customers"]
    assert review.loc["new_customers", "current"] == base["new_customers"]


def test_quota_dates_follow_data_date_format():
    from planlib.intake import canonicalize_quotas

    raw = pd.DataFrame({"rep": ["Li\x00", "Li"], "date": ["01/04/2024", "01/07/2024"], "quota": ["1,000", "2000"]})
    with pytest.raises(DataError, match="set data.date_format to dayfirst or monthfirst"):
        canonicalize_quotas(raw, columns={}, label="q.csv")
    quotas = canonicalize_quotas(raw, columns={}, label="q.csv", date_format="dayfirst")
    assert quotas.to_dict("list") == {"rep": ["Li", "Li"], "date": [pd.Timestamp("2024-04-01"), pd.Timestamp("2024-07-01")], "quota": [1000.0, 2000.0]}


def test_the_intake_line_names_what_was_dropped_fixed_and_set_aside():
    from planlib.intake import summarize_intake, summarize_months

    raw = make_raw_orders()
    raw["date"] = ["13/01/2024", "14/02/2024", "15/03/2024", "16/04/2024", "17/05/2024", "18/06/2024"]
    raw.loc[1, "cust"] = "C1\x00"
    raw = pd.concat([raw, raw.iloc[[0]]], ignore_index=True)
    orders, quality = canonicalize_orders(raw, columns=RAW_COLUMNS, label="x.csv")
    used = pd.DataFrame([{"check": "rows used", "rows": len(orders), "amount": orders[schema.REVENUE].sum(), "note": "", "kind": "used"}])
    line = summarize_intake(pd.concat([quality, used], ignore_index=True), summarize_months(orders))
    assert line == ("7 rows read, 6 used; 1 exact duplicates removed; 1 lines with control characters cleaned; "
                    "dates read as day/month/year: 7 lines decide it; last complete month 2024-05 "
                    "(2024-01, 2024-06 incomplete, left out of the forecast fit).")
