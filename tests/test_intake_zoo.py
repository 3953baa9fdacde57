"""A data zoo: the demo company exported in the shapes real exports come in, each through the intake.

Every case is written by the test itself, read through ``build_intake`` on its own
params file, and must account for every line: the loaded revenue equals the file's
revenue minus exactly the lines the data-quality ledger lists as dropped or set aside.
Ambiguous exports stop with their one line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from planlib import demo, schema
from planlib.errors import DataError
from planlib.intake import reconcile_ledger
from planlib.workflow import build_intake, open_run

EXPORT_NAMES = {
    schema.ORDER_DATE: "Order Date", schema.ORDER_ID: "Order ID", schema.CUSTOMER_ID: "Customer ID",
    schema.REVENUE: "Sales", schema.PRODUCT_LINE: "Category", schema.REGION: "Region", schema.CHANNEL: "Segment",
    schema.REP: "Sales Rep", schema.PRODUCT: "Product Name", schema.QUANTITY: "Quantity", schema.COST: "Cost",
}
CHINESE_NAMES = {
    schema.ORDER_DATE: "订单日期", schema.ORDER_ID: "订单编号", schema.CUSTOMER_ID: "客户编号", schema.REVENUE: "销售额",
    schema.PRODUCT_LINE: "产品线", schema.REGION: "区域", schema.CHANNEL: "渠道", schema.REP: "销售代表",
    schema.PRODUCT: "产品", schema.QUANTITY: "数量", schema.COST: "成本",
}
CHINESE_REGIONS = {"East China": "华东", "North China": "华北", "South China": "华南", "Central China": "华中",
                   "Southwest": "西南", "Northwest": "西北"}


@pytest.fixture(scope="module")
def company() -> pd.DataFrame:
    """The demo company, small: about 3,000 lines from 2022 to 2025 (plan year 2025)."""
    return demo.generate_demo_orders(3000, seed=11, start="2022-01-01", end="2025-12-31")


def _export(lines: pd.DataFrame, names: dict[str, str] = EXPORT_NAMES, *, date_format: str | None = "%Y-%m-%d") -> pd.DataFrame:
    out = lines.astype({c: str for c in lines.columns if isinstance(lines[c].dtype, pd.CategoricalDtype)})
    if date_format is not None:
        out[schema.ORDER_DATE] = out[schema.ORDER_DATE].dt.strftime(date_format)
    return out.rename(columns=names)


def _case(name, lines, *, names=EXPORT_NAMES, date_format="%Y-%m-%d", kind="csv", encoding="utf-8", data=None, amounts=None):
    """What one zoo case writes, how its params read it, and the file's revenue as written."""
    frame = _export(lines, names, date_format=date_format)
    if amounts is not None:
        frame[names[schema.REVENUE]] = amounts(lines[schema.REVENUE])
    mapping = {k: v for k, v in names.items() if v in frame.columns}
    return {"name": name, "frame": frame, "kind": kind, "encoding": encoding, "revenue": float(lines[schema.REVENUE].sum()),
            "data": {"columns": mapping, **(data or {})}}


