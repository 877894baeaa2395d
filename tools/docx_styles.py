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
    """Language ``language`` (German unless a translation says otherwise) and font ``font`` in
    the defaults, every style and the settings."""
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


# Complex-script twins of run properties: Word and LibreOffice size, bold and italicise Arabic
# (and every right-to-left script) by these, not by w:sz, w:b, w:i.
COMPLEX_TWINS = (("w:sz", "w:szCs"), ("w:b", "w:bCs"), ("w:i", "w:iCs"))


def _mirror_complex_script(r_pr) -> None:
    for plain, complex_ in COMPLEX_TWINS:
        found = r_pr.find(qn(plain))
        if found is not None and r_pr.find(qn(complex_)) is None:
            twin = OxmlElement(complex_)
            for name, value in found.attrib.items():
                twin.set(name, value)
            found.addnext(twin)


# What follows w:bidi in a paragraph's properties (the schema fixes the order of children).
AFTER_BIDI = tuple(
    qn(f"w:{tag}")
    for tag in (
        "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap "
        "jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr "
        "pPrChange"
    ).split()
)


def _insert_before(parent, child, later_tags: tuple[str, ...]) -> None:
    for existing in parent:
        if existing.tag in later_tags:
            existing.addprevious(child)
            return
    parent.append(child)


def _paragraphs_and_tables(doc):
    parts = [doc.element.body]
    for section in doc.sections:
        parts += [section.header._element, section.footer._element]
    for part in parts:
        yield from part.iter(qn("w:p"))
        yield from part.iter(qn("w:tbl"))


def right_to_left(doc, language: str) -> None:
    """Set the whole document right to left for ``language`` (e.g. ``ar-SA``): every paragraph
    runs from the right (``w:bidi``), every table's first column stands on the right
    (``w:bidiVisual``), sizes and emphasis apply to the script (the complex-script twins) and
    the language is declared for right-to-left text too (``w:lang w:bidi``).

    Runs get no ``w:rtl``: Arabic letters are right-to-left by themselves, while names,
    numbers and dates filled in from the record keep their own direction inside the line."""
    for element in _paragraphs_and_tables(doc):
        if element.tag == qn("w:p"):
            p_pr = element.get_or_add_pPr()
            if p_pr.find(qn("w:bidi")) is None:
                _insert_before(p_pr, OxmlElement("w:bidi"), AFTER_BIDI)
        else:
            tbl_pr = element.find(qn("w:tblPr"))
            if tbl_pr is not None and tbl_pr.find(qn("w:bidiVisual")) is None:
                visual = OxmlElement("w:bidiVisual")
                style = tbl_pr.find(qn("w:tblStyle"))
                if style is not None:
                    style.addnext(visual)
                else:
                    tbl_pr.insert(0, visual)
    for r_pr in doc.styles.element.iter(qn("w:rPr")):
        _mirror_complex_script(r_pr)
    for element in _paragraphs_and_tables(doc):
        for r_pr in element.iter(qn("w:rPr")):
            _mirror_complex_script(r_pr)
    for lang in doc.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:bidi"), language)
    theme_lang = _child(doc.settings.element, "w:themeFontLang")
    theme_lang.set(qn("w:bidi"), language)


def left_to_right(paragraph) -> None:
    """Keep ``paragraph`` left to right in a right-to-left document (a German note in it)."""
    p_pr = paragraph._p.get_or_add_pPr()
    for bidi in p_pr.findall(qn("w:bidi")):
        p_pr.remove(bidi)


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
