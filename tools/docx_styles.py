"""Document-wide settings of Verbund's Word templates: language, one font family, spacing.

python-docx starts from a template made for US English with theme fonts: ``en-US`` as the
language of every run (Word then spell-checks German as English, and LibreOffice writes
``/Lang (en-US)`` into the PDF) and headings in the theme's heading font (Calibri Light, which
LibreOffice replaces with whatever it finds). Here the language becomes German everywhere and
every style names the one font family directly, with no theme font left to win over it.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

LANGUAGE = "de-DE"
THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _child(parent, tag: str):
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.append(found)
    return found


def _one_font(r_fonts, font: str) -> None:
    for attribute in THEME_FONT_ATTRIBUTES:
        if r_fonts.get(qn(attribute)) is not None:
            del r_fonts.attrib[qn(attribute)]
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        r_fonts.set(qn(attribute), font)


def german_single_font(doc, font: str, language: str = LANGUAGE) -> None:
    """Language ``language`` and font ``font`` in the defaults, every style and the settings."""
    styles = doc.styles.element
    defaults = _child(_child(_child(styles, "w:docDefaults"), "w:rPrDefault"), "w:rPr")
    _one_font(_child(defaults, "w:rFonts"), font)
    _child(defaults, "w:lang").set(qn("w:val"), language)
    defaults.find(qn("w:lang")).set(qn("w:eastAsia"), language)
    for r_fonts in styles.iter(qn("w:rFonts")):
        _one_font(r_fonts, font)
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), language)
        lang.set(qn("w:eastAsia"), language)

    settings = doc.settings.element
    theme_lang = _child(settings, "w:themeFontLang")
    theme_lang.set(qn("w:val"), language)
    theme_lang.set(qn("w:eastAsia"), language)
    doc.core_properties.language = language


def spacer(doc, points: float = 4) -> None:
    """A small empty paragraph: keeps two tables apart without a full blank line."""
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(points)
    # the paragraph mark's size sets an empty line's height in LibreOffice
    r_pr = _child(paragraph._p.get_or_add_pPr(), "w:rPr")
    size = _child(r_pr, "w:sz")
    size.set(qn("w:val"), str(int(points * 2)))
    return paragraph
