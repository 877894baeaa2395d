"""The KIM Word templates (exports/*.docx) render with docxtpl and only use names that exist.

Checked for the templates in exports/ and for a fresh build of tools/build_templates.py:

* every document declared in workflows/case_management.toml has its template;
* every Jinja tag sits inside a single run (tags split across runs break docxtpl);
* every name a template uses exists: record attributes, form ids of the workflow, their
  fields, and the columns of the table a ``{%tr for %}`` loop walks over;
* rendering in the server's sandboxed, autoescaping environment (with the German filters)
  works with sample data full of ``& < >`` and with empty forms (as the document context
  delivers forms that were never saved), and the result opens with python-docx without
  leftover tags, showing German dates and the labels of choices.

The sample data goes through the server's document context (typed values, choice labels).
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import docx
import pytest
from docxtpl import DocxTemplate
from jinja2 import meta, nodes

from server.documents.context import form_values
from server.documents.render import template_environment
from server.schema import load_definitions

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = tomllib.loads((ROOT / "workflows" / "case_management.toml").read_text("utf-8"))
FORM_IDS = list(dict.fromkeys(f for s in WORKFLOW["states"] for f in s.get("forms", [])))
FORMS = {
    fid: tomllib.loads((ROOT / "forms" / f"{fid}.toml").read_text("utf-8")) for fid in FORM_IDS
}
DOCUMENTS = {d["id"]: d["template"] for d in WORKFLOW["documents"]}
RECORD_KEYS = {"id", "title", "state", "state_label", "organisation", "owner", "created", "updated"}
ROLES = tomllib.loads((ROOT / "config.toml").read_text("utf-8"))["roles"]
DEFS, _ = load_definitions(ROOT / "forms", ROOT / "workflows", ROLES, base_dir=ROOT)
# Keys of a ``history`` entry as server/documents/context.py builds them.
HISTORY_KEYS = {"at", "from", "to", "to_label", "label", "user"}
ALLOWED_NAMES = {"record", "history", "now", *FORM_IDS}
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")

NASTY = "A & B <C> > D"

SAMPLE = {
    "record": {
        "id": 42,
        "title": "Amal & <Co>",
        "state": "monitoring",
        "state_label": "Linking & Monitoring",
        "organisation": "Amt für Migration & Integration",
        "owner": "Case <Managerin> Müller",
        "created": "02.03.2026 09:12",
        "updated": "11.05.2026 14:30",
    },
    "intake": {
        "name": "Amal & <Co>",
        "birth_year": 1999,
        "phone": "0211 123456",
        "email": "amal@example.org",
        "residence_status": "duldung",
        "languages": ["ar", "de"],
        "interpreter_needed": True,
        "interpreter_language": "ar",
        "consent": True,
        "consent_date": "2026-03-02",
        "consent_withdrawn": None,
        "access_channel": "welcome_point",
        "district": "sb03",
        "target_group": "duldung_18_27",
        "agencies": [
            {"agency": "Jobcenter & Co", "contact": "Frau <X>", "topic": "Ausbildung > Arbeit"},
            {"agency": "Ausländerbehörde", "contact": "Herr Y", "topic": "Ausbildungsduldung"},
        ],
        "not_admitted_reason": None,
        "notes": "Erste Zeile\nZweite Zeile & <mehr>",
    },
    "assessment": {
        "assessment_date": "2026-03-16",
        "life_areas": [
            {"area": "aufenthalt", "problems": NASTY, "resources": "Deutsch B1"},
            {"area": "arbeit", "problems": "Keine Ausbildungsstelle", "resources": "Praktikum"},
        ],
        "summary": NASTY,
    },
    "goals": {
        "agreed_on": "2026-04-01",
        "goals": [
            {
                "goal": "Ausbildung & <Aufenthalt>",
                "indicator": "Vertrag > 0",
                "target_date": "2026-09-01",
            },
            {"goal": "Eigene Wohnung", "indicator": "Mietvertrag", "target_date": "2027-01-31"},
        ],
        "notes": NASTY,
    },
    "planning": {
        "plan_date": "2026-04-15",
        "measures": [
            {
                "measure": "Beratung <IQ>",
                "service": "IQ Netzwerk & Partner",
                "responsible": "Case Management",
                "due": "2026-05-01",
                "status": "vermittelt",
            },
        ],
        "notes": NASTY,
    },
    "monitoring": {
        "referral_status": "vermittelt",
        "next_contact": "2026-06-01",
        "contacts": [
            {"date": "2026-05-02", "kind": "telefon", "notes": NASTY},
            {"date": "2026-05-10", "kind": "persoenlich", "notes": "Termin vereinbart"},
        ],
    },
    "evaluation": {
        "goal_attainment": "teilweise",
        "summary": "Verlauf & Ergebnis <gut>",
        "closing_reason": "ziele_erreicht",
        "closing_date": "2026-12-15",
        "satisfaction": 3,
    },
    "barriers": {
        "entries": [
            {
                "category": "zustaendigkeit",
                "institution": "Amt <A> & Amt B",
                "description": "Ping > Pong",
                "system_level": True,
            },
            {
                "category": "sprache",
                "institution": "Schule",
                "description": "Kein Dolmetscher",
                "system_level": False,
            },
        ],
    },
    "history": [
        {
            "at": "02.03.2026 09:12",
            "from": "",
            "to": "intake",
            "to_label": "Klärungsphase",
            "label": "Fall angelegt",
            "user": "Case <Managerin> Müller",
        },
        {
            "at": "16.03.2026 10:00",
            "from": "intake",
            "to": "assessment",
            "to_label": "Assessment",
            "label": "Arbeitsbündnis & Start",
            "user": "cm1",
        },
    ],
    "now": "15.12.2026 10:00",
}


def _build_module():
    spec = importlib.util.spec_from_file_location(
        "build_templates", ROOT / "tools" / "build_templates.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=["exports", "fresh build"])
def template_dir(request, tmp_path_factory):
    if request.param == "exports":
        return ROOT / "exports"
    out = tmp_path_factory.mktemp("templates")
    _build_module().build(out)
    return out


def _env():
    """The server's environment: sandboxed, autoescaping, German filters, empty for missing."""
    return template_environment()


