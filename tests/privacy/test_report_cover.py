"""The report's Word file on the office's letterhead (``[[reports]] template``, issue 17):
header and cover from an administered template, the report after it, through the real job;
a template naming data a report does not give is refused at upload; a missing one fails the
file with a German reason."""

from __future__ import annotations

import io

import pytest

from server.models import ReportDocument
from tests.helpers import csrf_token, install_template, login
from tests.privacy.test_report_files import _docx_text, _request
from tests.privacy.test_report_time import REPORT

LETTERHEAD = "Landeshauptstadt Düsseldorf · Amt für Migration und Integration"


@pytest.fixture
def config_dir(config_dir):
    text = REPORT.replace(
        'roles = ["koordination"]\n', 'roles = ["koordination"]\ntemplate = "briefkopf.docx"\n'
    )
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(text)
    return config_dir


def _letterhead(cover_lines: list[str]):
    """A letterhead as an office makes it in Word: a header, a cover page – and, like a file
    Word saved, no heading or table styles the report could use."""
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    styles = document.styles.element
    for style in list(styles):
        name = style.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}name")
        if name is not None and name.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val"
        ).lower().startswith(("heading", "table grid", "list bullet")):
            styles.remove(style)
    document.sections[0].header.paragraphs[0].text = LETTERHEAD
    for line in cover_lines:
        document.add_paragraph(line)
    document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    return document


def test_the_word_report_on_the_letterhead_with_its_cover(app, office, work_jobs):
    import docx

    with app.app_context():
        install_template(
            "briefkopf.docx",
            _letterhead(["Bericht an den Lenkungskreis", "{{ title }}", "{{ period }}"]),
        )
    _browser, _url, data = _request(app, work_jobs, "docx")
    document = docx.Document(io.BytesIO(data))
    assert document.sections[0].header.paragraphs[0].text == LETTERHEAD
    texts = [p.text for p in document.paragraphs]
    # the cover first, filled in; then the report, with its own headings and tables
    assert texts[:3] == [
        "Bericht an den Lenkungskreis",
        "Quartalsbericht Beratung",
        "1. Quartal 2026",
    ]
    heading = next(
        p
        for p in document.paragraphs
        if p.text == "Quartalsbericht Beratung" and p.style.name == "Heading 1"
    )
    assert heading is not None
    assert "Neue Fälle nach Phase | Datensätze" in _docx_text(document)
    assert all(t.style.name == "Table Grid" for t in document.tables)


def test_a_letterhead_naming_data_a_report_has_not_is_refused_at_upload(app, office, client):
    import docx  # noqa: F401 - the letterhead is made with it

    from server.services.accounts.people import create_user, get_or_create_organisation
    from tests.helpers import PASSWORD

    with app.app_context():
        create_user("verwaltung", PASSWORD, ["admin"], get_or_create_organisation("stadt"))
    login(client, "verwaltung")
    page = client.get("/admin/templates/").get_data(as_text=True)
    assert "briefkopf.docx" in page and "Bericht „Quartalsbericht Beratung“ (Word)" in page
    out = io.BytesIO()
    _letterhead(["{{ title }} für {{ name }}"]).save(out)
    answer = client.post(
        "/admin/templates/upload",
        data={
            "csrf_token": csrf_token(page),
            "name": "briefkopf.docx",
            "file": (io.BytesIO(out.getvalue()), "briefkopf.docx"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code in (200, 422)
    assert "„name“ gibt es in einer Berichtsvorlage nicht" in text, text[-2000:]
    assert "(verfügbar: title, period, description, workflow, now)" in text


def test_a_missing_letterhead_fails_the_file_with_a_german_reason(app, office, work_jobs):
    browser = app.test_client()
    login(browser, "koordination")
    query = "?zeitraum=quartal&quartal=2026-Q1"
    html = browser.get("/statistik/berichte/quartal" + query).get_data(as_text=True)
    answer = browser.post(
        "/statistik/berichte/quartal/datei" + query,
        data={"csrf_token": csrf_token(html), "format": "docx"},
    )
    work_jobs()
    status = browser.get(answer.location).get_data(as_text=True)
    row = ReportDocument.get()
    assert row.status == "failed" and row.attempts == 1
    assert "Die Berichtsvorlage ist nicht verwendbar" in row.error
    assert "briefkopf.docx" in row.error and "Traceback" not in status
    assert "Die Berichtsvorlage ist nicht verwendbar" in status


def test_the_template_key_takes_a_template_name_only():
    from server.report_settings import report_problems

    entry = {
        "id": "q",
        "title": "Q",
        "workflow": "beratung",
        "measures": [{"kind": "count", "title": "A", "rows": "state"}],
    }
    assert report_problems([{**entry, "template": "briefkopf.docx"}]) == []
    assert report_problems([{**entry, "template": "../briefkopf.pdf"}]) == [
        (("reports", 0, "template"), "„template“: ein Vorlagenname auf .docx, z. B. bericht.docx")
    ]
