"""Three journeys through the KIM configuration in a real browser, as people make them.

1. A case manager opens a case, fills the intake (a field that appears only when needed),
   is stopped by the admission guard, fixes it, moves on, jumps back, and downloads the
   consent form – which python-docx opens and reads.
2. The committee secretary records a meeting with five agenda items and downloads the minutes.
3. An administrator adds a field to the intake form in the browser; a case manager sees it
   at once and can fill it in.

Everything is real: ``verbund serve`` with its worker and Redis, the demo data of
``verbund init --demo``, Chromium. Screenshots: tests/browser/screenshots/.
"""

from __future__ import annotations

import io
import re

import docx
from playwright.sync_api import expect

from tests.browser_support import log_in, needs_chromium

pytestmark = needs_chromium


def paragraphs(content: bytes) -> str:
    """All text of a .docx: body, tables, header and footer."""
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def table_rows(content: bytes) -> list[list[str]]:
    document = docx.Document(io.BytesIO(content))
    return [[c.text for c in row.cells] for t in document.tables for row in t.rows]


def download(page, label: str) -> bytes:
    """Ask for the document ``label`` on a record page, wait for it, download it."""
    page.get_by_role("button", name=f"{label} erstellen").click()
    expect(page.get_by_text("Das Dokument wird erstellt.")).to_be_visible()
    item = page.locator(".verbund-document", has_text=label).first
    link = item.locator("a.verbund-download")
    expect(link).to_be_visible(timeout=30_000)  # the worker renders, the page polls
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    assert info.value.suggested_filename.endswith(".docx")
    with open(path, "rb") as fh:
        return fh.read()


def field(page, form: str, name: str):
    return page.locator(f'#form-{form} .verbund-field[data-field="{name}"]')


