"""Events on main reach the right people: in the inbox and as one neutral e-mail each."""

from __future__ import annotations

import datetime as dt

import icalendar

from server.models import AuditEntry, Notification, NotificationPreference, User
from server.runtime import current_runtime
from server.services.records.deadline_escalation import announce_deadlines, escalate_deadlines
from tests.kim.flow import create, move, save
from tests.kim.test_deadlines import to_monitoring
from tests.notifications.conftest import BASE_URL, with_email

INTAKE = {
    "name": "Amal Beispiel",
    "access_channel": "welcome_point",
    "target_group": "neuzugewandert",
    "agencies": [{"agency": "Jobcenter"}, {"agency": "Ausländerbehörde"}],
}
PROPOSAL = {
    "title": "Pool der Sprachmittlung erweitern",
    "working_group": "AG Zugang",
    "problem": "Wartezeiten",
    "proposal": "Der Lenkungskreis beschließt die Erweiterung.",
    "financial_impact": False,
    "alignment": [{"office": "Kämmerei", "date": "2026-02-01", "result": "hinweise"}],
}


def _assert_neutral(message, *secrets: str) -> None:
    text = message["Subject"] + message.get_body(("plain",)).get_content()
    for secret in secrets:
        assert secret not in text, secret


def test_a_case_handed_over_tells_the_new_owner_once_without_content(api, work_jobs, mailbox):
    giver, taker = api("cm1", ["case_manager"], "amt"), api("cm2", ["case_manager"], "amt")
    User.update(display_name="Gerda Geberin").where(User.id == giver.user.id).execute()
    with_email(taker.user, "cm2@stadt.example")
    case = create(giver, "case_management", {"intake": INTAKE})
    answer = giver.post(
        f"/records/{case['id']}/handover", json={"owner": "cm2", "version": case["version"]}
    )
    assert answer.status_code == 200, answer.get_json()
    work_jobs()
    work_jobs()  # nothing more to send

    [message] = mailbox.to("cm2@stadt.example")
    assert message["Subject"] == f"Verbund: Fall Nr. {case['id']} wurde Ihnen übergeben"
    _assert_neutral(message, "Amal", "Beispiel", "Gerda", "cm1", "Jobcenter", "welcome")
    [notification] = Notification.select().where(Notification.user == taker.user.id)
    link = f"{BASE_URL}/notifications/{notification.id}/open"
    assert link in message.get_body(("plain",)).get_content()
    assert message["Message-ID"].startswith("<") and "stadt.example" in message["Message-ID"]
    assert Notification.select().where(Notification.user == giver.user.id).count() == 0
    # the audit log says who was told of what: ids and kind only
    told = {
        e.action: e.detail
        for e in AuditEntry.select().where(AuditEntry.action.startswith("notification."))
    }
    assert told["notification.create"] == {"kind": "handed_over", "user_id": taker.user.id}
    assert told["notification.mail"]["user_id"] == taker.user.id
    assert told["notification.mail"]["notification_id"] == notification.id


def test_a_case_handed_to_an_organisation_tells_its_team_lead(api, work_jobs, mailbox):
    giver = api("cm1", ["case_manager"], "amt")
    lead = api("tl1", ["team_lead"], "awo")
    colleague = api("cm3", ["case_manager"], "awo")  # scope own: cannot read it unassigned
    with_email(lead.user, "tl1@awo.example")
    with_email(colleague.user, "cm3@awo.example")
    case = create(giver, "case_management", {"intake": INTAKE})
    answer = giver.post(
        f"/records/{case['id']}/handover", json={"organisation": "awo", "version": case["version"]}
    )
    assert answer.status_code == 200, answer.get_json()
    work_jobs()
    [message] = mailbox.to("tl1@awo.example")
    assert (
        message["Subject"] == f"Verbund: Fall Nr. {case['id']} wurde Ihrer Organisation übergeben"
    )
    assert mailbox.to("cm3@awo.example") == []


def test_a_decided_proposal_tells_whom_the_workflow_names(api, work_jobs, mailbox):
    coordination = api("koordination", ["coordination"], "amt")
    colleague = api("koordination2", ["coordination"], "amt")
    secretary = api("sekretariat", ["secretary"], "amt")
    lead = api("tl1", ["team_lead"], "awo")
    manager = api("cm1", ["case_manager"], "awo")
    for person, address in (
        (colleague, "k2@stadt.example"),
        (lead, "tl1@awo.example"),
        (manager, "cm1@awo.example"),
        (coordination, "k1@stadt.example"),
    ):
        with_email(person.user, address)
    proposal = create(coordination, "proposal", {"proposal": PROPOSAL})
    proposal = move(coordination, proposal, "aligned")
    proposal = move(coordination, proposal, "submitted")
    work_jobs()
    assert mailbox.messages == []  # steps without notify tell nobody
    decision = {"decided_on": "2026-03-02", "decision_text": "Zustimmung."}
    proposal = save(secretary, proposal, "proposal_decision", decision)
    move(secretary, proposal, "adopted")
    work_jobs()
    subject = f"Verbund: Vorschlag Nr. {proposal['id']}: Beschlossen"
    for address in ("k1@stadt.example", "k2@stadt.example", "tl1@awo.example"):
        [message] = mailbox.to(address)
        assert message["Subject"] == subject
        _assert_neutral(message, "Sprachmittlung", "Zustimmung", "Kämmerei")
    assert mailbox.to("cm1@awo.example") == []  # may not read proposals


