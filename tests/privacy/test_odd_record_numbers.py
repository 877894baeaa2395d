"""Record numbers typed into the data-protection screens: beyond 64 bits is "not found"."""

from __future__ import annotations

import pytest

from tests.helpers import csrf_token, login

HUGE = "9" * 40


@pytest.mark.parametrize(
    "path,data",
    [
        ("/datenschutz/aufbewahrung/sperre", {"record": HUGE, "reason": "Verfahren"}),
        ("/datenschutz/aufbewahrung/anonymisieren", {"record": HUGE, "confirm": HUGE}),
        ("/datenschutz/auskunft/export", {"record": HUGE}),
    ],
)
def test_a_huge_record_number_gets_a_message_not_a_500(app, office, path, data):
    browser = app.test_client()
    login(browser, "dpo")
    token = csrf_token(browser.get("/datenschutz/aufbewahrung/").get_data(as_text=True))
    response = browser.post(path, data={**data, "csrf_token": token})
    assert response.status_code == 302
    page = browser.get(response.location).get_data(as_text=True)
    assert "nicht gefunden" in page or "mindestens einen Datensatz" in page
