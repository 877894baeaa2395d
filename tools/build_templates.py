"""Build the Word templates of the KIM case management (exports/*.docx) with python-docx.

    .venv/bin/python tools/build_templates.py            # writes exports/
    .venv/bin/python tools/build_templates.py --out DIR  # writes elsewhere (tests)

The templates are docxtpl templates. A template sees ``record`` (id, title, state, state_label,
organisation, owner, created, updated), every form of ``workflows/case_management.toml`` under
its id (``intake.name``; table fields are lists of dicts), ``history`` and ``now``.

Rules kept here so the templates stay renderable:

* Every Jinja tag is written with a single ``add_run`` call, so it lives in exactly one run.
  Tags split across runs are docxtpl's best-known trap (Word does that when you type a tag
  by hand; this script never does).
* Table rows repeat with ``{%tr for row in <form>.<table> %}`` … ``{%tr endfor %}``, each in a
  row of its own; the row in between holds the cells.
* A table that was never saved is None, not an empty list: loops and ``|length`` use
  ``(<form>.<table> or [])``.
* Booleans are spelled out with ``{% if … %}Ja{% else %}Nein{% endif %}``.
* Only names the workflow provides are used (checked by tests/test_kim_templates.py).

Once the city edits a template by hand in Word, that file is the source of truth and this
script should no longer be run over it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[1]

HEADER_TEXT = (
    "Landeshauptstadt Düsseldorf – Amt für Migration und Integration – "
    "Kommunales Integrationsmanagement"
)
FONT = "Arial"
DARK = RGBColor(0x1F, 0x1F, 0x1F)
GREY = RGBColor(0x59, 0x59, 0x59)
HEADER_FILL = "D9D9D9"

# Content width on A4 with 2.5 cm left and 2 cm right margin.
CONTENT_CM = 21.0 - 2.5 - 2.0


# ------------------------------------------------------------------------------------------
# Low-level helpers
# ------------------------------------------------------------------------------------------


def _bottom_border(paragraph, size: int = 6) -> None:
    """Draw a thin line under a paragraph (used under the header)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size))
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "808080")
    borders.append(bottom)
    p_pr.append(borders)


