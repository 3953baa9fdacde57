"""The notebooks' narrative in the report language: each markdown paragraph is a catalog message.

A notebook's markdown is written once, in English; the pack runner hands papermill a copy
whose markdown paragraphs went through the catalog (context ``notebook``), keyed by each
paragraph's text as gettext keys every message. English packs run the notebook unchanged.
``tests/test_i18n.py`` fails while a paragraph of ``notebooks/*.ipynb`` lacks its Chinese.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from planlib.i18n.catalog import _p, get_language

CONTEXT = "notebook"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def markdown_paragraphs(source: str) -> list[str]:
    """The paragraphs of a markdown cell (split at blank lines, outer blank space dropped), in order."""
    return [p.strip() for p in _PARAGRAPH_BREAK.split(source) if p.strip()]


def notebook_messages(notebook: Path | nbformat.NotebookNode) -> list[str]:
    """Every markdown paragraph of a notebook (the catalog messages it needs), in order, without repeats."""
    nb = nbformat.read(notebook, as_version=4) if isinstance(notebook, (str, Path)) else notebook
    found: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not _other_language(cell):
            found += [p for p in markdown_paragraphs(cell.source) if p not in found]
    return found


def translate_markdown(source: str) -> str:
    """A markdown cell's text with each paragraph in the active language (untranslated ones unchanged)."""
    return "\n\n".join(_p(CONTEXT, p) for p in markdown_paragraphs(source))


def translate_notebook(notebook: Path | nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the notebook with its markdown in the active language (the same notebook's copy in English).

    Cells tagged ``lang-<code>`` (a narrative written for one language) are left as they are.
    """
    nb = nbformat.read(notebook, as_version=4) if isinstance(notebook, (str, Path)) else copy.deepcopy(notebook)
    if get_language() == "en":
        return nb
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not _tagged(cell):
            cell.source = translate_markdown(cell.source)
    return nb


def _tagged(cell: nbformat.NotebookNode) -> bool:
    return any(t.startswith("lang-") for t in cell.get("metadata", {}).get("tags", []))


def _other_language(cell: nbformat.NotebookNode) -> bool:
    """A cell written for a language other than English (``lang-zh-CN``): not a catalog message."""
    langs = {t.removeprefix("lang-") for t in cell.get("metadata", {}).get("tags", []) if t.startswith("lang-")}
    return bool(langs) and "en" not in langs
