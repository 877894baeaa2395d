"""Several processes act on the same record at the same moment: exactly one wins.

Real processes (spawned), one real database (the SQLite file of the test, or PostgreSQL when
VERBUND_TEST_DATABASE_URL is set): state, history and audit stay consistent.
"""

from __future__ import annotations

import multiprocessing

import pytest

from server.models import AuditEntry, FormSave, Record, TransitionLog
from server.runtime import current_runtime
from server.services.records.changes import apply_transition, create_record, save_form

RACERS = 6
ANTRAG = {
    "verein": "Laufgruppe",
    "email": "lg@example.org",
    "beginn": "2027-03-01",
    "zweck": "Schuhe",
    "betrag": 50,
    "posten": [{"posten": "Schuhe", "betrag": 50}],
}


def _race(config, overrides, action, record_id, user_id, version, barrier, results):
    """One racer: build the app like a web process would, wait for the others, act."""
    from server import create_app
    from server.models import User, database
    from server.services.errors import Conflict

    app = create_app(config, overrides)
    defs = current_runtime(app).definitions
    database.connect(reuse_if_open=True)
    user = User.get_by_id(user_id)
    barrier.wait(timeout=60)
    try:
        if action == "transition":
            apply_transition(defs, user, record_id, "eingereicht", version)
        else:
            save_form(
                defs, user, record_id, "antrag", dict(ANTRAG, verein=f"Läufer {user_id}"), version
            )
        results.put("ok")
    except Conflict:
        results.put("409")
    except Exception as exc:  # noqa: BLE001 - report anything else to the test
        results.put(f"error {type(exc).__name__}: {exc}")
    finally:
        database.close()


def run_racers(app, config_dir, database_overrides, redis_url, action, record, user):
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(RACERS), ctx.Queue()
    overrides = {"queue": {"redis_url": redis_url}, **database_overrides}
    procs = [
        ctx.Process(
            target=_race,
            args=(
                str(config_dir / "config.toml"),
                overrides,
                action,
                record.id,
                user.id,
                record.version,
                barrier,
                results,
            ),
        )
        for _ in range(RACERS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    return sorted(results.get(timeout=5) for _ in procs)


@pytest.fixture
def ready_record(app, make_user):
    user = make_user("racer", ["applicant", "clerk"], "lauf")
    defs = current_runtime(app).definitions
    record = create_record(defs, user, "foerderung")
    record = save_form(defs, user, record.id, "antrag", ANTRAG, record.version)
    return record, user


def test_concurrent_transitions_exactly_one_wins(
    app, config_dir, database_overrides, redis_url, ready_record
):
    record, user = ready_record
    outcome = run_racers(app, config_dir, database_overrides, redis_url, "transition", record, user)
    assert outcome == ["409"] * (RACERS - 1) + ["ok"], outcome
    fresh = Record.get_by_id(record.id)
    assert fresh.state == "eingereicht" and fresh.version == record.version + 1
    moves = TransitionLog.select().where(
        TransitionLog.record == record.id, TransitionLog.to_state == "eingereicht"
    )
    assert moves.count() == 1
    audits = AuditEntry.select().where(
        AuditEntry.action == "record.transition", AuditEntry.record_id == record.id
    )
    assert audits.count() == 1


def test_concurrent_saves_exactly_one_wins(
    app, config_dir, database_overrides, redis_url, ready_record
):
    record, user = ready_record
    outcome = run_racers(app, config_dir, database_overrides, redis_url, "save", record, user)
    assert outcome == ["409"] * (RACERS - 1) + ["ok"], outcome
    assert FormSave.select().where(FormSave.record == record.id).count() == 2
    assert Record.get_by_id(record.id).version == record.version + 1


def test_a_failing_audit_write_rolls_the_transition_back(app, ready_record, monkeypatch):
    """State change, history and audit commit together or not at all."""
    import server.services.records.changes as records_service

    record, user = ready_record

    def broken_audit(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(records_service, "audit", broken_audit)
    defs = current_runtime(app).definitions
    with pytest.raises(RuntimeError):
        apply_transition(defs, user, record.id, "eingereicht", record.version)
    fresh = Record.get_by_id(record.id)
    assert fresh.state == "entwurf" and fresh.version == record.version
    assert not TransitionLog.select().where(TransitionLog.to_state == "eingereicht").exists()
