"""Language variants: the record's language picks ``einwilligung.ar.docx``, German is the
fallback, and ``verbund check`` refuses a variant whose placeholders differ."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import pikepdf
import pytest

from server.documents.checking import check_templates
from server.documents.variants import choose_template
from server.schema import load_definitions
from server.schema.definitions import DocumentDef
from tests.kim.flow import create, produce, text_of
from tests.kim.test_document_pdf import fonts_of
from tests.kim_site import copy_kim

ROOT = Path(__file__).resolve().parents[2]
CONSENT = DocumentDef(
    id="einwilligung",
    label="Einwilligung",
    template="einwilligung.docx",
    language="intake.interpreter_language",
)


def test_the_records_language_picks_the_variant_and_german_is_the_fallback():
    shipped = {"einwilligung.docx", "einwilligung.ar.docx"}.__contains__

    def language(code):
        return {"intake": {"interpreter_language": code}}

    assert choose_template(CONSENT, language("ar"), shipped) == "einwilligung.ar.docx"
    assert choose_template(CONSENT, language("ti"), shipped) == "einwilligung.docx"  # none yet
    assert choose_template(CONSENT, language("../x"), shipped) == "einwilligung.docx"
    assert choose_template(CONSENT, {}, shipped) == "einwilligung.docx"


def text_docx(path: Path, *paragraphs: str) -> None:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph().add_run(text)
    document.save(str(path))


def test_check_refuses_a_variant_whose_placeholders_differ(tmp_path):
    site = tmp_path / "kim"
    shutil.copytree(ROOT / "forms", site / "forms")
    shutil.copytree(ROOT / "workflows", site / "workflows")
    shutil.copytree(ROOT / "exports", site / "exports")
    roles = __import__("tomllib").loads((ROOT / "config.toml").read_text("utf-8"))["roles"]
    defs, _ = load_definitions(site / "forms", site / "workflows", roles, base_dir=site)

    shutil.copy(site / "exports" / "einwilligung.docx", site / "exports" / "einwilligung.uk.docx")
    text_docx(site / "exports" / "einwilligung.en.docx", "Name: {{ intake.nam }}")
    problems = [str(p) for p in check_templates(defs, site / "exports", site)]

    assert not any("einwilligung.uk.docx" in p for p in problems)  # same placeholders: fine
    wrong = [p for p in problems if "einwilligung.en.docx" in p]
    assert len(wrong) == 1, problems
    assert wrong[0].startswith("exports/einwilligung.en.docx:1: Sprachfassung „en“")
    assert "fehlt: " in wrong[0] and "{{ intake.name }}" in wrong[0]
    assert "zusätzlich: {{ intake.nam }}" in wrong[0]


@pytest.fixture
def config_dir(tmp_path) -> Path:  # the KIM configuration (tests/kim/conftest.py does the same)
    return copy_kim(tmp_path / "kim")


def test_the_consent_form_comes_in_the_clients_language(api, work_jobs):
    manager = api("cm1", ["case_manager"], "amt")
    intake = {
        "name": "Amal Beispiel",
        "access_channel": "welcome_point",
        "target_group": "neuzugewandert",
        "interpreter_needed": True,
        "agencies": [{"agency": "Jobcenter"}, {"agency": "Ausländerbehörde"}],
    }

    def consent_in(language: str) -> str:
        forms = {"intake": {**intake, "interpreter_language": language}}
        record = create(manager, "case_management", forms)
        return text_of(produce(manager, record["id"], "einwilligung", work_jobs))

    # the shipped translations (exports/einwilligung.ar.docx, .uk) with the record's data
    arabic = consent_in("ar")
    assert arabic.startswith("إقرار بالموافقة") and "Amal Beispiel" in arabic
    assert "Jobcenter" in arabic and "vereidigten Übersetzer" in arabic
    assert consent_in("uk").startswith("Заява про згоду")
    assert consent_in("fa").startswith("Einwilligungserklärung")  # no Farsi variant yet


def test_the_arabic_consent_form_comes_as_pdfa_too(api, work_jobs):
    manager = api("cm1", ["case_manager"], "amt")
    intake = {"name": "Amal Beispiel", "access_channel": "welcome_point"}
    intake.update(target_group="neuzugewandert", interpreter_needed=True)
    record = create(
        manager, "case_management", {"intake": {**intake, "interpreter_language": "ar"}}
    )
    answer = manager.post(f"/records/{record['id']}/documents", json={"document": "einwilligung"})
    assert answer.status_code == 202, answer.get_json()
    work_jobs()
    status = manager.get(f"/documents/{answer.get_json()['id']}").get_json()
    assert status["status"] == "finished", status
    pdf_answer = manager.get(f"/documents/{status['id']}/file.pdf")
    assert pdf_answer.status_code == 200
    with pikepdf.open(io.BytesIO(pdf_answer.data)) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"
        assert str(pdf.Root.Lang) == "ar-SA"
        fonts = fonts_of(pdf)
    assert fonts and all(embedded for _name, embedded in fonts), fonts