def _add_field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """Append a Word field (e.g. PAGE, NUMPAGES) as begin/instr/separate/result/end runs."""

    def fld_char(kind: str):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    paragraph.add_run()._r.append(fld_char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(fld_char("separate"))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(fld_char("end"))


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _repeat_as_header(row) -> None:
    """Repeat this table row at the top of every page the table runs over."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    # Schema order matters to Word: tblBorders comes before shd, tblLayout, tblCellMar, tblLook.
    for successor in ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"):
        found = tbl_pr.find(qn(successor))
        if found is not None:
            found.addprevious(borders)
            return
    tbl_pr.append(borders)


def _set_widths(table, widths_cm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _cell_text(cell, *parts: str, bold: bool = False, size: float | None = None) -> None:
    """Fill a cell: each part becomes one run (a Jinja tag must be one whole part)."""
    paragraph = cell.paragraphs[0]
    for part in parts:
        run = paragraph.add_run(part)
        run.bold = bold
        if size:
            run.font.size = Pt(size)


# ------------------------------------------------------------------------------------------
# Document building blocks
# ------------------------------------------------------------------------------------------


def new_document(title: str, subtitle: str = ""):
    """A4 document with the city header, a page-number footer and the title."""
    doc = Document()

    section = doc.sections[0]
    section.page_height = Cm(29.7)
    section.page_width = Cm(21.0)
    section.left_margin = Cm(2.5)
    section.right_margin = Cm(2.0)
    section.top_margin = Cm(2.5)
    section.bottom_margin = Cm(2.0)
    section.header_distance = Cm(1.0)
    section.footer_distance = Cm(1.0)

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 18), ("Heading 1", 13), ("Heading 2", 11)):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = DARK
        style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)

    header = section.header.paragraphs[0]
    run = header.add_run(HEADER_TEXT)
    run.font.size = Pt(8)
    run.font.color.rgb = GREY
    _bottom_border(header)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in (f"{title} · Fall ", "{{ record.id }}", " · Seite "):
        footer.add_run(text)
    _add_field(footer, "PAGE")
    footer.add_run(" von ")
    _add_field(footer, "NUMPAGES")
    for run in footer.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = GREY

    doc.core_properties.title = title
    doc.core_properties.author = "Landeshauptstadt Düsseldorf – KIM"
    doc.core_properties.last_modified_by = "tools/build_templates.py"

    heading = doc.add_paragraph(style="Title")
    heading.add_run(title)
    if subtitle:
        p = doc.add_paragraph()
        run = p.add_run(subtitle)
        run.italic = True
        run.font.color.rgb = GREY
    return doc


def heading(doc, text: str) -> None:
    doc.add_heading(text, level=1)


def para(doc, *parts: str, size: float | None = None, italic: bool = False):
    """A paragraph made of runs; every part is one run, so a Jinja tag must be one part."""
    p = doc.add_paragraph()
    for part in parts:
        run = p.add_run(part)
        run.italic = italic
        if size:
            run.font.size = Pt(size)
    return p


def key_value_table(doc, rows: list[tuple[str, str]], label_cm: float = 5.0) -> None:
    """Two columns: bold label, value (usually one Jinja tag)."""
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for label, value in rows:
        cells = table.add_row().cells
        _cell_text(cells[0], label, bold=True)
        _shade(cells[0], "F2F2F2")
        _cell_text(cells[1], value)
    _set_widths(table, [label_cm, CONTENT_CM - label_cm])
    doc.add_paragraph()


def loop_table(
    doc, headers: list[str], loop: str, cells: list[str], widths_cm: list[float]
) -> None:
    """A table with a header row and one row per list item.

    ``loop`` is the ``for`` clause, e.g. ``"row in intake.agencies"``; ``cells`` the Jinja
    content of each cell (each one run). ``or []`` is appended because a table that was never
    saved is None in the document context, and looping over None would fail.
    """
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    head, start, body, end = table.rows
    for cell, text in zip(head.cells, headers, strict=True):
        _cell_text(cell, text, bold=True)
        _shade(cell, HEADER_FILL)
    _repeat_as_header(head)
    _cell_text(start.cells[0], "{%tr for " + loop + " or [] %}")
    for cell, text in zip(body.cells, cells, strict=True):
        _cell_text(cell, text)
    _cell_text(end.cells[0], "{%tr endfor %}")
    _set_widths(table, widths_cm)
    doc.add_paragraph()


def signatures(doc, left: str, right_parts: tuple[str, ...], place_date: tuple[str, ...]) -> None:
    """Place/date line and two signature lines side by side."""
    doc.add_paragraph()
    para(doc, *place_date)
    doc.add_paragraph()
    doc.add_paragraph()
    table = doc.add_table(rows=2, cols=2)
    _no_borders(table)
    for cell in table.rows[0].cells:
        _cell_text(cell, "_" * 38)
    _cell_text(table.rows[1].cells[0], left, size=8)
    _cell_text(table.rows[1].cells[1], *right_parts, size=8)
    _set_widths(table, [CONTENT_CM / 2, CONTENT_CM / 2])


def case_facts(doc, extra: list[tuple[str, str]] = ()) -> None:
    key_value_table(
        doc,
        [
            ("Fall-Nr.", "{{ record.id }}"),
            ("Ratsuchende*r", "{{ intake.name }}"),
            ("Geburtsjahr", "{{ intake.birth_year }}"),
            ("Case Manager*in", "{{ record.owner }}"),
            ("Organisation", "{{ record.organisation }}"),
            *extra,
        ],
    )


def created_note(doc) -> None:
    para(
        doc,
        "Erstellt am ",
        "{{ now }}",
        " · Phase: ",
        "{{ record.state_label }}",
        size=7,
        italic=True,
    )


# ------------------------------------------------------------------------------------------
# The four templates
# ------------------------------------------------------------------------------------------


def einwilligung():
    doc = new_document(
        "Einwilligungserklärung",
        "zur Teilnahme am Case Management des Kommunalen Integrationsmanagements (KIM) "
        "und zur Verarbeitung personenbezogener Daten",
    )
    case_facts(doc)

    heading(doc, "1. Freiwillige Teilnahme")
    para(
        doc,
        "Ich möchte am Case Management des Kommunalen Integrationsmanagements der "
        "Landeshauptstadt Düsseldorf teilnehmen. Die Teilnahme ist freiwillig. Wenn ich nicht "
        "einwillige oder meine Einwilligung später widerrufe, entstehen mir dadurch keine "
        "Nachteile bei anderen Leistungen.",
    )
    para(
        doc,
        "Das Case Management informiert mich über meine Rechte und unterstützt mich dabei, "
        "Leistungen in Anspruch zu nehmen. Es trifft keine Entscheidungen anderer Stellen "
        "(zum Beispiel nach SGB II, III, VIII oder XII) und ersetzt nicht die "
        "Beschwerdestelle der Verwaltung.",
    )

    heading(doc, "2. Verarbeitung meiner Daten")
    para(
        doc,
        "Ich willige ein, dass die für meine Beratung nötigen Angaben zu meiner Person und "
        "meiner Lebenssituation gespeichert und verarbeitet werden. Dazu können auch Angaben "
        "zu meiner Gesundheit gehören (Art. 6 Abs. 1 lit. a und Art. 9 Abs. 2 lit. a DSGVO). "
        "Die Daten werden nur für das Case Management verwendet; Auswertungen erfolgen "
        "ohne Personenbezug.",
    )

    heading(doc, "3. Austausch mit beteiligten Stellen")
    para(
        doc,
        "Ich willige ein, dass sich meine Case Managerin / mein Case Manager mit den folgenden "
        "Stellen über mein Anliegen austauscht, soweit dies für die Hilfe nötig ist. Insoweit "
        "entbinde ich diese Stellen von ihrer Schweigepflicht beziehungsweise vom "
        "Sozialgeheimnis:",
    )
    loop_table(
        doc,
        ["Stelle", "Ansprechperson", "Thema"],
        "row in intake.agencies",
        ["{{ row.agency }}", "{{ row.contact }}", "{{ row.topic }}"],
        [5.5, 4.5, CONTENT_CM - 10.0],
    )

    heading(doc, "4. Widerruf")
    para(
        doc,
        "Ich kann diese Einwilligung jederzeit ganz oder teilweise widerrufen, ohne Gründe zu "
        "nennen – mündlich oder schriftlich bei meiner Case Managerin / meinem Case Manager. "
        "Der Widerruf gilt für die Zukunft; was bis dahin geschehen ist, bleibt rechtmäßig "
        "(Art. 7 Abs. 3 DSGVO).",
    )
    para(
        doc,
        "{% if intake.interpreter_needed %}",
        "Diese Erklärung wurde mit Unterstützung einer Sprach- und Kulturmittlung "
        "übersetzt und erläutert (Sprache: ",
        "{{ intake.interpreter_language }}",
        ").",
        "{% endif %}",
        italic=True,
    )

    signatures(
        doc,
        "Unterschrift Ratsuchende*r",
        ("Unterschrift Case Manager*in (", "{{ record.owner }}", ")"),
        ("Düsseldorf, den ", "{{ intake.consent_date }}"),
    )
    created_note(doc)
    return doc


def zielvereinbarung():
    doc = new_document("Zielvereinbarung", "im Case Management des KIM Düsseldorf")
    case_facts(doc, [("Vereinbart am", "{{ goals.agreed_on }}")])

    para(
        doc,
        "Auf Grundlage des gemeinsamen Assessments vereinbaren ",
        "{{ intake.name }}",
        " und ",
        "{{ record.owner }}",
        " folgende Ziele:",
    )
    loop_table(
        doc,
        ["Nr.", "Ziel", "Woran wir die Zielerreichung erkennen", "Bis"],
        "row in goals.goals",
        ["{{ loop.index }}", "{{ row.goal }}", "{{ row.indicator }}", "{{ row.target_date }}"],
        [1.2, 6.8, 4.5, CONTENT_CM - 12.5],
    )

    heading(doc, "Anmerkungen")
    para(doc, "{{ goals.notes }}")
    para(
        doc,
        "Die Ziele werden im weiteren Verlauf gemeinsam überprüft und bei Bedarf angepasst. "
        "Die Teilnahme am Case Management bleibt freiwillig.",
    )
    signatures(
        doc,
        "Unterschrift Ratsuchende*r",
        ("Unterschrift Case Manager*in (", "{{ record.owner }}", ")"),
        ("Düsseldorf, den ", "{{ goals.agreed_on }}"),
    )
    created_note(doc)
    return doc


def hilfeplan():
    doc = new_document("Hilfeplan", "Vernetzung und Steuerung der Hilfen im Case Management")
    case_facts(
        doc,
        [
            ("Hilfeplan erstellt am", "{{ planning.plan_date }}"),
            ("Stand der Vermittlung", "{{ monitoring.referral_status }}"),
            ("Nächstes Monitoring-Gespräch", "{{ monitoring.next_contact }}"),
        ],
    )

    heading(doc, "Vereinbarte Ziele")
    loop_table(
        doc,
        ["Ziel", "Bis"],
        "row in goals.goals",
        ["{{ row.goal }}", "{{ row.target_date }}"],
        [CONTENT_CM - 3.0, 3.0],
    )

    heading(doc, "Maßnahmen")
    loop_table(
        doc,
        ["Maßnahme", "Angebot / Stelle", "Verantwortlich", "Fällig am"],
        "row in planning.measures",
        ["{{ row.measure }}", "{{ row.service }}", "{{ row.responsible }}", "{{ row.due }}"],
        [5.5, 4.0, 3.5, CONTENT_CM - 13.0],
    )

    heading(doc, "Beteiligte Stellen")
    loop_table(
        doc,
        ["Stelle", "Ansprechperson", "Thema"],
        "row in intake.agencies",
        ["{{ row.agency }}", "{{ row.contact }}", "{{ row.topic }}"],
        [5.5, 4.5, CONTENT_CM - 10.0],
    )

    heading(doc, "Anmerkungen")
    para(doc, "{{ planning.notes }}")
    signatures(
        doc,
        "Unterschrift Ratsuchende*r",
        ("Unterschrift Case Manager*in (", "{{ record.owner }}", ")"),
        ("Düsseldorf, den ", "{{ planning.plan_date }}"),
    )
    created_note(doc)
    return doc


def abschlussbericht():
    doc = new_document("Abschlussbericht", "Evaluation und Fallabschluss im Case Management")
    case_facts(
        doc,
        [
            ("Zielgruppe", "{{ intake.target_group }}"),
            ("Zugangsweg", "{{ intake.access_channel }}"),
            ("Fall angelegt am", "{{ record.created }}"),
            ("Einwilligung erteilt am", "{{ intake.consent_date }}"),
            ("Abschlussdatum", "{{ evaluation.closing_date }}"),
            ("Abschlussgrund", "{{ evaluation.closing_reason }}"),
            ("Zielerreichung", "{{ evaluation.goal_attainment }}"),
            ("Dokumentierte Kontakte", "{{ (monitoring.contacts or [])|length }}"),
        ],
    )

    heading(doc, "Ziele")
    loop_table(
        doc,
        ["Ziel", "Indikator", "Bis"],
        "row in goals.goals",
        ["{{ row.goal }}", "{{ row.indicator }}", "{{ row.target_date }}"],
        [7.5, 5.0, CONTENT_CM - 12.5],
    )

    heading(doc, "Maßnahmen")
    loop_table(
        doc,
        ["Maßnahme", "Angebot / Stelle", "Verantwortlich", "Fällig am"],
        "row in planning.measures",
        ["{{ row.measure }}", "{{ row.service }}", "{{ row.responsible }}", "{{ row.due }}"],
        [5.5, 4.0, 3.5, CONTENT_CM - 13.0],
    )

    heading(doc, "Verlauf und Ergebnis")
    para(doc, "{{ evaluation.summary }}")

    heading(doc, "Erkannte Barrieren")
    para(
        doc,
        "Fallübergreifende Barrieren gehen ohne Personenbezug an die KIM-Koordination.",
        size=8,
        italic=True,
    )
    loop_table(
        doc,
        ["Kategorie", "Institution", "Beschreibung", "Systemebene"],
        "row in evaluation.barriers",
        [
            "{{ row.category }}",
            "{{ row.institution }}",
            "{{ row.description }}",
            "{% if row.system_level %}Ja{% else %}Nein{% endif %}",
        ],
        [3.0, 3.5, CONTENT_CM - 9.0, 2.5],
    )

    heading(doc, "Verlauf der Phasen")
    loop_table(
        doc,
        ["Zeitpunkt", "Schritt", "Neue Phase", "durch"],
        "row in history",
        ["{{ row.at }}", "{{ row.label }}", "{{ row.to_label }}", "{{ row.user }}"],
        [3.2, 5.5, 4.0, CONTENT_CM - 12.7],
    )

    para(doc, "Düsseldorf, den ", "{{ evaluation.closing_date }}")
    doc.add_paragraph()
    para(doc, "_" * 38)
    para(doc, "Case Manager*in (", "{{ record.owner }}", ")", size=8)
    created_note(doc)
    return doc


TEMPLATES = {
    "einwilligung.docx": einwilligung,
    "zielvereinbarung.docx": zielvereinbarung,
    "hilfeplan.docx": hilfeplan,
    "abschlussbericht.docx": abschlussbericht,
}


def build(out_dir: Path) -> list[Path]:
    """Write every template to ``out_dir``; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, make in TEMPLATES.items():
        path = out_dir / filename
        make().save(path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "exports", help="target directory")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)


if __name__ == "__main__":
    main()
