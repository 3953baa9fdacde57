"""Tests of planlib.i18n: complete zh-CN catalogs, the language switch and Chinese number conventions."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from planlib import i18n
from planlib.errors import ParamsError
from planlib.i18n import catalog
from planlib.plan import load_plan

PACKAGE = Path(catalog.__file__).resolve().parents[1]
KEYWORDS = {"_": None, "N_": None, "_p": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


@pytest.fixture(autouse=True)
def _english_after_each_test():
    yield
    i18n.activate("en")


def _read(lang: str):
    with catalog.po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang.replace("-", "_"))


def test_every_catalog_message_has_its_chinese():
    po = _read("zh-CN")
    messages = [m for m in po if m.id]
    assert len(messages) > 100
    missing = [(m.context, m.id) for m in messages if not m.string or m.fuzzy]
    assert missing == [], f"untranslated or fuzzy zh-CN messages: {missing[:10]}"
    for m in messages:  # a translation keeps every {placeholder} of its message, and adds none
        assert sorted(PLACEHOLDER.findall(m.id)) == sorted(PLACEHOLDER.findall(m.string)), (m.id, m.string)


def code_messages() -> set[tuple[str | None, str, str]]:
    """(context, message, file) of every ``_()`` / ``_p()`` / ``N_()`` in the package and in the notebooks' code cells."""
    import io

    import nbformat
    from babel.messages.extract import extract

    used = set()
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        if isinstance(message, str):
            used.add((context, message, filename))
    for notebook in sorted((PACKAGE.parent / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type == "code":
                for _lineno, message, _comments, context in extract("python", io.BytesIO(cell.source.encode()), keywords=KEYWORDS):
                    if isinstance(message, str):
                        used.add((context, message, notebook.name))
    return used


def test_every_message_in_the_code_is_in_the_catalog():
    po = _read("zh-CN")
    known = {(m.context, m.id) for m in po if m.id}
    used = code_messages()
    assert len(used) > 40
    absent = sorted({(f, m) for c, m, f in used if (c, m) not in known})
    assert absent == [], f"messages without a zh-CN entry (run pybabel extract/update, then translate): {absent[:10]}"


def test_language_switch_and_context():
    assert i18n.get_language() == "en" and i18n._("Other") == "Other"
    assert i18n.header("revenue") == "revenue" and i18n.header("product_line") == "product line"
    i18n.activate("zh-CN")
    assert i18n._("Other") == "其他" and i18n.header("product_line") == "产品线"
    assert i18n.header("华东") == "华东"  # data values pass through
    with i18n.language("en"):
        assert i18n._("Other") == "Other"
    assert i18n._("Other") == "其他"
    with pytest.raises(ParamsError, match="report.language must be one of en, zh-CN; got 'fr'"):
        i18n.activate("fr")
    with pytest.raises(ParamsError, match="report.unit must be one of 元, 万元, 亿元; got '千元'"):
        i18n.activate("zh-CN", unit="千元")


def test_chinese_number_conventions():
    i18n.activate("zh-CN")
    assert [i18n.fmt_money(v) for v in (3_210_000_000, 56_789, -1_234_567, 980, np.nan)] == [
        "32.10亿元", "5.7万元", "-123.5万元", "980元", "—"]
    assert i18n.fmt_money(123_456_789, unit="万元") == "12,345.7万元"
    i18n.activate("zh-CN", unit="亿元")
    assert i18n.fmt_money(56_789) == "0.00亿元" and i18n.money_unit(1.0) == "亿元"
    assert [i18n.fmt_quarter(q) for q in (1, 2, "Q3", 4)] == ["一季度", "二季度", "三季度", "四季度"]
    assert i18n.fmt_month(pd.Timestamp("2025-03-31")) == "2025年3月"
    assert i18n.fmt_month("2025-11-01", with_year=False) == "11月"
    assert i18n.fmt_pct(0.2834) == "28.3%" and i18n.fmt_pct(0.081, signed=True) == "+8.1%"
    with pytest.raises(ValueError, match="a quarter must be 1 to 4; got 5"):
        i18n.fmt_quarter(5)


def test_english_number_conventions():
    assert [i18n.fmt_money(v) for v in (12_345_678, 850_000, 999, np.nan)] == ["12.3M", "850K", "999", "n/a"]
    assert i18n.fmt_quarter(2) == "Q2" and i18n.fmt_month("2025-03-01") == "Mar 2025"
    assert i18n.fmt_pct(0.5) == "50.0%"


def test_report_section_of_the_params(tmp_path):
    assert load_plan("params/demo.yaml").report.language == "en"
    zh = load_plan("params/demo_zh.yaml")
    assert (zh.report.language, zh.report.unit) == ("zh-CN", None)
    with pytest.raises(ParamsError, match="report.language"):
        load_plan("params/demo.yaml", overrides={"report.language": "zh"})
    with pytest.raises(ParamsError, match="report.unit"):
        load_plan("params/demo.yaml", overrides={"report.unit": "K"})


def test_no_module_that_translates_rebinds_the_underscore():
    """``for _, row in ...`` inside a function makes ``_`` local there, and ``_("...")`` then fails at run time."""
    import ast

    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports_it = any(isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("planlib.i18n")
                         and any(alias.name == "_" for alias in node.names) for node in ast.walk(tree))
        if imports_it:
            offenders += [f"{path.name}:{node.lineno}" for node in ast.walk(tree)
                          if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store)]
    assert offenders == [], f"'_' rebound where it is the translation function: {offenders}"


def test_the_cli_speaks_the_plan_language():
    from click.testing import CliRunner

    from planlib.cli import main

    result = CliRunner().invoke(main, ["validate", "params/demo_zh.yaml", "--params-only"])
    assert result.exit_code == 0
    assert result.output.strip() == "params/demo_zh.yaml：有效（计划 'demo_zh'，计划年度 2025，数据截至 2024-12-31）"
    english = CliRunner().invoke(main, ["validate", "params/demo.yaml", "--params-only"])
    assert english.output.strip() == "params/demo.yaml: valid (plan 'demo', plan year 2025, data to 2024-12-31)"


def test_html_pages_carry_the_cjk_glyphs_they_use():
    """A browser without a CJK system font draws boxes; each page embeds a subset of the packaged font."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    from planlib.i18n.fonts import packaged_font
    from planlib.i18n.webfont import embed_cjk_font, font_face_style

    assert font_face_style("Annual target 145M") == ""
    page = embed_cjk_font("<html><head><title>t</title></head><body>华东 一季度 目标</body></html>")
    assert page.index("<style>") < page.index("</head>") and "planlib CJK" in page
    if packaged_font() is None:
        pytest.skip("the mplfonts package is not installed: the page lists system CJK fonts only")
    data = page.split("base64,")[1].split(")")[0]
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    cmap = font.getBestCmap()
    assert all(ord(ch) in cmap for ch in "华东一季度目标") and len(data) < 100_000


def test_every_notebook_paragraph_has_its_chinese():
    """The pack runs a zh-CN plan on copies of the notebooks whose markdown went through the catalog."""
    from planlib.i18n.notebooks import notebook_messages

    known = {m.id for m in _read("zh-CN") if m.id and m.context == "notebook" and m.string}
    notebooks = sorted((PACKAGE.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(notebooks) >= 5
    absent = [(nb.name, p[:60]) for nb in notebooks for p in notebook_messages(nb) if p not in known]
    assert absent == [], f"notebook paragraphs without a zh-CN entry (context 'notebook'): {absent[:10]}"


def test_notebook_markdown_in_the_report_language():
    import nbformat

    from planlib.i18n.notebooks import translate_notebook

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 03 · Targets: what we commit to, and who carries it\n\n## SMART targets\n\nUnknown words stay.\n"),
        nbformat.v4.new_code_cell("print('Quarter')"),
        nbformat.v4.new_markdown_cell("## SMART targets", metadata={"tags": ["lang-en"]}),
    ])
    assert translate_notebook(nb).cells[0].source == nb.cells[0].source  # English: the notebook as it is
    i18n.activate("zh-CN")
    zh = translate_notebook(nb)
    assert zh.cells[0].source == "# 03 · 目标：我们承诺什么，由谁来承担\n\n## SMART目标\n\nUnknown words stay."
    assert zh.cells[1].source == "print('Quarter')" and zh.cells[2].source == "## SMART targets"
    assert nb.cells[0].source.startswith("# 03 · Targets")  # the original is untouched


def test_english_headers_state_the_unit_where_the_column_name_does_not():
    """The capacity-lever levels are visits a month (the sentence above the table speaks per year)."""
    from planlib.i18n import activate, header

    activate("en")
    assert header("b_level_planned") == "B visits a month, planned" and header("funnel_visits") == "funnel visits"
    activate("zh-CN")
    try:
        assert header("b_level_planned") == "B类计划频率（次/月）"
    finally:
        activate("en")


def test_a_zh_plan_words_its_params_errors_in_chinese(tmp_path):
    """The params' own report.language words their errors; English only while it cannot be read."""
    text = Path("params/demo_zh.yaml").read_text(encoding="utf-8")
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(text.replace("  min_growth: 0.08", "  min_grwth: 0.08"), encoding="utf-8")
    with pytest.raises(ParamsError, match="：未知参数 targets.min_grwth；是否应为 'min_growth'？$") as err:
        load_plan(unknown)
    assert err.value.key == "targets.min_grwth"
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text.replace("  quantile: 0.6 ", "  quantile: abc "), encoding="utf-8")
    with pytest.raises(ParamsError, match="targets.quantile 必须是数字；实际为 'abc'$"):
        load_plan(wrong)
    with pytest.raises(ParamsError, match="targets.quantile 必须在 0 到 1 之间；实际为 1.6$"):
        load_plan("params/demo_zh.yaml", overrides={"targets.quantile": 1.6})
    unreadable = tmp_path / "unreadable.yaml"  # the language itself is wrong: nothing to word the error in but English
    unreadable.write_text(text.replace("language: zh-CN", "language: zh").replace("  min_growth: 0.08", "  min_grwth: 0.08"),
                          encoding="utf-8")
    with pytest.raises(ParamsError, match="unknown key"):
        load_plan(unreadable)
    assert i18n.get_language() == "en"  # validating a zh-CN file does not switch the caller's language


