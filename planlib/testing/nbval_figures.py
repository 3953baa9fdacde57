"""A pytest plugin: nbval compares the figures a notebook prints within a stated tolerance.

Model fits and simulations differ in the 6th-7th significant digit between BLAS kernels
(OpenBLAS picks one per CPU), so stored notebook outputs cannot be compared digit for
digit. Before nbval compares a cell, every text output (stream text, ``text/plain``,
``text/html`` ...) whose words and punctuation are identical to the stored one and whose
figures all agree within tolerance is replaced by the stored text; anything else goes to
nbval's own comparison unchanged, so a changed word or a figure off by more than the
tolerance still fails, naming the cell.

Two printed figures agree when ``|a - b| <= RTOL * max(|a|, |b|, row) + ulp``:

- ``ulp`` is one unit in the last printed digit (``0.1`` for ``6.4``, ``1`` for
  ``139,847,673``): a drift of one part in a million can carry a figure across a rounding
  boundary, so the last printed digit may move by one;
- ``row`` is the largest whole-number figure of the same table row or text line, and
  counts only for whole numbers (money, counts), not for percentages or decimals: a gap or
  a change (``after - before``) inherits the absolute drift of the amounts it is the
  difference of, so it is judged on their scale;
- ``RTOL`` is 5e-4: about three times the largest drift measured between two kernels on
  the demo notebooks (1.7e-4 of a row's largest amount, in the quarterly re-spread, whose
  re-forecast fits flat ETS likelihoods; the year totals drift by 4e-6), and half the
  0.1% change of a row's main figure that a regression must show.

The plugin is registered as a ``pytest11`` entry point, so it acts in every nbval run
(including a notebook copied elsewhere) and does nothing without ``--nbval``.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any, Callable

RTOL = 5e-4

# A figure: optional sign, digits with optional thousands separators, optional decimals and
# exponent. Not preceded by a letter, digit, underscore or dot, so identifiers such as
# "Q2", "R07", "02_forecast" or hex ids are words, not figures; a unit may follow ("5.1M").
_FIGURE = re.compile(
    r"(?<![\w.])(?P<sign>[-+−]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?(?:[eE](?P<exp>[-+]?\d+))?"
)


_SPACES = re.compile(r"[ \t]+")
_HTML_ROW = re.compile(r"(?=<tr[\s>])")  # an HTML table row starts at <tr


def _figures(text: str) -> tuple[list[str], list[tuple[float, float, float]]]:
    """The text cut at its figures: the words between them, and each figure as (value, ulp, row scale).

    The row scale is the largest whole-number figure of its table row (HTML ``<tr>``) or
    line; it is 0 for percentages and decimals, which are judged on their own size.
    """
    words: list[str] = []
    figures: list[tuple[float, float, float]] = []
    rows = _HTML_ROW.split(text) if "<tr" in text else text.split("\n")
    for row in rows:
        found: list[tuple[float, float, bool]] = []
        last = 0
        for match in _FIGURE.finditer(row):
            words.append(row[last:match.start()])
            frac = match["frac"] or ""
            exponent = int(match["exp"]) if match["exp"] else 0
            sign = -1.0 if match["sign"] in ("-", "−") else 1.0
            try:
                value = sign * float(f"{match['int'].replace(',', '')}.{frac or '0'}") * 10.0**exponent
            except OverflowError:  # "1e999" is no figure a report prints: compared as written
                value = math.inf
            whole = not frac and not exponent and not row[match.end():match.end() + 1] in ("%", "‰")
            found.append((value, 10.0 ** max(min(exponent - len(frac), 300), -300), whole))
            # a figure's place in the text is part of its shape, not its decimal count: pandas
            # drops trailing zeros (0.981510 prints 0.98151), so the count follows the digits
            words.append(f"<{'e' if match['exp'] else 'n'}>")
            last = match.end()
        words.append(row[last:])
        words.append("\n")  # row boundaries are part of the shape
        scale = max((abs(v) for v, _, whole in found if whole), default=0.0)
        figures.extend((v, ulp, scale if whole else 0.0) for v, ulp, whole in found)
    return words, figures


def figures_agree(reference: str, test: str, *, rtol: float = RTOL) -> bool:
    """True when the two texts differ at most in figures that agree within tolerance."""
    if reference == test:
        return True
    ref_words, ref_figures = _figures(reference)
    test_words, test_figures = _figures(test)
    if [_SPACES.sub(" ", w) for w in ref_words] != [_SPACES.sub(" ", w) for w in test_words]:
        return False  # a wider figure pads a table's columns differently: runs of spaces count as one
    for (a, ulp_a, row_a), (b, ulp_b, row_b) in zip(ref_figures, test_figures):
        if not (math.isfinite(a) and math.isfinite(b)):
            if not (a == b and reference == test):
                return False
            continue
        if abs(a - b) > rtol * max(abs(a), abs(b), row_a, row_b) + max(ulp_a, ulp_b) * (1 + 1e-9):
            return False
    return True


def _text_slots(outputs: list[dict]) -> dict[str, list[tuple[dict, str]]]:
    """Where each text value of a cell's outputs lives, grouped by key as nbval groups them."""
    slots: dict[str, list[tuple[dict, str]]] = {}
    for output in outputs:
        if output.get("output_type") == "stream":
            slots.setdefault(f"stream:{output.get('name')}", []).append((output, "text"))
            continue
        for key, value in output.items():
            if key == "data" and isinstance(value, dict):
                for mime, content in value.items():
                    if isinstance(content, str) and mime.startswith("text/"):  # not images (base64)
                        slots.setdefault(mime, []).append((value, mime))
            elif key in ("ename", "evalue") and isinstance(value, str):
                slots.setdefault(key, []).append((output, key))
    return slots


def align_figures(test: list[dict], reference: list[dict], *, sanitize: Callable[[Any], Any] = lambda s: s,
                  rtol: float = RTOL) -> list[dict]:
    """A copy of ``test`` in which texts that agree with ``reference`` within tolerance are the reference's."""
    aligned = copy.deepcopy(list(test))
    test_slots = _text_slots(aligned)
    for key, ref_slots in _text_slots(reference).items():
        for (ref_holder, ref_key), (test_holder, test_key) in zip(ref_slots, test_slots.get(key, [])):
            ref_text, test_text = ref_holder[ref_key], test_holder[test_key]
            if ref_text != test_text and figures_agree(sanitize(ref_text), sanitize(test_text), rtol=rtol):
                test_holder[test_key] = ref_text
    return aligned


def pytest_configure(config) -> None:
    """Wrap nbval's output comparison when nbval runs with output comparison on."""
    if not getattr(config.option, "nbval", False):
        return
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval not installed: nothing to wrap
        return
    if getattr(IPyNbCell.compare_outputs, "_planlib_figures", False):
        return
    compare = IPyNbCell.compare_outputs

    def compare_outputs(self, test, ref, skip_compare=None):
        return compare(self, align_figures(test, ref, sanitize=self.sanitize), ref, skip_compare)

    compare_outputs._planlib_figures = True  # type: ignore[attr-defined]
    IPyNbCell.compare_outputs = compare_outputs