def _typed(context: dict) -> dict:
    """Sample values (as saved) the way the document context hands them to templates."""
    out = dict(context)
    for form_id in FORM_IDS:
        if form_id in context:
            out[form_id] = form_values(DEFS.forms[form_id], context[form_id])
    return out


def _paragraphs(document):
    """Every paragraph of body, tables (nested too), headers and footers."""

    def walk(container):
        yield from container.paragraphs
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    yield from walk(cell)

    yield from walk(document)
    for section in document.sections:
        for part in (section.header, section.footer):
            yield from walk(part)


def _text(document) -> str:
    return "\n".join(p.text for p in _paragraphs(document))


def _template_names(path: Path):
    """Parse the template the way docxtpl does; return the Jinja AST."""
    tpl = DocxTemplate(path)
    tpl.init_docx()
    xml = tpl.patch_xml(tpl.get_xml())
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _rel, part in tpl.get_headers_footers(uri):
            xml += tpl.patch_xml(tpl.get_part_xml(part))
    return _env().parse(xml)


def _fields(form_id: str) -> dict[str, dict]:
    return {f["name"]: f for f in FORMS[form_id]["fields"]}


# ------------------------------------------------------------------------------------------


def test_sample_data_matches_the_forms():
    """The sample context fills real fields only, so the render test means something."""
    for form_id in FORM_IDS:
        fields = _fields(form_id)
        assert set(SAMPLE[form_id]) <= set(fields), form_id
        for name, value in SAMPLE[form_id].items():
            if fields[name]["type"] == "table":
                columns = {c["name"] for c in fields[name]["columns"]}
                for row in value:
                    assert set(row) <= columns, (form_id, name)
    assert set(SAMPLE["record"]) == RECORD_KEYS


