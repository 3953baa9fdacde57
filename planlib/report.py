"""What a manager opens: code-free HTML of the executed notebooks (and, later, the Excel workbook)."""

from __future__ import annotations

from pathlib import Path

import nbformat

HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell"}


def render_html(notebook: Path, target: Path) -> Path:
    """Write a code-free HTML of an executed notebook (no inputs, no prompts, no params cells)."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if not HIDDEN_TAGS & set(c.get("metadata", {}).get("tags", []))]
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    target.write_text(body, encoding="utf-8")
    return target
