"""Tests of planlib.report.render_html: the notebook's title, no script from the network, widgets as static output."""

from __future__ import annotations

import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from planlib.report import notebook_title, render_html

STATIC_TABLE = "<table><tr><td>annual target</td><td>151,234,567</td></tr></table>"


def _notebook_with_a_widget() -> nbformat.NotebookNode:
    view = {"model_id": "box", "version_major": 2, "version_minor": 0}
    cell = new_code_cell("whatif.build_whatif(...)", outputs=[new_output(
        "execute_result", data={"application/vnd.jupyter.widget-view+json": view, "text/plain": "HBox(children=(…))"},
        execution_count=1)])
    nb = new_notebook(cells=[
        new_code_cell("params_path = 'params/demo.yaml'", metadata={"tags": ["parameters"]}),
        new_markdown_cell("# 03 Targets: what we **commit** to\n\nSome words."),
        cell,
    ])
    state = {
        "box": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_sliders", "IPY_MODEL_out"]}},
        "sliders": {"model_name": "VBoxModel", "state": {"children": []}},
        "out": {"model_name": "OutputModel", "state": {"outputs": [
            {"output_type": "display_data", "metadata": {}, "data": {"text/html": STATIC_TABLE, "text/plain": "t"}}]}},
    }
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": state, "version_major": 2,
                                                                            "version_minor": 0}}
    return nb


def test_html_has_the_notebook_title_no_remote_script_and_the_widget_result(tmp_path):
    source = tmp_path / "03_targets.ipynb"
    nbformat.write(_notebook_with_a_widget(), source)
    page = render_html(source, tmp_path / "03_targets.html").read_text(encoding="utf-8")
    assert re.search(r"<title>\s*03 Targets: what we commit to\s*</title>", page)
    assert not re.findall(r"<script[^>]*src=\"https?://", page)  # no require.js, MathJax or widget manager from a CDN
    assert STATIC_TABLE in page and "HBox(children" not in page
    assert "params_path" not in page
    # printed sentences wrap between words: our rule comes after JupyterLab's "break-all"
    assert page.rindex("word-break:normal") > page.index("word-break: break-all")


def test_title_falls_back_to_the_file_name_and_plain_notebooks_are_untouched(tmp_path):
    source = tmp_path / "00_data.ipynb"
    nb = new_notebook(cells=[new_code_cell("1 + 1", outputs=[new_output("execute_result", data={"text/plain": "2"},
                                                                           execution_count=1)])])
    nbformat.write(nb, source)
    assert notebook_title(nb) == ""
    page = render_html(source, tmp_path / "00_data.html").read_text(encoding="utf-8")
    assert re.search(r"<title>\s*00_data\s*</title>", page) and ">2<" in page.replace("\n", "")


def test_missing_glyph_warnings_are_found_and_the_stored_notebooks_have_none(tmp_path):
    from pathlib import Path

    from planlib.report import missing_glyph_warnings

    warning = "UserWarning: Glyph 21150 (\\N{CJK UNIFIED IDEOGRAPH-529E}) missing from font(s) DejaVu Sans."
    nb = new_notebook(cells=[new_code_cell("chart", outputs=[new_output("stream", name="stderr", text=f"x.py:1: {warning}\n")])])
    nbformat.write(nb, tmp_path / "boxes.ipynb")
    assert missing_glyph_warnings(tmp_path / "boxes.ipynb") == [f"x.py:1: {warning}"]
    for notebook in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert missing_glyph_warnings(notebook) == [], notebook.name


def test_markdown_in_the_report_language_only(tmp_path):
    from planlib import i18n

    nb = new_notebook(cells=[
        new_markdown_cell("# 01 Review of the past year", metadata={"tags": ["lang-en"]}),
        new_markdown_cell("# 01 复盘：过去一年发生了什么", metadata={"tags": ["lang-zh-CN"]}),
        new_markdown_cell("Untagged words stay in both."),
    ])
    nbformat.write(nb, tmp_path / "01_review.ipynb")
    english = render_html(tmp_path / "01_review.ipynb", tmp_path / "en.html").read_text(encoding="utf-8")
    with i18n.language("zh-CN"):
        chinese = render_html(tmp_path / "01_review.ipynb", tmp_path / "zh.html").read_text(encoding="utf-8")
    assert "Review of the past year" in english and "复盘" not in english
    assert "复盘：过去一年发生了什么" in chinese and "Review of the past year" not in chinese
    assert re.search(r"<title>\s*01 复盘：过去一年发生了什么\s*</title>", chinese)
    assert "Untagged words stay in both." in english and "Untagged words stay in both." in chinese