@pytest.mark.parametrize("doc_id", sorted(DOCUMENTS))
def test_template_exists(doc_id, template_dir):
    assert (template_dir / DOCUMENTS[doc_id]).is_file()


@pytest.mark.parametrize("doc_id", sorted(DOCUMENTS))
def test_every_tag_is_inside_one_run(doc_id, template_dir):
    document = docx.Document(template_dir / DOCUMENTS[doc_id])
    for paragraph in _paragraphs(document):
        runs = [r.text for r in paragraph.runs]
        text = "".join(runs)
        bounds, pos = [], 0
        for run in runs:
            bounds.append((pos, pos + len(run)))
            pos += len(run)
        for match in TAG.finditer(text):
            assert any(a <= match.start() and match.end() <= b for a, b in bounds), (
                f"{DOCUMENTS[doc_id]}: tag {match.group()!r} is split across runs"
            )
        # no half tags left over outside a complete one
        rest = TAG.sub("", text)
        assert "{{" not in rest and "{%" not in rest and "%}" not in rest and "}}" not in rest


@pytest.mark.parametrize("doc_id", sorted(DOCUMENTS))
def test_template_uses_only_names_that_exist(doc_id, template_dir):
    ast = _template_names(template_dir / DOCUMENTS[doc_id])
    assert meta.find_undeclared_variables(ast) <= ALLOWED_NAMES

    for node in ast.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name):
            if node.node.name == "record":
                assert node.attr in RECORD_KEYS, f"record.{node.attr}"
            elif node.node.name in FORMS:
                assert node.attr in _fields(node.node.name), f"{node.node.name}.{node.attr}"

    loops = list(ast.find_all(nodes.For))
    assert loops, "every KIM template has at least one table loop"
    for loop in loops:
        it = loop.iter
        if isinstance(it, nodes.Or):  # "<form>.<table> or []"
            it = it.left
        if isinstance(it, nodes.Name) and it.name == "history":
            columns, where = HISTORY_KEYS, "history"
        else:
            assert isinstance(it, nodes.Getattr) and isinstance(it.node, nodes.Name)
            field = _fields(it.node.name)[it.attr]
            assert field["type"] == "table", f"{it.node.name}.{it.attr} is not a table"
            columns = {c["name"] for c in field["columns"]}
            where = f"{it.node.name}.{it.attr}"
        var = loop.target.name
        for body_node in loop.body:
            for node in body_node.find_all(nodes.Getattr):
                if isinstance(node.node, nodes.Name) and node.node.name == var:
                    assert node.attr in columns, f"{where}: column {node.attr}"


def _render(path: Path, context: dict, out: Path):
    tpl = DocxTemplate(path)
    tpl.render(_typed(context), jinja_env=_env())
    tpl.save(out)
    return docx.Document(out)


@pytest.mark.parametrize("doc_id", sorted(DOCUMENTS))
def test_render_with_sample_data(doc_id, template_dir, tmp_path):
    document = _render(template_dir / DOCUMENTS[doc_id], SAMPLE, tmp_path / "out.docx")
    text = _text(document)
    assert "{{" not in text and "{%" not in text
    assert "Landeshauptstadt Düsseldorf – Amt für Migration und Integration" in text
    # Autoescaping keeps & < > as text, not broken XML and not &amp;amp;
    assert "Amal & <Co>" in text
    assert "Case <Managerin> Müller" in text
    assert "&amp;" not in text and "&lt;" not in text
    assert "Fall 42" in text  # footer


