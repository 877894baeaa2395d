"""The staff screens through the Flask client, with CSRF on, as a browser meets them."""

from __future__ import annotations

import io
import re

import docx

from server.models import Record
from tests.helpers import PASSWORD, csrf_token, login

ANTRAG_FORM = {
    "antrag-verein": "Ruderclub <Rhein> & Co",
    "antrag-email": "rc@rhein.example",
    "antrag-beginn": "2027-04-01",
    "antrag-zweck": "Boot",
    "antrag-betrag": "2.500,75",
    "antrag-sparten": ["schwimmen", "turnen"],
    "antrag-posten-0-posten": "Boot",
    "antrag-posten-0-betrag": "2500,75",
    "antrag-posten-1-posten": "",
    "antrag-posten-1-betrag": "",
}


def page_token(client, url):
    return csrf_token(client.get(url).get_data(as_text=True))


def new_record(client) -> str:
    token = page_token(client, "/records/foerderung/")
    response = client.post("/records/foerderung/new", data={"csrf_token": token})
    assert response.status_code == 302
    return response.headers["Location"]


def test_anonymous_visitors_are_sent_to_the_login(client):
    for path in ("/", "/records/foerderung/", "/records/foerderung/1", "/documents/1/file"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


def test_login_logout_in_german_and_a_replayed_cookie_is_refused(client, make_user):
    make_user("sb1", ["clerk"])
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Anmeldung" in page and "Passwort" in page
    wrong = login(client, "sb1", "falsch-falsch-falsch")
    assert "Benutzername oder Passwort ist falsch." in wrong.get_data(as_text=True)
    assert login(client, "sb1").status_code == 302
    home = client.get("/")
    assert home.status_code == 200 and "Vereinsförderung" in home.get_data(as_text=True)
    assert home.headers["Cache-Control"] == "no-store"
    cookie = client.get_cookie("session").value
    client.post("/auth/logout", data={"csrf_token": page_token(client, "/")})
    assert client.get("/").status_code == 302
    client.set_cookie("session", cookie)  # the old cookie, replayed
    assert client.get("/").status_code == 302


def test_post_without_csrf_token_is_refused_with_a_german_page(client, make_user):
    make_user("sb2", ["clerk"])
    login(client, "sb2")
    response = client.post("/records/foerderung/new", data={})
    assert response.status_code == 400
    assert "Formular ist abgelaufen" in response.get_data(as_text=True)


def test_create_fill_in_move_on_and_download_a_document(client, make_user, work_jobs):
    make_user("verein1", ["applicant"], "rc")
    login(client, "verein1")
    url = new_record(client)
    page = client.get(url).get_data(as_text=True)
    assert "Förderantrag" in page and "Antragsteller" in page  # form and its section heading
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    token = csrf_token(page)
    saved = client.post(
        url + "/forms/antrag", data={**ANTRAG_FORM, "version": version, "csrf_token": token}
    )
    assert saved.status_code == 302, re.findall(
        r'invalid-feedback d-block">([^<]+)', saved.get_data(as_text=True)
    )
    page = client.get(url).get_data(as_text=True)
    assert "Ruderclub &lt;Rhein&gt; &amp; Co" in page
    # the history entry, behind the link of the "Verlauf" card (read on demand, issue 21)
    history = re.search(r'class="verbund-history-load" href="([^"#]+)', page).group(1)
    assert "„Förderantrag“ gespeichert" in client.get(history).get_data(as_text=True)
    assert 'value="2500,75"' in page  # German decimal shown back in the input

    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    moved = client.post(
        url + "/transition",
        data={"to": "eingereicht", "version": version, "csrf_token": csrf_token(page)},
    )
    assert moved.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Eingereicht" in page and "Der Zustand wurde geändert." in page

    client.post(url + "/documents", data={"document": "eingang", "csrf_token": csrf_token(page)})
    work_jobs()
    page = client.get(url).get_data(as_text=True)
    link = re.search(r'href="(/documents/\d+/file)"', page).group(1)
    status = client.get(link.removesuffix("/file")).json
    assert status["status"] == "finished"
    download = client.get(link)
    assert download.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(download.data)).paragraphs)
    assert "Verein: Ruderclub <Rhein> & Co" in text


