"""The KIM Lenkungskreis report as Word with the decision and measure register of the period
and the progress of each measure's indicator (issue 17): through the real job."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from tests.helpers import csrf_token, login
from tests.kim.test_register import screen
from tests.kim.test_register_indicators import (  # noqa: F401 - the fixture
    MEETING_DAY,
    TODAY,
    approved,  # noqa: F811 - the imported fixture
    post_value,
)


def test_word_report_has_the_register_with_indicator_progress(
    app,
    client,
    make_user,
    approved,  # noqa: F811 - the imported fixture
    work_jobs,
):
    import docx

    make_user("geschaeftsfuehrung", ["secretary"], "amt")
    login(client, "geschaeftsfuehrung")
    page = screen(client)
    rid = approved["id"]
    post_value(client, page, rid, 0, (TODAY - dt.timedelta(days=50)).isoformat(), "20")
    post_value(client, page, rid, 0, TODAY.isoformat(), "24,5")
    make_user("koordinatorin", ["coordination"], "amt")
    browser = app.test_client()
    login(browser, "koordinatorin")
    query = f"?zeitraum=frei&von={(MEETING_DAY - dt.timedelta(days=1)).isoformat()}&bis={TODAY}"
    html = browser.get("/statistik/berichte/lenkungskreis-faelle" + query).get_data(as_text=True)
    answer = browser.post(
        "/statistik/berichte/lenkungskreis-faelle/datei" + query,
        data={"csrf_token": csrf_token(html), "format": "docx"},
    )
    assert answer.status_code == 302
    work_jobs()
    data = browser.get(answer.location + "/herunterladen").data
    document = docx.Document(io.BytesIO(data))
    register = next(t for t in document.tables if t.rows[0].cells[0].text == "Datum")
    lines = [" | ".join(c.text for c in row.cells) for row in register.rows]
    first = next(line for line in lines if "Pool ausbauen" in line)
    assert "50\u00a0%" in first and "24,5\u00a0%" in first and "nicht im Plan" in first
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(lines)
    assert "Indikatoren der Maßnahmen" in text
    # who carries a measure and who took the minutes are persons: not in the report
    for person in ("Amt 56", "Amt 50", "S. Sekretariat"):
        assert person not in text
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        pictures = [n for n in z.namelist() if n.startswith("word/media/")]
    assert "zuletzt 24,5\u00a0% am" in xml  # the indicator chart's text alternative
    assert all(z_name for z_name in pictures) and len(pictures) >= 2
    # LibreOffice reads it: every word on its page (the register on landscape pages)
    import pdfplumber

    from server.documents.pdf_export import convert_to_pdfa
    from server.runtime import current_runtime

    settings = current_runtime(app).settings
    pdf = convert_to_pdfa(settings.instance_dir, data, "bericht.docx", 120, 50 * 1024 * 1024)
    with pdfplumber.open(io.BytesIO(pdf)) as document_pdf:
        text = "\n".join(page.extract_text() or "" for page in document_pdf.pages)
        for page in document_pdf.pages:
            for word in page.extract_words():
                assert 0 <= word["x0"] and word["x1"] <= page.width, word["text"]
        widths = {round(page.width) for page in document_pdf.pages}
    assert "Lenkungskreis: Case Management" in text and "Pool ausbauen" in text
    assert len(widths) == 2  # portrait and the landscape register
