"""Tests of the Excel workbook writer (planlib.workbook), read back with openpyxl and pandas."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from planlib import workbook as W
from planlib.errors import DataError, PackError


def funnel() -> pd.DataFrame:
    return pd.DataFrame({
        "rep": ["Li Na", "王芳", "Zhou Jie"],
        "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
        "target": [1_234_567, 89_000, 0],
        "deal_size": [36_728.99, 1_250.5, np.nan],
        "win_rate": [0.25, 0.3, 0.275],
        "visits": [267, 12, 0],
        "feasible": [False, True, True],
        "note": ["=1+1 is text", "", None],
        "year": [2025, 2025, 2025],
    })


def budget() -> pd.DataFrame:
    return pd.DataFrame({"dimension": ["region", "region"], "segment": ["N", "W"], "budget": [600, 400],
                         "budget_share": [0.6, 0.4], "growth_index": [0.8, 1.2], "weight": [0.5, 0.5]})


def test_values_read_back_equal_the_frames(tmp_path):
    path = W.write_workbook({"Funnel": funnel(), "Budget": budget()}, tmp_path / "plan.xlsx")
    assert path == tmp_path / "plan.xlsx"
    back = pd.read_excel(path, sheet_name="Funnel")
    expected = funnel().assign(note=["=1+1 is text", np.nan, np.nan], feasible=["no", "yes", "yes"])  # words, not 1/0
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    pd.testing.assert_frame_equal(pd.read_excel(path, sheet_name="Budget"), budget(), check_dtype=False)
    assert openpyxl.load_workbook(path)["Funnel"]["H3"].value is None  # empty text is a blank cell, not ''


def test_contents_sheet_comes_first_with_a_line_per_sheet(tmp_path):
    path = W.write_workbook({"Funnel": funnel(), "Budget": budget()}, tmp_path / "plan.xlsx",
                            descriptions={"Funnel": "Leads, visits, proposals and deals per rep and month"})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Contents", "Funnel", "Budget"]
    contents = pd.read_excel(path, sheet_name="Contents")
    assert contents["sheet"].tolist() == ["Funnel", "Budget"]
    assert contents["description"].iat[0] == "Leads, visits, proposals and deals per rep and month"
    assert contents["description"].iat[1] == "2 rows: dimension, segment, budget, budget_share, growth_index, weight"
    assert contents["rows"].tolist() == [3, 2]
    assert wb["Contents"]["A3"].hyperlink.location == "'Budget'!A1"


def test_header_is_frozen_on_every_sheet(tmp_path):
    path = W.write_workbook({"Funnel": funnel(), "Budget": budget()}, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.bold
    assert wb["Funnel"].auto_filter.ref == "A1:I4"


def test_number_formats(tmp_path):
    path = W.write_workbook({"Funnel": funnel(), "Budget": budget()}, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Funnel"]
    header = {cell.value: cell.column_letter for cell in ws[1]}
    fmt = {name: ws[f"{letter}2"].number_format for name, letter in header.items()}
    assert fmt["month"] == "yyyy-mm"  # month starts read as months
    assert fmt["target"] == "#,##0" and fmt["deal_size"] == "#,##0"
    assert fmt["win_rate"] == "0.0%"
    assert fmt["visits"] == "#,##0"
    assert fmt["year"] == "General" and fmt["rep"] == "General"
    assert ws[f"{header['note']}2"].data_type == "s"  # "=1+1 ..." is not a formula
    b = wb["Budget"]
    assert [b[f"{c}2"].number_format for c in "CDEF"] == ["#,##0", "0.0%", "#,##0.00", "0.0%"]  # weights as %


def test_formats_can_be_overridden_globally_and_per_sheet(tmp_path):
    path = W.write_workbook({"Funnel": funnel(), "Budget": budget()}, tmp_path / "plan.xlsx",
                            formats={"target": "0.00", "Budget": {"weight": "pct"}})
    wb = openpyxl.load_workbook(path)
    assert wb["Funnel"]["C2"].number_format == "0.00"
    assert wb["Budget"]["F2"].number_format == "0.0%"


def test_inferred_formats():
    formats = W.infer_formats(pd.DataFrame({
        "target_share": [0.1], "growth_index": [1.1], "budget_per_target": [0.02], "revenue_per_customer": [10.0],
        "visits_per_lead": [1.5], "required_deal_size": [5.0], "extra_reps": [1], "customer_id": [7],
        "stamp": pd.to_datetime(["2025-01-01 10:30"]), "label": ["x"], "flag": [True],
    }))
    assert formats == {"target_share": "pct", "growth_index": "ratio", "budget_per_target": "ratio",
                       "revenue_per_customer": "money", "visits_per_lead": "ratio", "required_deal_size": "money",
                       "extra_reps": "int", "customer_id": "general", "stamp": "datetime"}


def test_sheet_names_are_excel_safe_unique_and_deterministic():
    names = W.make_sheet_names(["A" * 40, "a" * 40, "x:y/z?", "Contents", "", "History", "'quoted'", "A" * 40],
                               reserved=["Contents"])
    assert names == ["A" * 31, "a" * 29 + "~2", "x_y_z_", "Contents~2", "Sheet", "History_", "quoted",
                     "A" * 29 + "~3"]
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names)
    assert W.make_sheet_names(["A" * 40, "a" * 40]) == W.make_sheet_names(["A" * 40, "a" * 40])


def test_long_and_clashing_sheet_titles_in_a_workbook(tmp_path):
    sheets = {"Checkpoints per owner, month and quarter": budget(),
              "checkpoints per owner, month and quarter!": budget(), "Contents": budget()}
    wb = openpyxl.load_workbook(W.write_workbook(sheets, tmp_path / "plan.xlsx"))
    assert wb.sheetnames == ["Contents", "Checkpoints per owner, month an", "checkpoints per owner, month~2",
                             "Contents~2"]


def test_column_widths_fit_content_and_are_capped(tmp_path):
    frame = pd.DataFrame({"id": ["a"], "text": ["x" * 200], "amount": [12_345_678.0], "中文名称": ["上海"]})
    ws = openpyxl.load_workbook(W.write_workbook({"T": frame}, tmp_path / "t.xlsx", max_width=40))["T"]
    # the file stores the width Excel shows plus its 5-pixel cell padding (5/7 of a character in Calibri 11)
    # (and neighbouring columns of one width share one entry)
    widths = {openpyxl.utils.get_column_letter(i): round(dim.width - 5 / 7, 2)
              for dim in ws.column_dimensions.values() for i in range(dim.min, dim.max + 1)}
    assert widths["B"] == 40
    assert widths["C"] == len("12,345,678") + 2
    assert widths["D"] == 2 * 4 + 2 + 2  # wide characters count double, plus room for the filter button
    assert widths["A"] >= 6


def test_index_is_written_when_meaningful(tmp_path):
    frame = budget().set_index(["dimension", "segment"])
    back = pd.read_excel(W.write_workbook({"B": frame}, tmp_path / "b.xlsx"), sheet_name="B")
    assert back.columns.tolist()[:2] == ["dimension", "segment"]


def test_atomic_write_and_no_silent_overwrite(tmp_path, monkeypatch):
    path = W.write_workbook({"B": budget()}, tmp_path / "sub" / "plan.xlsx")
    before = path.read_bytes()
    with pytest.raises(PackError, match="exists already; pass overwrite=True"):
        W.write_workbook({"F": funnel()}, path)
    assert path.read_bytes() == before

    def broken_close(self):
        with open(self.filename, "wb") as handle:
            handle.write(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", broken_close)
    with pytest.raises(OSError, match="disk full"):
        W.write_workbook({"F": funnel()}, path, overwrite=True)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["plan.xlsx"]  # no temporary file left

    W.write_workbook({"F": funnel()}, path, overwrite=True)
    assert openpyxl.load_workbook(path).sheetnames == ["Contents", "F"]


def test_inputs_are_not_mutated(tmp_path):
    frame = funnel()
    before = frame.copy()
    W.write_workbook({"F": frame}, tmp_path / "f.xlsx")
    pd.testing.assert_frame_equal(frame, before)


def test_bad_inputs():
    with pytest.raises(PackError, match="must be written to an .xlsx file"):
        W.write_workbook({"F": funnel()}, "plan.csv")
    with pytest.raises(DataError, match="sheet 'F' must be a DataFrame; got list"):
        W.write_workbook({"F": [1, 2]}, "/tmp/never-written.xlsx")


def test_empty_frame_and_odd_values(tmp_path):
    frame = pd.DataFrame({"when": [pd.Timestamp("2025-01-01", tz="Asia/Shanghai")], "big": [np.inf],
                          "period": [pd.Period("2025-03", freq="M")], "ctrl": ["a\x01b"],
                          "region": pd.Categorical(["East China"]), "n": pd.array([None], dtype="Int64")})
    path = W.write_workbook({"Empty": pd.DataFrame(columns=["a", "b"]), "Odd": frame}, tmp_path / "o.xlsx")
    wb = openpyxl.load_workbook(path)
    assert [c.value for c in wb["Empty"][1]] == ["a", "b"] and wb["Empty"].max_row == 1
    odd = wb["Odd"]
    assert [c.value for c in odd[2]] == [pd.Timestamp("2025-01-01").to_pydatetime(), "inf", "2025-03", "ab",
                                         "East China", None]


def test_every_sheet_prints_a4_landscape_one_page_wide_with_the_header_on_each_page(tmp_path):
    wide = pd.DataFrame({f"column_{i}": np.arange(300) * i for i in range(30)})
    path = W.write_workbook({"Funnel": funnel(), "Wide": wide}, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    assert len(wb.worksheets) == 3
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, str(setup.paperSize)) == ("landscape", "9")  # 9 = A4
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)  # one page wide (1, the default, is left out), as long as needed
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1"
        assert "&A" in ws.oddFooter.center.text


def test_chinese_workbook_words_and_readable_headers(tmp_path):
    from planlib import i18n

    with i18n.language("zh-CN"):
        path = W.write_workbook({"漏斗": funnel()}, tmp_path / "plan.xlsx", readable_headers=True)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["目录", "漏斗"]
    assert [c.value for c in wb["目录"][1]] == ["工作表", "说明", "行数", "列数"]
    assert wb["目录"]["B2"].value.startswith("3 行：")
    ws = wb["漏斗"]
    assert [c.value for c in ws[1]][:6] == ["销售代表", "月份", "目标", "单笔成交额", "赢单率", "拜访次数"]
    assert [ws.cell(row=r, column=7).value for r in (2, 3, 4)] == ["否", "是", "是"]
    assert ws["B2"].number_format == 'yyyy"年"m"月"'  # 2025年1月


def _small_pack(tmp_path):
    from planlib import io

    pack = tmp_path / "pack"
    io.write_artifact(pd.DataFrame({"metric": ["revenue", "gross_margin"], "current": [1.5e8, 0.28]}), pack, "kpis")
    io.write_artifact(pd.DataFrame({"customer_id": ["c1", "c2", "c3"], "revenue": [9e6, 2e6, 1e5],
                                    "abc_class": ["A", "B", "A"]}), pack, "abc_customers")
    io.write_artifact(pd.DataFrame({"quarter": [1, 2, 3, 4], "statistical_weight": [0.2, 0.25, 0.25, 0.3],
                                    "manual_weight": [0.25] * 4}), pack, "quarter_weights")
    io.write_artifact(pd.DataFrame({"rep": ["张伟", "王芳"], "target": [1e6, 2e6], "outlier": [False, True]}),
                      pack, "rep_fairness")
    return pack


def test_plan_workbook_has_the_review_a_customers_quarter_split_and_fairness_sheets(tmp_path):
    from planlib.report import write_plan_workbook

    path = write_plan_workbook(_small_pack(tmp_path), tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Contents", "Review KPIs", "A customers", "Quarter split", "Rep fairness"]
    a = pd.read_excel(path, sheet_name="A customers")
    assert a["customer id"].tolist() == ["c1", "c3"]  # the A class only, headers for people
    assert wb["Quarter split"]["B2"].number_format == "0.0%"  # weights as percentages
    assert pd.read_excel(path, sheet_name="Rep fairness")["outlier"].tolist() == ["no", "yes"]
    assert [wb["Contents"].cell(row=r, column=1).hyperlink.location for r in range(2, 6)] == [
        f"'{name}'!A1" for name in wb.sheetnames[1:]]


def test_plan_workbook_in_chinese(tmp_path):
    from planlib import i18n
    from planlib.report import write_plan_workbook

    with i18n.language("zh-CN"):
        path = write_plan_workbook(_small_pack(tmp_path), tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["目录", "复盘指标", "A类客户", "季度分配", "指标公平性"]
    assert [c.value for c in wb["季度分配"][1]] == ["季度", "统计权重", "手工权重"]
    assert wb["目录"]["B3"].value == "A类客户：贡献大部分收入的少数客户"
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"


def test_plan_words_in_cells_follow_the_language_only_with_readable_headers(tmp_path):
    from planlib import i18n

    frame = pd.DataFrame({"region": ["华东"], "stage": ["growth"], "target": [1.0]})
    with i18n.language("zh-CN"):
        readable = W.write_workbook({"S": frame}, tmp_path / "r.xlsx", readable_headers=True)
        raw = W.write_workbook({"S": frame}, tmp_path / "n.xlsx")
    assert [c.value for c in openpyxl.load_workbook(readable)["S"][2]] == ["华东", "增长", 1]
    assert [c.value for c in openpyxl.load_workbook(raw)["S"][2]] == ["华东", "growth", 1]


def test_the_workbook_gets_the_mode_of_any_new_file(tmp_path):
    """mkstemp made it 0600 while every other pack file is 0644 (under umask 022)."""
    import os

    previous = os.umask(0o022)
    try:
        target = W.write_workbook({"Targets": pd.DataFrame({"target": [1, 2]})}, tmp_path / "plan.xlsx")
    finally:
        os.umask(previous)
    assert (target.stat().st_mode & 0o777) == 0o644


def test_a_metric_table_formats_each_row_as_what_it_is(tmp_path):
    """KPI sheets: gross margin as 28.3%, revenue as 134,195,948 (a margin printed as 0.28 reads as a bug)."""
    kpis = pd.DataFrame({"metric": ["revenue", "gross_margin"], "current": [134195947.52, 0.2827],
                         "previous": [127305111.76, 0.2773], "growth": [0.054, 0.019], "period": ["2024", "2024"]})
    target = W.write_workbook({"KPIs": kpis}, tmp_path / "kpi.xlsx")
    ws = openpyxl.load_workbook(target)["KPIs"]
    assert ws["B2"].number_format == "#,##0" and ws["B3"].number_format == "0.0%"
    assert ws["C3"].number_format == "0.0%" and ws["D2"].number_format == "0.0%"


def test_metric_names_are_readable_and_keep_their_row_format(tmp_path):
    from planlib.i18n import language

    kpis = pd.DataFrame({"metric": ["revenue", "gross_margin"], "current": [134195947.52, 0.2827]})
    with language("zh-CN"):
        target = W.write_workbook({"KPIs": kpis}, tmp_path / "kpi.xlsx", readable_headers=True)
    ws = openpyxl.load_workbook(target).worksheets[-1]
    assert ws["A3"].value == "毛利率" and ws["B3"].number_format == "0.0%"


def test_an_amount_named_like_a_share_is_not_a_percentage():
    """A rep's quota weight in money (AdventureWorks: 135,581,082) printed as 13,558,108,220% was a bug."""
    formats = W.infer_formats(pd.DataFrame({"weight": [135_581_082.2, 1_200.0], "growth": [22.2, -0.1],
                                            "share": [0.3, 0.7]}))
    assert formats == {"weight": "ratio", "growth": "pct", "share": "pct"}