def test_invalid_input_keeps_what_was_typed_and_names_the_field(client, make_user):
    make_user("verein2", ["applicant"], "rc2")
    login(client, "verein2")
    url = new_record(client)
    page = client.get(url).get_data(as_text=True)
    data = dict(
        ANTRAG_FORM,
        **{"antrag-email": "falsch", "antrag-betrag": "viel Geld", "antrag-verein": "Mein Verein"},
    )
    response = client.post(
        url + "/forms/antrag", data={**data, "version": "1", "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "„E-Mail für Rückfragen“: Bitte eine gültige E-Mail-Adresse eingeben." in html
    assert "„Beantragter Betrag (Euro)“: Bitte eine Zahl eingeben" in html
    assert 'value="Mein Verein"' in html and 'value="viel Geld"' in html


def test_stale_save_says_who_changed_it_and_keeps_input(client, app, make_user):
    make_user("verein3", ["applicant"], "rc3")
    make_user("sb3", ["clerk"])
    login(client, "verein3")
    url = new_record(client)
    page = client.get(url).get_data(as_text=True)
    other = app.test_client()
    login(other, "sb3")
    other_page = other.get(url).get_data(as_text=True)
    other.post(
        url + "/forms/antrag",
        data={**ANTRAG_FORM, "version": "1", "csrf_token": csrf_token(other_page)},
    )
    mine = dict(ANTRAG_FORM, **{"antrag-verein": "Meine Fassung"})
    response = client.post(
        url + "/forms/antrag", data={**mine, "version": "1", "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert (
        "Der Datensatz wurde inzwischen von sb3 geändert (jetzt Version 2). Ihre Eingaben sind "
        "unten erhalten; bitte prüfen und erneut speichern."
    ) in html
    assert 'value="Meine Fassung"' in html
    assert 'name="version" value="2"' in html  # saving again is possible

    # a stale tab with a mistake in it: first the news that the record changed, input kept
    bad = dict(mine, **{"antrag-email": "keine-adresse"})
    again = client.post(
        url + "/forms/antrag", data={**bad, "version": "1", "csrf_token": csrf_token(page)}
    )
    assert again.status_code == 409
    assert 'value="keine-adresse"' in again.get_data(as_text=True)


def test_a_stale_tab_step_says_who_changed_the_record_and_changes_nothing(client, app, make_user):
    make_user("verein7", ["applicant"], "rc7")
    make_user("sb7", ["clerk"])
    login(client, "verein7")
    url = new_record(client)
    stale_page = client.get(url).get_data(as_text=True)  # version 1, kept open in a tab
    other = app.test_client()
    login(other, "sb7")
    other_page = other.get(url).get_data(as_text=True)
    saved = other.post(
        url + "/forms/antrag",
        data={**ANTRAG_FORM, "version": "1", "csrf_token": csrf_token(other_page)},
    )
    assert saved.status_code == 302
    other_page = other.get(url).get_data(as_text=True)
    moved = other.post(
        url + "/transition",
        data={"to": "eingereicht", "version": "2", "csrf_token": csrf_token(other_page)},
    )
    assert moved.status_code == 302
    # the old tab asks for the same step: the answer is that the record changed, by whom
    client.post(
        url + "/transition",
        data={"to": "eingereicht", "version": "1", "csrf_token": csrf_token(stale_page)},
    )
    html = client.get(url).get_data(as_text=True)
    assert "Der Datensatz wurde inzwischen von sb7 geändert (jetzt Version 3)." in html
    assert "Der Schritt wurde nicht ausgeführt" in html
    assert "nicht erlaubt" not in html
    assert Record.get_by_id(int(url.rsplit("/", 1)[1])).version == 3


def test_guard_message_is_shown_on_the_record_page(client, make_user):
    make_user("verein4", ["applicant"], "rc4")
    login(client, "verein4")
    url = new_record(client)
    page = client.get(url).get_data(as_text=True)
    client.post(
        url + "/transition",
        data={"to": "eingereicht", "version": "1", "csrf_token": csrf_token(page)},
    )
    html = client.get(url).get_data(as_text=True)
    assert "Bitte zuerst den Antrag mit Vereinsname und Betrag speichern." in html
    assert "Entwurf" in html


def test_records_of_others_are_404_on_every_screen(client, app, make_user):
    make_user("verein5", ["applicant"], "rc5")
    make_user("verein6", ["applicant"], "rc6")
    login(client, "verein5")
    url = new_record(client)
    page = client.get(url).get_data(as_text=True)
    client.post(url + "/documents", data={"document": "eingang", "csrf_token": csrf_token(page)})
    stranger = app.test_client()
    login(stranger, "verein6")
    token = page_token(stranger, "/")
    assert stranger.get(url).status_code == 404
    assert stranger.post(url + "/forms/antrag", data={"csrf_token": token}).status_code == 404
    assert stranger.post(url + "/transition", data={"csrf_token": token}).status_code == 404
    assert stranger.post(url + "/documents", data={"csrf_token": token}).status_code == 404
    assert stranger.get("/documents/1").status_code == 404
    assert stranger.get("/documents/1/file").status_code == 404
    listing = stranger.get("/records/foerderung/").get_data(as_text=True)
    assert "Keine Datensätze." in listing


def test_list_pages_and_filters_by_state(client, make_user):
    make_user("sb7", ["clerk"])
    login(client, "sb7")
    for _ in range(3):
        new_record(client)
    listing = client.get("/records/foerderung/?state=entwurf").get_data(as_text=True)
    assert listing.count('class="badge badge-info"') == 3
    assert "Keine Datensätze." in client.get("/records/foerderung/?state=bewilligt").get_data(
        as_text=True
    )
    assert client.get("/records/gibtsnicht/").status_code == 404


def test_the_organisation_filter_offers_what_the_person_may_read(client, app, make_user):
    """Who reads every organisation's records picks among all of them; who reads only her
    own organisation's (or her own records) gets no list of the others – in a large
    installation it would be hundreds of options, none of them hers."""
    make_user("sb9", ["clerk"], "sportamt")
    make_user("leitung9", ["head"], "sportamt")
    make_user("verein9", ["applicant"], "rc9")
    login(client, "sb9")
    listing = client.get("/records/foerderung/").get_data(as_text=True)
    assert 'id="organisation"' in listing
    assert ">rc9</option>" in listing and ">sportamt</option>" in listing
    for username in ("leitung9", "verein9"):
        other = app.test_client()
        login(other, username)
        listing = other.get("/records/foerderung/").get_data(as_text=True)
        assert 'id="organisation"' not in listing
        assert "rc9</option>" not in listing


def test_password_is_never_in_a_page(client, make_user):
    make_user("sb8", ["clerk"])
    response = login(client, "sb8")
    assert PASSWORD not in client.get(response.headers["Location"]).get_data(as_text=True)


def test_new_record_asks_first_and_offers_the_way_back(client, make_user):
    make_user("verein5", ["applicant"], "rc5")
    login(client, "verein5")
    listing = client.get("/records/foerderung/").get_data(as_text=True)
    # "Neu" is a link to a question, not a button that creates
    assert 'href="/records/foerderung/new" id="neu"' in listing
    before = Record.select().count()
    asked = client.get("/records/foerderung/new")
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "Antrag neu anlegen?" in html and "„Entwurf“" in html
    assert ">Antrag anlegen</button>" in html
    assert 'href="/records/foerderung/">Abbrechen</a>' in html
    assert Record.select().count() == before  # looking at the question creates nothing
    created = client.post("/records/foerderung/new", data={"csrf_token": csrf_token(html)})
    assert created.status_code == 302 and Record.select().count() == before + 1


def test_the_question_is_not_offered_to_who_may_not_create(client, make_user):
    make_user("chef6", ["head"])
    login(client, "chef6")
    listing = client.get("/records/foerderung/")
    assert listing.status_code == 200 and 'id="neu"' not in listing.get_data(as_text=True)
    answer = client.get("/records/foerderung/new")
    assert answer.status_code == 302
    assert "keine neuen Datensätze" in client.get(answer.location).get_data(as_text=True)


def test_a_stale_save_after_a_step_keeps_what_was_typed_on_the_page(client, app, make_user):
    make_user("verein8", ["applicant"], "rc8")
    make_user("sb8", ["clerk"])
    login(client, "verein8")
    url = new_record(client)
    stale_page = client.get(url).get_data(as_text=True)
    other = app.test_client()
    login(other, "sb8")
    other.post(
        url + "/forms/antrag",
        data={**ANTRAG_FORM, "version": "1", "csrf_token": page_token(other, url)},
    )
    moved = other.post(
        url + "/transition",
        data={"to": "eingereicht", "version": "2", "csrf_token": page_token(other, url)},
    )
    assert moved.status_code == 302
    # the form has left with the step: the old tab's input is not saved, but shown
    mine = dict(ANTRAG_FORM, **{"antrag-verein": "Meine Fassung", "antrag-sparten": ["turnen"]})
    response = client.post(
        url + "/forms/antrag", data={**mine, "version": "1", "csrf_token": csrf_token(stale_page)}
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Der Datensatz wurde inzwischen von sb8 geändert (jetzt Version 3)." in html
    assert "nicht mehr zu bearbeiten" in html
    kept = html[html.index('id="nicht-gespeichert"') :]
    assert "Meine Fassung" in kept and "Turnen" in kept and "Posten: Boot" in kept