def step(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()


def onwards(page, step_title: str) -> None:
    """ "Speichern und weiter" on a step of the stepped intake."""
    page.get_by_role("button", name="Speichern und weiter").click()
    expect(page.get_by_text(f"Schritt „{step_title}“ wurde gespeichert.")).to_be_visible()
    # the next step's page must have finished loading (styles, fonts): on a busy machine a
    # click into it while the layout still shifts can land beside the checkbox it aimed at
    page.wait_for_load_state("load")


def save(page, form: str, title: str) -> None:
    page.locator(f"#form-{form} button[type=submit]").click()
    expect(page.get_by_text(f"„{title}“ wurde gespeichert.")).to_be_visible()


def test_case_manager_takes_a_case_from_intake_to_the_consent_form(kim_site, new_page, shots):
    page = new_page()
    log_in(page, kim_site, "cm.amt")
    expect(page.get_by_role("heading", name="Meine Fälle")).to_be_visible()
    shots(page, "startseite")

    page.get_by_role("link", name="KIM-Case-Management").first.click()
    page.get_by_role("link", name="Neu: Fall").click()
    page.get_by_role("button", name="Fall anlegen").click()  # "Neu" asks first
    expect(page.locator("#record-state")).to_have_text("Klärungsphase (Intake)")

    # the intake is filled step by step (forms/intake.toml [[steps]])
    page.fill("#intake-name", "L. Beispiel")
    page.fill("#intake-birth_year", "1999")
    page.select_option("#intake-residence_status", label="Duldung")
    onwards(page, "Person")
    page.get_by_label("Arabisch", exact=True).check()
    page.get_by_label("Deutsch", exact=True).check()
    # a field that appears only when needed: the language of the interpreter
    interpreter = field(page, "intake", "interpreter_language")
    expect(interpreter).to_be_hidden()
    page.get_by_label("Sprach- und Kulturmittlung nötig").check()
    expect(interpreter).to_be_visible()
    page.select_option("#intake-interpreter_language", label="Arabisch")
    onwards(page, "Sprache")
    page.get_by_label("Einwilligung liegt vor").check()
    page.fill("#intake-consent_date", "2026-03-02")
    onwards(page, "Einwilligung")
    referral = field(page, "intake", "referred_by")
    expect(referral).to_be_hidden()
    page.select_option("#intake-access_channel", label="Verweisung durch eine andere Stelle")
    expect(referral).to_be_visible()
    page.fill("#intake-referred_by", "Jobcenter Düsseldorf-Mitte")
    page.select_option("#intake-district", value="sb03")
    page.select_option("#intake-target_group", label="18–27 Jahre mit Duldung")
    onwards(page, "Zugang und Zielgruppe")
    page.fill('[name="intake-agencies-0-agency"]', "Jobcenter Düsseldorf")
    page.fill('[name="intake-agencies-0-topic"]', "Ausbildung & Leistungen")
    shots(page, "intake-ausgefuellt")
    onwards(page, "Beteiligte Stellen")

    # the signed consent is recorded in its own section
    consents = page.locator("#einwilligungen")
    consents.locator('input[name="given_at"]').fill("2026-03-02")
    consents.get_by_role("button", name="Einwilligung erfassen").click()
    expect(consents).to_contain_text("erteilt am")

    # admission guard: one agency is not enough (Handlungskonzept 3.4)
    step(page, "Arbeitsbündnis steht – Assessment beginnen")
    expect(page.get_by_text("mindestens zwei beteiligte Stellen")).to_be_visible()
    expect(page.locator("#record-state")).to_have_text("Klärungsphase (Intake)")
    shots(page, "aufnahmebedingung")

    page.locator("#form-intake nav").get_by_role("link", name="Beteiligte Stellen").click()
    page.fill('[name="intake-agencies-1-agency"]', "Ausländerbehörde")
    page.fill('[name="intake-agencies-1-topic"]', "Ausbildungsduldung")
    onwards(page, "Beteiligte Stellen")
    step(page, "Arbeitsbündnis steht – Assessment beginnen")
    expect(page.locator("#record-state")).to_have_text("Assessment")
    shots(page, "assessment")

    page.select_option('[name="assessment-life_areas-0-area"]', label="Aufenthalt")
    page.fill('[name="assessment-life_areas-0-problems"]', "Duldung läuft bald ab")
    page.fill('[name="assessment-life_areas-0-resources"]', "Ausbildungsplatz in Aussicht")
    save(page, "assessment", "Assessment")
    step(page, "Ziele vereinbaren")
    expect(page.locator("#record-state")).to_have_text("Zielvereinbarung")

    # and back: "zwischen den einzelnen Phasen zu springen"
    step(page, "Zurück zur Klärungsphase")
    expect(page.locator("#record-state")).to_have_text("Klärungsphase (Intake)")
    expect(page.locator("#intake-name")).to_have_value("L. Beispiel")
    shots(page, "zurueck-in-der-klaerung")

    content = download(page, "Einwilligungserklärung")
    shots(page, "einwilligung-erstellt")
    text = paragraphs(content)
    # an interpreter for Arabic: the consent form comes in Arabic (exports/einwilligung.ar.docx)
    assert "إقرار بالموافقة" in text
    assert "Landeshauptstadt Düsseldorf – Amt für Migration und Integration" in text
    assert "L. Beispiel" in text and "1999" in text
    assert "Clara Amt" in text  # the case manager
    assert ["Jobcenter Düsseldorf", "", "Ausbildung & Leistungen"] in table_rows(content)
    assert ["Ausländerbehörde", "", "Ausbildungsduldung"] in table_rows(content)
    assert "(اللغة: Arabisch)" in text  # the label, not the stored "ar"
    assert "دوسلدورف، في 02.03.2026" in text
    assert re.search(r"الحالة \d+ · صفحة", text)
    # the consent form is archived as PDF/A too, offered beside the Word file
    pdf_link = page.locator(".verbund-document", has_text="Einwilligungserklärung").first.locator(
        "a.verbund-download-pdf"
    )
    expect(pdf_link).to_have_text("als PDF/A")
    with page.expect_download() as info:
        pdf_link.click()
    assert info.value.suggested_filename.endswith(".pdf")
    with open(info.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert page.errors == []


AGENDA = [
    ("1", "Genehmigung des Protokolls", "Das Protokoll wird genehmigt.", "", False),
    ("2", "Bericht der KIM-Koordination", "Der Bericht wird zur Kenntnis genommen.", "", False),
    ("3", "Sprachmittlung bei Behördenterminen", "Der Pool wird erweitert.",
     "Haushaltsmittel beantragen", True),
    ("4", "Kooperation mit dem Jobcenter", "Vereinbarung wird verlängert.",
     "Auswertungsgespräch planen", False),
    ("5", "Verschiedenes", "", "", False),
]  # fmt: skip


def test_secretary_records_a_meeting_with_five_items_and_downloads_the_minutes(
    kim_site, new_page, shots
):
    page = new_page()
    log_in(page, kim_site, "sekretariat")
    expect(page.get_by_role("heading", name="Anstehende Sitzungen")).to_be_visible()
    shots(page, "startseite")

    page.get_by_role("link", name="Gremiensitzungen").first.click()
    page.get_by_role("link", name="Neu: Sitzung").click()
    page.get_by_role("button", name="Sitzung anlegen").click()
    page.select_option("#meeting-committee", value="lenkungskreis")
    page.fill("#meeting-title", "3. Sitzung 2026")
    page.fill("#meeting-date", "2026-09-14")
    page.fill("#meeting-start_time", "14:00")
    page.fill("#meeting-end_time", "16:30")
    page.fill("#meeting-place", "Rathaus, Plenarsaal")
    page.fill("#meeting-chair", "Dezernentin für Integration")
    page.fill("#meeting-minute_taker", "Sina Sekretariat")
    for n, (name, institution, presence) in enumerate(
        [
            ("Dezernentin für Integration", "Stadt Düsseldorf", "anwesend"),
            ("Jobcenter Düsseldorf", "Jobcenter", "anwesend"),
            ("Handwerkskammer", "HWK", "entschuldigt"),
        ]
    ):
        if n:
            page.locator('.verbund-add-row[data-table="meeting-attendance"]').click()
        page.fill(f'[name="meeting-attendance-{n}-name"]', name)
        page.fill(f'[name="meeting-attendance-{n}-institution"]', institution)
        page.select_option(f'[name="meeting-attendance-{n}-presence"]', value=presence)
    for n, (no, topic, decision, measure, money) in enumerate(AGENDA):
        if n:
            page.locator('.verbund-add-row[data-table="meeting-agenda"]').click()
        page.fill(f'[name="meeting-agenda-{n}-no"]', no)
        page.fill(f'[name="meeting-agenda-{n}-topic"]', topic)
        page.fill(f'[name="meeting-agenda-{n}-decision"]', decision)
        if measure:
            page.fill(f'[name="meeting-agenda-{n}-measure"]', measure)
            page.fill(f'[name="meeting-agenda-{n}-owner"]', "KIM-Koordination")
            page.fill(f'[name="meeting-agenda-{n}-due"]', "2026-12-31")
            page.fill(f'[name="meeting-agenda-{n}-indicator"]', "Antrag liegt vor")
        if money:
            page.locator(f'[name="meeting-agenda-{n}-financial_impact"]').check()
            page.locator(f'[name="meeting-agenda-{n}-escalation"]').check()
    shots(page, "sitzung-ausgefuellt")
    save(page, "meeting", "Sitzung")
    expect(page.locator('table[data-name="meeting-agenda"] tr.verbund-row')).to_have_count(6)

    step(page, "Sitzung hat stattgefunden")
    expect(page.locator("#record-state")).to_have_text("Protokoll in Arbeit")
    content = download(page, "Protokoll")
    shots(page, "protokoll-erstellt")

    text = paragraphs(content)
    for no, topic, decision, _measure, _money in AGENDA:
        assert f"TOP {no}: {topic}" in text
        assert decision in text
    assert "14. September 2026" in text or "14.09.2026" in text
    assert "Der Beschluss hat finanzielle Auswirkungen." in text
    assert "politischen Gremien" in text
    presence = {row[0]: row[3] for row in table_rows(content) if len(row) == 5}
    assert presence["Handwerkskammer"] == "entschuldigt"
    measures = [row for row in table_rows(content) if "Haushaltsmittel beantragen" in row]
    assert measures and measures[0][2:4] == ["KIM-Koordination", "31.12.2026"]

    # the measures appear in the decision register at once
    page.get_by_role("link", name="Beschluss- und Maßnahmenregister").first.click()
    expect(page.get_by_text("Auswertungsgespräch planen")).to_be_visible()
    shots(page, "register")
    assert page.errors == []


NEW_FIELD = """
[[fields]]
name = "reachability"
type = "text"
label = "Erreichbarkeit (beste Zeit für Anrufe)"
max_length = 200
"""


def test_admin_adds_a_field_and_a_case_manager_sees_it_at_once(kim_site, new_page, shots):
    case_manager = new_page()
    log_in(case_manager, kim_site, "cm.awo")
    case_manager.goto(kim_site + "/records/case_management/?state=intake")
    case_manager.locator("table tbody a").first.click()
    expect(case_manager.locator("#record-state")).to_have_text("Klärungsphase (Intake)")
    # a field added at the end joins the last section, "Aufnahmeentscheidung": the last step
    case_url = case_manager.url.split("#")[0].split("?")[0] + "?form=intake&step=6"
    case_manager.goto(case_url)
    expect(case_manager.get_by_text("Erreichbarkeit (beste Zeit für Anrufe)")).to_have_count(0)

    admin = new_page()
    log_in(admin, kim_site, "verwaltung")
    admin.goto(kim_site + "/admin/config/")
    admin.get_by_role("link", name="intake", exact=True).first.click()
    editor = admin.locator("#toml")
    editor.fill(editor.input_value().rstrip("\n") + "\n" + NEW_FIELD)
    admin.fill("#message", "Feld Erreichbarkeit ergänzt")
    shots(admin, "editor")
    admin.get_by_role("button", name="Veröffentlichen").click()
    expect(admin.locator(".alert-success")).to_contain_text("veröffentlicht")
    shots(admin, "veroeffentlicht")

    # "at once": the case manager's next page shows it (processes look every second)
    label = case_manager.get_by_text("Erreichbarkeit (beste Zeit für Anrufe)")
    for _ in range(20):
        case_manager.goto(case_url)
        if label.count():
            break
        case_manager.wait_for_timeout(250)
    expect(label).to_be_visible()
    case_manager.fill("#intake-reachability", "vormittags")
    onwards(case_manager, "Aufnahmeentscheidung")
    expect(case_manager.locator("#form-intake")).to_contain_text("vormittags")  # the summary
    shots(case_manager, "neues-feld")
    assert case_manager.errors == [] and admin.errors == []
