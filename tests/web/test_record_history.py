"""The record page's "Verlauf" read on demand, and the menu kept per roles (issue 21)."""

from __future__ import annotations

import re

from server.models import AuditEntry, User
from tests.helpers import csrf_token, login

from .test_screens import ANTRAG_FORM, new_record, page_token

SAVED = "„Förderantrag“ gespeichert"


def _filled_record(client) -> str:
    """A record of the logged-in applicant with a save in its history; its page URL."""
    url = new_record(client)
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    saved = client.post(
        url + "/forms/antrag",
        data={**ANTRAG_FORM, "version": version, "csrf_token": csrf_token(page)},
    )
    assert saved.status_code == 302
    return url


def _reads(record_id: int, view: str) -> int:
    entries = AuditEntry.select().where(
        (AuditEntry.record_id == record_id) & (AuditEntry.action == "record.read")
    )
    return sum(1 for e in entries if e.detail == {"view": view})


def test_the_page_links_to_its_history_and_the_link_works_without_javascript(client, make_user):
    make_user("verlauf1", ["applicant"], "rc-verlauf")
    login(client, "verlauf1")
    url = _filled_record(client)
    page = client.get(url).get_data(as_text=True)
    assert SAVED not in page  # not read with every visit
    card = page.split('id="verlauf"')[1].split('id="verlauf-status"')[0]
    assert "Zuletzt geändert am" in card and "(Version 2)" in card
    link = re.search(r'class="verbund-history-load" href="([^"]+)"', card).group(1)
    assert link == url + "?verlauf=1#verlauf"
    # the link is an ordinary link: the same page, with the history in the card
    shown = client.get(link.split("#")[0]).get_data(as_text=True)
    history = shown.split('id="verlauf-liste"')[1].split("</main>")[0]
    assert SAVED in history and "angelegt in „Entwurf“" in history
    assert "Ruderclub &lt;Rhein&gt; &amp; Co" in history  # what the save changed, escaped
    assert "verbund-history-load" not in shown


def test_the_history_alone_is_a_fragment_read_like_the_page(app, client, make_user):
    make_user("verlauf2", ["applicant"], "rc-verlauf2")
    make_user("verlauf3", ["applicant"], "rc-verlauf3")
    login(client, "verlauf2")
    url = _filled_record(client)
    record_id = int(url.rsplit("/", 1)[1])
    page = client.get(url).get_data(as_text=True)
    fragment_url = re.search(r'data-fragment="([^"]+)"', page).group(1)
    assert fragment_url == url + "/verlauf"
    before = _reads(record_id, "record_history.history")
    fragment = client.get(fragment_url)
    assert fragment.status_code == 200 and fragment.mimetype == "text/html"
    html = fragment.get_data(as_text=True)
    assert SAVED in html and 'id="verlauf-liste"' in html
    assert "<html" not in html and "Hauptmenü" not in html  # the list alone
    assert fragment.headers["Cache-Control"] == "no-store"
    # every read of a record is audited, this one too
    assert _reads(record_id, "record_history.history") == before + 1
    # others: as if it did not exist; another workflow's address: 404
    stranger = app.test_client()
    login(stranger, "verlauf3")
    assert stranger.get(fragment_url).status_code == 404
    assert client.get(fragment_url.replace("/foerderung/", "/gibtsnicht/")).status_code == 404
    anonymous = app.test_client().get(fragment_url)
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


def test_a_second_page_of_a_short_history_says_so_and_leads_back(client, make_user):
    make_user("verlauf4", ["applicant"], "rc-verlauf4")
    login(client, "verlauf4")
    url = _filled_record(client)
    html = client.get(url + "/verlauf?verlauf=2").get_data(as_text=True)
    assert "Noch keine Einträge." in html
    assert f'href="{url}?verlauf=1#verlauf">neuere Einträge' in html


def test_the_menu_follows_a_change_of_roles_at_once(client, make_user):
    """The menu is kept per combination of roles: a person given a role sees its entries
    with the next page, and loses them with the next page after it is taken away."""
    person = make_user("menu1", ["clerk"])
    login(client, "menu1")
    assert "Verwaltung" not in client.get("/").get_data(as_text=True)
    User.update(roles=["clerk", "admin"]).where(User.id == person.id).execute()
    page = client.get("/").get_data(as_text=True)
    assert "Verwaltung" in page and "/admin/users/" in page
    User.update(roles=["clerk"]).where(User.id == person.id).execute()
    assert "/admin/users/" not in client.get("/").get_data(as_text=True)
    # the current page is still marked as such
    listing = client.get("/records/foerderung/").get_data(as_text=True)
    assert re.search(r'href="/records/foerderung/" aria-current="page"', listing)
    assert page_token(client, "/")  # the page frame is whole


def test_parts_of_a_record_whose_workflow_left_the_configuration_are_not_found(client, make_user):
    """A record stays in the database when its workflow is removed from the configuration;
    its history and form versions answer 404 like its page, never 500."""
    from server.models import Record

    make_user("verlauf5", ["applicant"], "rc-verlauf5")
    login(client, "verlauf5")
    url = _filled_record(client)
    record_id = int(url.rsplit("/", 1)[1])
    assert client.get(url + "/forms/antrag/history").status_code == 200
    Record.update(workflow="abgeschafft").where(Record.id == record_id).execute()
    gone = f"/records/abgeschafft/{record_id}"
    for path in (gone, gone + "/verlauf", gone + "/forms/antrag/history"):
        assert client.get(path).status_code == 404, path
    for path in (url + "/verlauf", url + "/forms/antrag/history"):  # the old address too
        assert client.get(path).status_code == 404, path
