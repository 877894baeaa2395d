"""Language variants: the record's language picks ``einwilligung.ar.docx``, German is the
fallback, and ``verbund check`` refuses a variant whose placeholders differ."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest

from server.documents.checking import check_templates
from server.documents.variants import choose_template
from server.schema import load_definitions
from server.schema.definitions import DocumentDef
from tests.helpers import install_template
from tests.kim.flow import create, produce, text_of
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
    arabic = docx.Document(str(ROOT / "exports" / "einwilligung.docx"))
    arabic.paragraphs[0].runs[0].text = "إقرار الموافقة"  # the title, translated
    install_template("einwilligung.ar.docx", arabic)
    intake = {
        "name": "Amal Beispiel",
        "access_channel": "welcome_point",
        "target_group": "neuzugewandert",
        "interpreter_needed": True,
        "agencies": [{"agency": "Jobcenter"}, {"agency": "Ausländerbehörde"}],
    }
    arab = create(manager, "case_management", {"intake": {**intake, "interpreter_language": "ar"}})
    farsi = create(manager, "case_management", {"intake": {**intake, "interpreter_language": "fa"}})

    assert text_of(produce(manager, arab["id"], "einwilligung", work_jobs)).startswith(
        "إقرار الموافقة"
    )
    assert "Einwilligungserklärung" in text_of(
        produce(manager, farsi["id"], "einwilligung", work_jobs)
    )  # no Farsi variant yet: German
