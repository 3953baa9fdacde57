"""Chinese text in an HTML report on any machine: the packaged CJK font, cut to the page's characters, inside the page.

A browser draws CJK text with the system's fonts; a Linux machine without a CJK font
shows boxes. Each HTML page therefore carries an ``@font-face`` with a subset of the Noto
Sans CJK SC that the ``mplfonts`` dependency ships (fontTools, which matplotlib already
needs, cuts it to the characters on the page: a few kilobytes), listed first (it holds no
Latin glyph, so Latin text keeps the system fonts); nothing is fetched from the network.
"""

from __future__ import annotations

import base64
import io
import re

from planlib.i18n.fonts import packaged_font

__all__ = ["embed_cjk_font", "font_face_style"]

# CJK ideographs and radicals, CJK punctuation, kana, Hangul syllables, full-width forms
_CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_FAMILY = "planlib CJK"
_SYSTEM = '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei"'


def font_face_style(text: str) -> str:
    """A ``<style>`` block that lets ``text``'s CJK characters render anywhere ("" when it has none)."""
    chars = sorted(set(_CJK.findall(text)))
    if not chars:
        return ""
    face = ""
    font = packaged_font()
    if font is not None:
        face = (f'@font-face {{ font-family: "{_FAMILY}"; '
                f'src: url(data:font/otf;base64,{_subset(str(font), "".join(chars))}) format("opentype"); }}\n')
    # The embedded face comes first: it holds only the page's CJK glyphs, so Latin text falls
    # through to the system fonts. Listed after them, headless Chromium on a machine without
    # a CJK font drew some characters as boxes (bold headings, some table cells).
    first = f'"{_FAMILY}", ' if face else ""
    fallback = _SYSTEM
    return (
        "<style>\n" + face
        + f":root {{ --jp-content-font-family: {first}system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, {fallback}, sans-serif;\n"
        + f"  --jp-ui-font-family: {first}system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, {fallback}, sans-serif;\n"
        + f"  --jp-code-font-family: {first}Menlo, Consolas, 'DejaVu Sans Mono', {fallback}, monospace; }}\n"
        + f"body, table, td, th {{ font-family: {first}system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, {fallback}, sans-serif; }}\n"
        # the notebook theme gives headings a family of their own
        + f"h1, h2, h3, h4, h5, h6, .jp-RenderedHTMLCommon :is(h1, h2, h3, h4, h5, h6) {{ font-family: {first}"
        + f"system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, {fallback}, sans-serif; }}\n"
        + f"pre, code {{ font-family: {first}Menlo, Consolas, 'DejaVu Sans Mono', {fallback}, monospace; }}\n"
        + "</style>\n"
    )


def embed_cjk_font(page: str) -> str:
    """``page`` with :func:`font_face_style` placed at the end of its ``<head>`` (unchanged without CJK text)."""
    style = font_face_style(page)
    if not style or "</head>" not in page:
        return page
    return page.replace("</head>", style + "</head>", 1)


def _subset(path: str, text: str) -> str:
    """The font at ``path`` cut to the glyphs of ``text``, as base64 OpenType."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = [1, 2]
    font = TTFont(path, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return base64.b64encode(out.getvalue()).decode("ascii")