def test_a_zh_plan_words_its_data_errors_in_chinese(tmp_path):
    from click.testing import CliRunner

    from planlib.cli import main

    orders = tmp_path / "orders.csv"
    orders.write_text("order_date,order_id,customer_id,revenue,product_line,region\n"
                      "2023-01-05,O1,C1,100,Pumps,East\n2023-13-45,O2,C2,120,Pumps,East\n", encoding="utf-8")
    text = Path("params/demo_zh.yaml").read_text(encoding="utf-8")
    params = tmp_path / "csv.yaml"
    params.write_text(text.replace("  source: demo\n  demo:\n    n_lines: 40000            # order lines generated over 2021-2025 (10k to 10M)\n    seed: 7\n",
                                   f"  source: csv\n  path: {orders}\n"), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(params)])
    assert result.exit_code == 2
    assert result.output.strip() == f"planlib: {orders}：列 'order_date'：1个值不是日期（第3行：'2023-13-45'）"


def test_tables_for_people_in_chinese_keep_data_values_and_every_column():
    from planlib.display import format_table, localize

    pivot = pd.DataFrame({"A": [1, 2], "lost": [3, 4]}, index=pd.Index(["A", "new"], name="previous_class"))
    assert localize(pivot).equals(pivot)  # English: nothing changes
    budget = pd.DataFrame({"segment": ["East China"], "revenue_last": [1.0], "revenue_previous": [2.0],
                           "channel": ["(actions, company-wide)"], "rep": ["(hire) East China 1"]})
    i18n.activate("zh-CN")
    table = format_table(budget, money=["revenue_last", "revenue_previous"]).frame
    assert list(table.columns) == ["细分", "上年收入（元）", "前年收入（元）", "渠道", "销售代表"]
    assert table.iloc[0].tolist() == ["East China", "1", "2", "（行动，全公司）", "（新招）East China 1"]
    shown = localize(pivot)
    assert list(shown.columns) == ["A", "流失"] and list(shown.index) == ["A", "新增"] and shown.index.name == "上年分类"
    assert i18n.value_label("unique_id", "product_line=Pumps|region=East China") == "产品线=Pumps|区域=East China"


def test_pack_periods_in_chinese_number_conventions():
    from planlib.i18n import activate, fmt_period

    activate("en")
    assert fmt_period("2025-Q2") == "2025-Q2" and fmt_period("2025") == "2025"
    activate("zh-CN")
    try:
        assert fmt_period("2025-Q2") == "2025年二季度" and fmt_period("2025") == "2025年"
    finally:
        activate("en")
