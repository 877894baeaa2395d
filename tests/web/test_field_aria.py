"""Fields are right for screen readers without JavaScript (WCAG 1.3.1, 3.3.1, 3.3.2, 4.1.2).

The record page is fetched with the Flask client (no script runs) and parsed: required inputs
carry HTML ``required``, a wrong one ``aria-invalid`` and ``aria-describedby`` naming its
messages and help text, groups are fieldsets described by theirs, and every link of the error
summary leads to an input that exists. The fixture office's form gets a help text and a
required checkbox group for this.
"""

from __future__ import annotations

import lxml.html
import pytest

from tests.helpers import csrf_token, login
from tests.web.test_screens import new_record


@pytest.fixture
def config_dir(config_dir):
    form = config_dir / "forms" / "antrag.toml"
    text = form.read_text(encoding="utf-8")
    text = text.replace(
        'label = "Name des Vereins"\n',
        'label = "Name des Vereins"\nhelp = "Wie im Vereinsregister eingetragen"\n',
    )
    text = text.replace(
        'name = "sparten"\ntype = "multiselect"\n',
        'name = "sparten"\ntype = "multiselect"\nrequired = true\nhelp = "Mindestens eine"\n',
    )
    form.write_text(text, encoding="utf-8")
    return config_dir


def inputs(page, name: str):
    return page.xpath(f'//*[@id="{name}"]')


def described(page, element) -> list[str]:
    """The texts the ids in ``aria-describedby`` point at (each must exist once)."""
    texts = []
    for ref in (element.get("aria-describedby") or "").split():
        found = page.xpath(f'//*[@id="{ref}"]')
        assert len(found) == 1, f"aria-describedby names {ref!r}, found {len(found)}"
        texts.append(found[0].text_content().strip())
    return texts


def test_a_fresh_form_says_what_is_required_and_what_helps(client, make_user):
    make_user("aria1", ["applicant"], "ra1")
    login(client, "aria1")
    url = new_record(client)
    page = lxml.html.fromstring(client.get(url).get_data(as_text=True))
    form = page.xpath('//form[@data-form="antrag"]')[0]
    assert form.get("novalidate") is not None  # required never blocks a save (see record.html)

    verein = inputs(page, "antrag-verein")[0]
    assert verein.get("required") is not None
    assert verein.get("aria-invalid") is None
    assert described(page, verein) == ["Wie im Vereinsregister eingetragen"]
    assert inputs(page, "antrag-mitglieder")[0].get("required") is None
    for name in ("antrag-zweck", "antrag-beginn", "antrag-betrag"):
        assert inputs(page, name)[0].get("required") is not None, name
    # hidden by show_if and required: marked, but the form is sent unchecked by the browser
    nachweis = inputs(page, "antrag-nachweis")[0]
    assert nachweis.get("required") is not None
    assert nachweis.xpath("ancestor::div[@data-field='nachweis']")[0].get("hidden") is not None

    # a group: no box is required on its own; the legend says it, the help describes it
    sparten = page.xpath("//fieldset[@data-field='sparten']")[0]
    assert "(Pflichtfeld)" in sparten.xpath("legend")[0].text_content()
    assert described(page, sparten) == ["Mindestens eine"]
    assert all(box.get("required") is None for box in sparten.xpath(".//input"))
    # the blank row offered for a new entry is not required (left blank it is no row)
    assert inputs(page, "antrag-posten-0-posten")[0].get("required") is None
    # the star is for the eye only, and explained once
    assert page.xpath("//label[@for='antrag-verein']/span[@aria-hidden='true']")
    note = page.xpath("//p[contains(@class,'verbund-required-note')]")[0]
    assert note.text_content() == "Felder mit * sind Pflichtfelder."


def test_a_refused_save_ties_each_message_to_its_input(client, make_user):
    make_user("aria2", ["applicant"], "ra2")
    login(client, "aria2")
    url = new_record(client)
    html = client.get(url).get_data(as_text=True)
    response = client.post(
        url + "/forms/antrag",
        data={
            "csrf_token": csrf_token(html),
            "version": "1",
            "antrag-verein": "",
            "antrag-email": "keine-adresse",
            "antrag-beginn": "2027-04-01",
            "antrag-zweck": "Boot",
            "antrag-betrag": "100",
            "antrag-posten-0-posten": "Boot",
            "antrag-posten-0-betrag": "",
        },
    )
    assert response.status_code == 422
    page = lxml.html.fromstring(response.get_data(as_text=True))
    assert page.xpath("//title")[0].text.startswith("Fehler:")

    verein = inputs(page, "antrag-verein")[0]
    assert verein.get("aria-invalid") == "true" and verein.get("required") is not None
    texts = described(page, verein)
    assert len(texts) == 2 and "Pflichtfeld" in texts[0], texts
    assert texts[1] == "Wie im Vereinsregister eingetragen"
    email = inputs(page, "antrag-email")[0]
    assert email.get("aria-invalid") == "true"
    assert any("E-Mail" in t for t in described(page, email))
    assert inputs(page, "antrag-zweck")[0].get("aria-invalid") is None

    # a group: each box is marked wrong, the fieldset is described by message and help
    sparten = page.xpath("//fieldset[@data-field='sparten']")[0]
    assert all(b.get("aria-invalid") == "true" for b in sparten.xpath(".//input"))
    assert len(described(page, sparten)) == 2
    # a cell: its own message; the cells of a filled row are required
    cell = inputs(page, "antrag-posten-0-betrag")[0]
    assert cell.get("aria-invalid") == "true" and cell.get("required") is not None
    assert any("Betrag" in t for t in described(page, cell))

    # every link of the summary leads to an input that exists (a group: its first box)
    summary = page.xpath("//div[contains(@class,'verbund-error-summary')]")[0]
    links = [a.get("href").removeprefix("#") for a in summary.xpath(".//a")]
    assert "antrag-verein" in links and "antrag-sparten-1" in links
    assert "antrag-posten-0-betrag" in links
    for target in links:
        found = inputs(page, target)
        assert len(found) == 1 and found[0].tag in ("input", "select", "textarea"), target
