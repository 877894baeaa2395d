"""One e-mail per event: a job run twice, two workers at once, a worker that died mid-send,
and the daily digest once per person and day (frozen clock)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from server.jobs.mail import send_digests, send_mail_job, sweep_mail
from server.models import MailDelivery, Notification, NotificationPreference, database
from server.queue.connection import get_redis
from server.queue.documents import document_queue
from server.queue.mail import enqueue_mail
from server.runtime import current_runtime
from server.services.notifications.create import notify
from server.services.notifications.delivery import claim
from server.services.records.assignment import hand_over
from server.services.records.hooks import record_events
from tests.kim.flow import create
from tests.notifications.conftest import with_email
from tests.notifications.test_events import INTAKE


def _person(make_user, name="cm2", address="cm2@stadt.example"):
    return with_email(make_user(name, ["case_manager"], "amt"), address)


def _one_delivery(app, person, event="1:2"):
    settings = current_runtime(app).settings
    [made] = notify(settings, "handed_over", [person], event, "Fall Nr. 1 wurde Ihnen übergeben")
    return MailDelivery.get(MailDelivery.notification == made)


def test_the_send_job_run_twice_sends_one_mail(app, make_user, work_jobs, mailbox):
    person = _person(make_user)
    delivery = _one_delivery(app, person)
    work_jobs()
    enqueue_mail(current_runtime(app).settings, delivery.id)  # a retry, a sweep, a double
    work_jobs()
    assert send_mail_job(delivery.id) == "sent"
    assert len(mailbox.to("cm2@stadt.example")) == 1
    # the same event reported again notifies nobody again
    settings = current_runtime(app).settings
    assert notify(settings, "handed_over", [person], "1:2", "Fall Nr. 1 …") == []


def test_two_workers_sending_the_same_mail_at_once_send_it_once(app, make_user, mailbox):
    mailbox.delay = 0.5  # the SMTP conversation takes a while: both jobs overlap
    person = _person(make_user)
    delivery = _one_delivery(app, person)
    results = []
    barrier = threading.Barrier(2)

    def worker():
        with app.app_context():
            barrier.wait()
            results.append(send_mail_job(delivery.id))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    database.connect(reuse_if_open=True)
    assert sorted(results) == ["sending", "sent"] or sorted(results) == ["sent", "sent"]
    assert len(mailbox.to("cm2@stadt.example")) == 1
    assert MailDelivery.get_by_id(delivery.id).attempts == 1


def test_a_mail_claimed_by_a_dead_worker_is_sent_after_the_timeout(
    app, make_user, work_jobs, mailbox, frozen
):
    frozen(dt.datetime(2031, 5, 6, 10, 0, tzinfo=dt.UTC))
    person = _person(make_user)
    delivery = _one_delivery(app, person)
    assert claim(delivery.id, 900) is not None  # the worker claimed it, then died
    work_jobs()
    assert mailbox.messages == []  # still "sending": nobody else may send yet
    frozen(dt.datetime(2031, 5, 6, 10, 10, tzinfo=dt.UTC))
    assert sweep_mail() == 0  # claimed 10 minutes ago: could still be on its way
    frozen(dt.datetime(2031, 5, 6, 10, 16, tzinfo=dt.UTC))
    assert sweep_mail() == 1
    work_jobs()
    [message] = mailbox.to("cm2@stadt.example")
    assert message["Message-ID"] == MailDelivery.get_by_id(delivery.id).message_id
    assert MailDelivery.get_by_id(delivery.id).state == "sent"


def test_a_lost_job_is_found_by_the_sweep(app, make_user, work_jobs, mailbox, frozen):
    frozen(dt.datetime(2031, 5, 6, 10, 0, tzinfo=dt.UTC))
    person = _person(make_user)
    _one_delivery(app, person)
    get_redis(current_runtime(app).settings).flushall()  # Redis lost the job
    work_jobs()
    assert mailbox.messages == []
    frozen(dt.datetime(2031, 5, 6, 10, 2, tzinfo=dt.UTC))
    assert sweep_mail() == 1
    work_jobs()
    assert len(mailbox.to("cm2@stadt.example")) == 1


def test_the_daily_digest_goes_out_once_a_day(app, make_user, work_jobs, mailbox, frozen):
    settings = current_runtime(app).settings
    person = _person(make_user)
    NotificationPreference.create(user=person.id, kind="*", mode="digest")
    without_address = make_user("cm4", ["case_manager"], "amt")
    NotificationPreference.create(user=without_address.id, kind="*", mode="digest")
    frozen(dt.datetime(2031, 5, 5, 15, 0, tzinfo=dt.UTC))
    notify(settings, "handed_over", [person], "7:3", "Fall Nr. 7 wurde Ihnen übergeben")
    notify(settings, "handed_over", [without_address], "7:3", "Fall Nr. 7 …")
    notify(settings, "transition", [person], "8:4", "Vorschlag Nr. 8: Beschlossen")
    work_jobs()
    assert mailbox.messages == []  # nothing at once

    frozen(dt.datetime(2031, 5, 6, 4, 0, tzinfo=dt.UTC))  # 06:00 in Berlin: before 7
    assert send_digests() == 0
    frozen(dt.datetime(2031, 5, 6, 5, 30, tzinfo=dt.UTC))  # 07:30 in Berlin
    assert send_digests() == 1
    assert send_digests() == 0  # a second run, another worker: none
    # no address, no digest; the notification stays in the inbox, not looked at again
    assert Notification.get(Notification.user == without_address.id).digest_key == "-"
    work_jobs()
    [digest] = mailbox.to("cm2@stadt.example")
    body = digest.get_body(("plain",)).get_content()
    assert "Fall Nr. 7 wurde Ihnen übergeben" in body and "Vorschlag Nr. 8" in body
    assert digest["Subject"] == "Verbund: 2 Benachrichtigungen des Tages"

    # later the same day: waits for tomorrow's digest
    notify(settings, "handed_over", [person], "9:5", "Fall Nr. 9 wurde Ihnen übergeben")
    frozen(dt.datetime(2031, 5, 6, 20, 0, tzinfo=dt.UTC))
    assert send_digests() == 0
    frozen(dt.datetime(2031, 5, 7, 6, 0, tzinfo=dt.UTC))
    assert send_digests() == 1
    work_jobs()
    assert len(mailbox.to("cm2@stadt.example")) == 2
    assert "Fall Nr. 9" in mailbox.to("cm2@stadt.example")[1].get_body(("plain",)).get_content()


def test_escalations_cannot_be_switched_off(app, make_user, work_jobs, mailbox):
    settings = current_runtime(app).settings
    person = _person(make_user)
    NotificationPreference.create(user=person.id, kind="*", mode="off")
    notify(settings, "handed_over", [person], "1:1", "Fall Nr. 1 wurde Ihnen übergeben")
    notify(settings, "deadline_escalated", [person], "2:1", "Frist eskaliert: Fall Nr. 2")
    work_jobs()
    [message] = mailbox.to("cm2@stadt.example")
    assert message["Subject"] == "Verbund: Frist eskaliert: Fall Nr. 2"


def test_a_change_undone_sends_nothing(app, api, work_jobs, mailbox):
    """A listener after ours fails: the hand-over is undone, so are its notification and
    e-mail; no job was enqueued before the commit that never came."""

    giver = api("cm1", ["case_manager"], "amt")
    taker = api("cm2", ["case_manager"], "amt")
    with_email(taker.user, "cm2@stadt.example")
    case = create(giver, "case_management", {"intake": INTAKE})

    def refuse(record, **event):
        raise RuntimeError("a later listener refuses")

    with record_events.handed_over.connected_to(refuse), pytest.raises(RuntimeError):
        hand_over(
            current_runtime(app).definitions,
            giver.user,
            case["id"],
            owner="cm2",
            version=case["version"],
        )
    assert Notification.select().count() == 0 and MailDelivery.select().count() == 0
    assert document_queue(current_runtime(app).settings).count == 0
    work_jobs()
    assert mailbox.messages == []
