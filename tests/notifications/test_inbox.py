"""The inbox and the choices, through the screens: only one's own, newest first, paginated."""

from __future__ import annotations

import re

from server.models import Notification, NotificationPreference
from server.runtime import current_runtime
from server.services.notifications.create import notify
from server.services.notifications.inbox import PER_PAGE
from tests.helpers import csrf_token, login


def test_the_inbox_lists_only_ones_own_newest_first_and_marks_read(app, make_user):
    settings = current_runtime(app).settings
    me = make_user("cm2", ["case_manager"], "amt")
    other = make_user("cm3", ["case_manager"], "amt")
    for n in range(PER_PAGE + 2):
        notify(settings, "handed_over", [me], f"{n}:1", f"Fall Nr. {n} wurde Ihnen übergeben")
    [foreign] = notify(
        settings, "handed_over", [other], "99:1", "Fall Nr. 99 wurde Ihnen übergeben"
    )
    browser = app.test_client()
    login(browser, "cm2")

    page = browser.get("/notifications/").get_data(as_text=True)
    assert "Benachrichtigungen" in page
    assert f"({PER_PAGE + 2} ungelesen)" in page  # the menu, in words
    rows = re.findall(r"/open\">Fall Nr\. (\d+) wurde", page)
    assert rows[0] == str(PER_PAGE + 1) and len(rows) == PER_PAGE  # newest first, one page
    assert "Fall Nr. 99" not in page
    assert "Fall Nr. 0 wurde" in browser.get("/notifications/?page=2").get_data(as_text=True)

    token = csrf_token(page)
    assert browser.get(f"/notifications/{foreign}/open").status_code == 404
    assert (
        browser.post(f"/notifications/{foreign}/read", data={"csrf_token": token}).status_code
        == 404
    )
    assert Notification.get_by_id(foreign).read_at is None
    first = Notification.select().where(Notification.user == me.id).first()
    browser.post(f"/notifications/{first.id}/read", data={"csrf_token": token})
    assert f"({PER_PAGE + 1} ungelesen)" in browser.get("/notifications/").get_data(as_text=True)
    browser.post("/notifications/read-all", data={"csrf_token": token})
    after = browser.get("/notifications/").get_data(as_text=True)
    assert "ungelesen)" not in after and "0 ungelesen" in after


def test_opening_goes_through_the_record_access_check(app, make_user, api):
    giver = api("cm1", ["case_manager"], "amt")
    make_user("cm2", ["case_manager"], "amt")
    from tests.kim.flow import create
    from tests.notifications.test_events import INTAKE

    case = create(giver, "case_management", {"intake": INTAKE})
    answer = giver.post(
        f"/records/{case['id']}/handover", json={"owner": "cm2", "version": case["version"]}
    )
    assert answer.status_code == 200
    [n] = Notification.select()
    browser = app.test_client()
    login(browser, "cm2")
    opened = browser.get(f"/notifications/{n.id}/open")
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/records/case_management/{case['id']}")
    assert browser.get(opened.headers["Location"]).status_code == 200
    assert Notification.get_by_id(n.id).read_at is not None
    # handed back: cm2 may no longer read it, the same link shows nothing of it
    back = api("cm2x", ["case_manager"], "amt")
    assert back  # another owner
    from server.models import Record

    Record.update(owner=back.user.id).where(Record.id == case["id"]).execute()
    again = browser.get(f"/notifications/{n.id}/open")
    assert browser.get(again.headers["Location"]).status_code == 404


def test_the_choices_are_saved_and_escalations_refuse_off(app, make_user):
    me = make_user("cm2", ["case_manager"], "amt")
    browser = app.test_client()
    login(browser, "cm2")
    page = browser.get("/notifications/settings").get_data(as_text=True)
    assert 'for="kind-deadline_escalated"' in page and "Frist eskaliert" in page
    token = csrf_token(page)
    sent = browser.post(
        "/notifications/settings",
        data={"csrf_token": token, "general": "digest", "kind-handed_over": "immediate"},
    )
    assert sent.status_code == 302
    saved = {
        p.kind: p.mode
        for p in NotificationPreference.select().where(NotificationPreference.user == me.id)
    }
    assert saved == {"*": "digest", "handed_over": "immediate"}

    refused = browser.post(
        "/notifications/settings",
        data={"csrf_token": token, "general": "off", "kind-deadline_escalated": "off"},
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "kann nicht abgeschaltet werden" in html and 'aria-invalid="true"' in html
    assert "<title>Fehler:" in html
    saved = {
        p.kind: p.mode
        for p in NotificationPreference.select().where(NotificationPreference.user == me.id)
    }
    assert saved == {"*": "digest", "handed_over": "immediate"}  # nothing changed