def test_a_meeting_invitation_carries_a_calendar_entry_with_its_date(api, work_jobs, mailbox):
    office = api("sekretariat", ["secretary"], "amt")
    lead = api("tl1", ["team_lead"], "awo")
    with_email(lead.user, "TL1@awo.example")
    meeting = {
        "committee": "lenkungskreis",
        "title": "4. Sitzung 2027 – Vertraulich",
        "date": "2027-03-04",
        "start_time": "14:00",
        "end_time": "16:30",
        "place": "Rathaus, Raum 3",
        "attendance": [
            {"name": "Tina Leitung", "email": "tl1@awo.example", "presence": "eingeladen"},
            {"name": "Extern", "email": "extern@example.org", "presence": "eingeladen"},
        ],
    }
    record = create(office, "meeting", {"meeting": meeting})
    record = save(office, record, "meeting", {**meeting, "invitation_note": "Bitte Unterlagen"})
    work_jobs()
    [message] = mailbox.to("TL1@awo.example")  # once, though saved twice
    assert message["Subject"] == f"Verbund: Einladung: Sitzung Nr. {record['id']}"
    _assert_neutral(message, "Vertraulich", "Tina", "Extern")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start.date() == dt.date(2027, 3, 4) and start.hour == 14
    assert str(start.tzinfo) == "Europe/Berlin"
    assert event.decoded("dtend").hour == 16
    assert "Vertraulich" not in str(event.get("summary"))
    assert mailbox.to("extern@example.org") == []  # no account in Verbund

    # a new date invites again
    save(office, record, "meeting", {**meeting, "date": "2027-03-11"})
    work_jobs()
    assert len(mailbox.to("TL1@awo.example")) == 2


def test_a_failed_document_tells_who_requested_it(api, work_jobs, mailbox):
    import docx

    from tests.helpers import install_template

    coordination = api("koordination", ["coordination"], "amt")
    with_email(coordination.user, "k1@stadt.example")
    proposal = create(coordination, "proposal", {"proposal": PROPOSAL})
    evil = docx.Document()
    evil.add_paragraph().add_run("{{ proposal.title.__class__ }}")
    install_template("beschlussvorlage.docx", evil)
    answer = coordination.post(
        f"/records/{proposal['id']}/documents", json={"document": "beschlussvorlage"}
    )
    assert answer.status_code == 202
    work_jobs()
    assert coordination.get(f"/documents/{answer.get_json()['id']}").get_json()["status"] == (
        "failed"
    )
    [message] = mailbox.to("k1@stadt.example")
    assert message["Subject"] == (
        f"Verbund: Dokument zu Vorschlag Nr. {proposal['id']} konnte nicht erstellt werden"
    )
    _assert_neutral(message, "Sprachmittlung", "__class__", "beschlussvorlage")
    [notification] = Notification.select().where(Notification.kind == "document_failed")
    assert notification.object_ref == f"document:{answer.get_json()['id']}"


def test_deadlines_due_overdue_and_escalated_reach_the_people_by_e_mail(
    api, work_jobs, mailbox, frozen
):
    """The real deadline job (frozen clock): a monitoring contact falls due, is overdue, and
    14 days later is escalated to the team lead of the case's organisation – each told once,
    the escalation even to a lead who switched e-mail off, nobody at another organisation."""
    frozen(dt.date(2031, 3, 3))
    manager = api("cm1", ["case_manager"], "amt")
    lead = api("tl1", ["team_lead"], "amt")
    other = api("tl2", ["team_lead"], "caritas")
    for person, address in ((manager, "cm1@amt.example"), (lead, "tl1@amt.example")):
        with_email(person.user, address)
    with_email(other.user, "tl2@caritas.example")
    NotificationPreference.create(user=lead.user.id, kind="*", mode="off")
    case = to_monitoring(manager, [{"goal": "Deutsch B1"}])
    defs = current_runtime().definitions

    def deadline_job() -> None:  # as the periodic job runs it, twice: events are sent once
        for _ in range(2):
            announce_deadlines()
            escalate_deadlines(defs)
        work_jobs()

    frozen(dt.date(2031, 3, 31))  # 28 days after monitoring began
    deadline_job()
    frozen(dt.date(2031, 4, 1))
    deadline_job()
    frozen(dt.date(2031, 4, 14))  # 14 days overdue
    deadline_job()
    number = f"Fall Nr. {case['id']}"
    assert [m["Subject"] for m in mailbox.to("cm1@amt.example")] == [
        f"Verbund: Frist fällig: {number}",
        f"Verbund: Frist überschritten: {number}",
    ]
    assert [m["Subject"] for m in mailbox.to("tl1@amt.example")] == [
        f"Verbund: Frist eskaliert: {number}"  # cannot be switched off
    ]
    assert mailbox.to("tl2@caritas.example") == []
    for message in mailbox.to("cm1@amt.example") + mailbox.to("tl1@amt.example"):
        _assert_neutral(message, INTAKE["name"], "Deutsch B1")
    kinds = Notification.select(Notification.kind).where(Notification.user == lead.user.id)
    assert [n.kind for n in kinds] == ["deadline_escalated"]