def _build(tmp_path: Path, case: dict):
    """Write the case's file and params in a fresh project and run the intake on it."""
    for folder in ("notebooks", "params", "data"):
        (tmp_path / folder).mkdir(exist_ok=True)
    suffix = ".xlsx" if case["kind"] == "excel" else ".csv"
    path = tmp_path / "data" / f"{case['name']}{suffix}"
    if case["kind"] == "excel":
        case["frame"].to_excel(path, index=False)
    else:
        case["frame"].to_csv(path, index=False, encoding=case["encoding"])
    params = {"plan": case["name"], "plan_year": 2025,
              "data": {"source": case["kind"], "path": f"data/{path.name}", **case["data"]}, **case.get("extra", {})}
    (tmp_path / "params" / "zoo.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return build_intake(open_run("params/zoo.yaml", root=tmp_path))


def _accounts_for_every_line(tables: dict, case: dict) -> pd.DataFrame:
    quality = tables["data_quality"]
    figures = reconcile_ledger(quality)
    assert figures["read_rows"] == len(case["frame"])
    assert figures["read_revenue"] == pytest.approx(case["revenue"], rel=1e-12)
    loaded = float(tables["orders"][schema.REVENUE].sum())
    assert loaded == pytest.approx(case["revenue"] - figures["left_revenue"], rel=1e-12)
    return quality


def _cases(lines: pd.DataFrame) -> dict[str, dict]:
    twins = lines.iloc[[10, 20]].assign(product="Another product")  # same order, amount and mapped fields
    with_sku = pd.concat([lines, twins], ignore_index=True)
    with_sku_export = _export(with_sku)
    with_sku_export["SKU"] = with_sku_export.pop("Product Name")
    whole_dups = with_sku_export.iloc[[5, 6]]
    dups = _case("duplicates", with_sku)
    dups["frame"] = pd.concat([with_sku_export, whole_dups], ignore_index=True)
    dups["revenue"] = float(with_sku[schema.REVENUE].sum() + lines[schema.REVENUE].iloc[[5, 6]].sum())
    dups["data"]["columns"] = {k: v for k, v in EXPORT_NAMES.items() if k != schema.PRODUCT}
    profit = _case("profit", lines.drop(columns=schema.COST))
    profit["frame"]["Profit"] = (lines[schema.REVENUE] - lines[schema.COST]).round(2).to_numpy()
    profit["data"]["columns"]["profit"] = "Profit"
    gbk = _case("gbk", lines.assign(region=lines[schema.REGION].map(CHINESE_REGIONS)), names=CHINESE_NAMES,
                date_format="%Y/%-m/%-d", encoding="gbk", amounts=lambda s: s.map("{:,.2f}".format))
    return {
        "dayfirst": _case("dayfirst", lines, date_format="%d/%m/%y"),
        "monthfirst": _case("monthfirst", lines, date_format="%m/%d/%Y", encoding="utf-8-sig"),
        "iso": _case("iso", lines),
        "chinese_dates": _case("chinese_dates", lines, date_format="%Y年%-m月%-d日"),
        "excel": _case("excel", lines, date_format=None, kind="excel"),
        "gbk": gbk,
        "duplicates": dups,
        "profit": profit,
        "no_rep": _case("no_rep", lines.drop(columns=schema.REP)),
        "empty_rep": _case("empty_rep", lines.assign(rep="")),
        "no_channel": _case("no_channel", lines.drop(columns=schema.CHANNEL)),
        "no_cost": _case("no_cost", lines.drop(columns=schema.COST)),
        "one_year": _case("one_year", lines.loc[lines[schema.ORDER_DATE] >= "2024-01-01"]),
    }


ZOO = ["dayfirst", "monthfirst", "iso", "chinese_dates", "excel", "gbk", "duplicates", "profit", "no_rep", "empty_rep",
       "no_channel", "no_cost", "one_year"]


@pytest.mark.parametrize("name", ZOO)
def test_every_zoo_export_is_read_right_and_every_line_accounted_for(tmp_path, company, name):
    case = _cases(company)[name]
    tables = _build(tmp_path, case)
    quality = _accounts_for_every_line(tables, case)
    orders = tables["orders"]
    checks = quality.set_index("check")
    # the months are right, not only the year: revenue by month equals the company's own
    truth = company.drop_duplicates()
    truth = truth.loc[truth[schema.ORDER_DATE] <= "2024-12-31"]
    if name == "one_year":
        truth = truth.loc[truth[schema.ORDER_DATE] >= "2024-01-01"]
    if name == "duplicates":  # the twins differ from their originals only in the unmapped SKU: both are kept
        truth = pd.concat([truth, company.iloc[[10, 20]]])
    by_month = orders.groupby(orders[schema.ORDER_DATE].dt.to_period("M"))[schema.REVENUE].sum()
    expected = truth.groupby(truth[schema.ORDER_DATE].dt.to_period("M"))[schema.REVENUE].sum()
    pd.testing.assert_series_equal(by_month, expected, check_names=False, rtol=1e-9)
    if name == "dayfirst":
        notes = quality.loc[quality["check"].str.startswith("dates read as")]
        assert len(notes) == 1 and notes["kind"].iloc[0] == "note"
        assert notes["check"].iloc[0] == f"dates read as day/month/year: {int(notes['rows'].iloc[0]):,} lines decide it"
    if name == "monthfirst":
        assert any(checks.index.str.startswith("dates read as month/day/year: "))
    if name == "duplicates":
        dropped = int(company.duplicated().sum()) + 2  # the company's own repeats and rows 5 and 6 written twice
        assert checks.loc["exact duplicate lines removed", "rows"] == dropped
        assert len(orders) + checks.loc["rows after the as-of date, kept for in-year tracking", "rows"] == len(case["frame"]) - dropped
    if name == "profit":
        assert orders[schema.COST].sum() == pytest.approx(truth[schema.COST].sum(), abs=0.01 * len(truth))
    if name == "gbk":
        assert set(orders[schema.REGION].astype(str)) <= set(CHINESE_REGIONS.values())
    if name == "no_rep":
        assert schema.REP not in orders.columns and "reps" not in tables
    if name == "empty_rep":  # an exported but unused column is the same plan as no column
        assert checks.loc["rep: column 'Sales Rep' is empty on every line, left out as if not mapped", "rows"] == len(case["frame"])
        assert schema.REP not in orders.columns and "reps" not in tables
    if name in ("no_channel", "no_cost"):
        assert {"no_channel": schema.CHANNEL, "no_cost": schema.COST}[name] not in orders.columns


@pytest.mark.parametrize(
    "name, fmt, keep, message",
    [
        ("ambiguous", "%d/%m/%Y", lambda d: d.dt.day <= 12,
         "dates such as '01/01/2022' read either as day/month or month/day and no value above 12 decides it; set data.date_format to dayfirst or monthfirst"),
        ("mixed", None, None, "the dates mix day/month/year"),
    ],
)
def test_ambiguous_zoo_exports_stop_with_their_one_line(tmp_path, company, name, fmt, keep, message):
    lines = company if keep is None else company.loc[keep(company[schema.ORDER_DATE])]
    case = _case(name, lines, date_format=fmt or "%d/%m/%Y")
    if fmt is None:  # one export system wrote day-first, another month-first
        half = np.arange(len(lines)) % 2 == 0
        dates = lines[schema.ORDER_DATE]
        case["frame"]["Order Date"] = np.where(half, dates.dt.strftime("%d/%m/%Y"), dates.dt.strftime("%m/%d/%Y"))
    with pytest.raises(DataError) as caught:
        _build(tmp_path, case)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert str(caught.value).startswith(f"data/{name}.csv: column 'Order Date': ")


def test_the_ambiguous_export_loads_once_date_format_is_set(tmp_path, company):
    lines = company.loc[company[schema.ORDER_DATE].dt.day <= 12]
    case = _case("settled", lines, date_format="%d/%m/%Y", data={"date_format": "dayfirst"})
    tables = _build(tmp_path, case)
    _accounts_for_every_line(tables, case)
    assert "dates read as day/month/year: set by data.date_format" in tables["data_quality"]["check"].tolist()


def test_a_gbk_export_with_a_chinese_plan_name_packs_end_to_end(tmp_path, company):
    """One zoo case through the whole cycle (annual and a quarter): the pack's ledger holds every line."""
    import shutil

    from planlib import io
    from planlib.pack import run_pack

    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    case = _cases(company)["gbk"]
    case["name"] = "超市计划"
    case["extra"] = {"actions": {"budget": 500_000}}  # a plan without a budget is issue 11 point 6, not the intake's
    _build(tmp_path, case)  # writes the file and params/zoo.yaml
    annual = run_pack("params/zoo.yaml", root=tmp_path)
    quarter = run_pack("params/zoo.yaml", root=tmp_path, period="2025-Q2")
    assert annual == tmp_path / "reports" / "超市计划" / "2025" and quarter.name == "2025-Q2"
    for pack in (annual, quarter):
        quality = io.read_artifact(pack, "data_quality")
        figures = reconcile_ledger(quality)
        assert figures["read_revenue"] == pytest.approx(case["revenue"], rel=1e-12)
        assert figures["used_revenue"] == pytest.approx(float(io.read_artifact(pack, "orders")[schema.REVENUE].sum()), rel=1e-12)
    assert (annual / "manifest.json").is_file() and any(annual.glob("*.xlsx"))
