"""A CJK font for every chart: the Noto Sans CJK SC that the ``mplfonts`` wheel ships, else a system one.

Matplotlib's default DejaVu Sans has no Chinese glyphs, so Chinese labels print as boxes
with a "missing from font" warning. :func:`use_cjk_font` registers a CJK font with
matplotlib's font manager and appends it to ``font.family``, so Latin
text keeps its look and every CJK glyph falls back to the CJK font, glyph by glyph.
"""

from __future__ import annotations

import importlib.util
import warnings
from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager, rcParams

__all__ = ["SYSTEM_CJK_FAMILIES", "find_cjk_font", "packaged_font", "use_cjk_font"]

# The packaged font first (no system install needed), then Windows, macOS and Linux system fonts.
_PACKAGE, _PACKAGE_FILE = "mplfonts", ("fonts", "NotoSansCJKsc-Regular.otf")
SYSTEM_CJK_FAMILIES = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "DengXian",  # Windows
    "PingFang SC", "Hiragino Sans GB", "Heiti SC", "STHeiti", "Songti SC",  # macOS
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans SC",  # Linux
)


def packaged_font() -> Path | None:
    """Path of the font file inside the installed ``mplfonts`` package (not imported: no side effects)."""
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*_PACKAGE_FILE)
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """Family name of a CJK font matplotlib can use, registering the packaged one; ``None`` when none exists."""
    packaged = packaged_font()
    if packaged is not None:
        font_manager.fontManager.addfont(str(packaged))
        return font_manager.FontProperties(fname=str(packaged)).get_name()
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in SYSTEM_CJK_FAMILIES if family in installed), None)


def use_cjk_font() -> str | None:
    """Make matplotlib fall back to a CJK font for glyphs its default font lacks; returns its family (``None``: none found).

    Idempotent and cheap after the first call, so every chart builder calls it before it
    draws. Without any CJK font it warns once and leaves matplotlib as it was.
    """
    family = find_cjk_font()
    if family is None:
        _warn_no_font()
        return None
    families = list(rcParams["font.family"])
    if family not in families:  # matplotlib falls back glyph by glyph along font.family, not within a generic
        rcParams["font.family"] = [*families, family]
    return family


@lru_cache(maxsize=1)
def _warn_no_font() -> None:
    warnings.warn(
        f"planlib charts: no CJK font found (looked for the '{_PACKAGE}' package and for "
        f"{', '.join(SYSTEM_CJK_FAMILIES)}); Chinese labels will show as boxes. "
        f"Install planlib's dependencies (pip install -e .) or a system CJK font.",
        stacklevel=3,
    )
