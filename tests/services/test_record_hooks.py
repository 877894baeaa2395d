"""Rules join the record services through one registry (server/services/records/hooks.py):
a guard registered there refuses work on every path, and record events reach listeners
inside the change's transaction."""

from __future__ import annotations

import pytest

from server.models import Record
from server.runtime import current_runtime
from server.services.privacy.anonymise import anonymise_record
from server.services.records import hooks
from server.services.records.assignment import hand_over
from server.services.records.changes import apply_transition, create_record, save_form
from tests.helpers import ANTRAG


@pytest.fixture
def freeze_guard():
    """A guard that refuses all work on records whose title names the club "Eis"."""

    def frozen(workflow, record, target):
        return "Dieser Antrag ist eingefroren." if "Eis" in (record.title or "") else None

    hooks.add_guard("test.freeze", frozen)
    yield
    hooks.remove_guard("test.freeze")


def test_a_registered_guard_refuses_saving_and_steps_through_the_api(api, freeze_guard):
    clerk = api("sb", ["clerk"])
    rid = clerk.post("/records", json={"workflow": "foerderung"}).json["id"]
    saved = clerk.put(
        f"/records/{rid}/forms/antrag", json={"data": dict(ANTRAG, verein="Eis e.V."), "version": 1}
    )
    assert saved.status_code == 200
    again = clerk.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 2})
    assert again.status_code == 403
    assert again.json["error"] == "Dieser Antrag ist eingefroren."
    step = clerk.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    assert step.status_code == 409
    assert step.json["error"] == "Dieser Antrag ist eingefroren."
    document = clerk.post(f"/records/{rid}/documents", json={"document": "eingang"})
    assert document.status_code == 409
    assert Record.get_by_id(rid).version == 2


def test_privacy_is_registered_by_the_start_up(app):
    assert "privacy.consent" in hooks.installed_guards()
    assert hooks.fact_provider("consent_given") is not None


def test_every_change_sends_its_record_event(app, make_user):
    clerk = make_user("sb", ["clerk"])
    colleague = make_user("kollege", ["clerk"])
    defs = current_runtime(app).definitions
    seen = []

    def listener(name):
        return lambda record, **kw: seen.append((name, record.id, kw.get("user")))

    listeners = {
        name: listener(name)
        for name in ("created", "saved", "transitioned", "handed_over", "anonymised")
    }
    for name, function in listeners.items():
        getattr(hooks.record_events, name).connect(function)
    try:
        record = create_record(defs, clerk, "foerderung")
        record = save_form(defs, clerk, record.id, "antrag", ANTRAG, 1)
        record = apply_transition(defs, clerk, record.id, "eingereicht", 2)
        record = hand_over(defs, clerk, record.id, owner="kollege", version=3)
        anonymise_record(defs, record.id, reason="test")
    finally:
        for name, function in listeners.items():
            getattr(hooks.record_events, name).disconnect(function)
    rid = record.id
    assert [(n, r) for n, r, _u in seen] == [
        ("created", rid),
        ("saved", rid),
        ("transitioned", rid),
        ("handed_over", rid),
        ("anonymised", rid),
    ]
    assert [u.username if u else None for _n, _r, u in seen] == ["sb"] * 4 + [None]
    assert colleague.username == Record.get_by_id(rid).owner.username


def test_a_listener_that_fails_undoes_the_change(app, make_user):
    clerk = make_user("sb", ["clerk"])
    defs = current_runtime(app).definitions
    record = create_record(defs, clerk, "foerderung")
    before = Record.get_by_id(record.id).data

    def refuse(record, **kw):
        raise RuntimeError("listener failed")

    with hooks.record_events.saved.connected_to(refuse):
        with pytest.raises(RuntimeError):
            save_form(defs, clerk, record.id, "antrag", ANTRAG, 1)
    stored = Record.get_by_id(record.id)
    assert stored.version == 1
    assert stored.data == before