def test_render_content(tmp_path, template_dir):
    """Spot checks that table loops and conditions produce what staff expect."""
    path = lambda name: template_dir / DOCUMENTS[name]  # noqa: E731

    text = _text(_render(path("einwilligung"), SAMPLE, tmp_path / "e.docx"))
    assert "Jobcenter & Co" in text and "Frau <X>" in text and "Ausbildung > Arbeit" in text
    assert "Sprach- und Kulturmittlung" in text

    text = _text(_render(path("zielvereinbarung"), SAMPLE, tmp_path / "z.docx"))
    assert "Ausbildung & <Aufenthalt>" in text and "Vertrag > 0" in text

    text = _text(_render(path("hilfeplan"), SAMPLE, tmp_path / "h.docx"))
    assert "IQ Netzwerk & Partner" in text and "Beratung <IQ>" in text

    document = _render(path("abschlussbericht"), SAMPLE, tmp_path / "a.docx")
    text = _text(document)
    assert "Amt <A> & Amt B" in text
    barrier_rows = [
        [c.text for c in row.cells]
        for t in document.tables
        for row in t.rows
        if row.cells[0].text in ("Unklare Zuständigkeit / Schnittstelle", "Sprache / Verständigung")
    ]
    assert barrier_rows == [
        ["Unklare Zuständigkeit / Schnittstelle", "Amt <A> & Amt B", "Ping > Pong", "Ja"],
        ["Sprache / Verständigung", "Schule", "Kein Dolmetscher", "Nein"],
    ]
    # German dates and labels instead of stored values
    assert "Abschlussdatum\n15.12.2026" in text
    assert "Abschlussgrund\nZiele erreicht" in text
    assert "Zielgruppe\n18–27 Jahre mit Duldung" in text
    assert "2026-12-15" not in text and "ziele_erreicht" not in text
    assert "Arbeitsbündnis & Start" in text  # history table
    assert "Dokumentierte Kontakte\n2" in text


def test_no_interpreter_sentence_without_interpreter(tmp_path, template_dir):
    context = {**SAMPLE, "intake": {**SAMPLE["intake"], "interpreter_needed": False}}
    document = _render(template_dir / DOCUMENTS["einwilligung"], context, tmp_path / "e.docx")
    assert "Sprach- und Kulturmittlung" not in _text(document)


def _empty_context() -> dict:
    """What a new case looks like to a template: no form saved yet."""
    return {
        "record": {**SAMPLE["record"]},
        **{fid: None for fid in FORM_IDS},
        "history": [],
        "now": "02.03.2026 09:00",
    }


@pytest.mark.parametrize("doc_id", sorted(DOCUMENTS))
def test_render_with_empty_forms(doc_id, template_dir, tmp_path):
    """One template serves every state: forms not saved yet must not break it."""
    path = template_dir / DOCUMENTS[doc_id]
    # forms missing altogether render too (undefined names are chainable and empty)
    _render(path, {"record": SAMPLE["record"]}, tmp_path / "undef.docx")
    document = _render(path, _empty_context(), tmp_path / "out.docx")
    text = _text(document)
    assert "{{" not in text and "{%" not in text
    assert "None" not in text


@pytest.mark.parametrize("path", sorted((ROOT / "exports").glob("*.docx")), ids=lambda p: p.name)
def test_every_kim_document_carries_the_city_layout(path):
    """Header with the city and the office, a page number in the footer, content in tables:
    what a letter of the Landeshauptstadt looks like, for every template in exports/."""
    document = docx.Document(str(path))
    for section in document.sections:
        header = " ".join(p.text for p in section.header.paragraphs)
        header += " ".join(c.text for t in section.header.tables for r in t.rows for c in r.cells)
        assert "Landeshauptstadt Düsseldorf" in header
        instructions = " ".join(section.footer._element.xpath(".//w:instrText/text()"))
        simple = section.footer._element.xpath(".//w:fldSimple/@w:instr")
        assert "PAGE" in instructions + " ".join(simple)
    assert document.tables, "no table"
