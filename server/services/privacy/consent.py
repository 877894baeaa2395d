"""Consent per record and purpose, and what a withdrawal means for working on a record.

A workflow declares its purposes in ``[[consents]]``. Each recorded consent keeps the text
version signed, the day it was given and who recorded it; a withdrawal keeps the row and
adds the day and who recorded that. After a *required* consent is withdrawn, or once a
record is anonymised, the record can only be closed (a transition into a final state) or
anonymised: saving, other transitions and new documents are refused with a German message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from peewee import JOIN

from ... import clock
from ...german import date_text, parse_day
from ...models import Consent, Record, User, is_anonymised, transaction, utcnow
from ...models.fast import Slot, cached_select
from ...schema.definitions import Definitions, WorkflowDef
from ..audit import audit
from ..errors import Forbidden, Invalid
from ..records.access import edit_scope_message, get_readable, user_roles, within_edit_scope
from ..records.hooks import ANONYMISED_MESSAGE

WITHDRAWN_MESSAGE = (
    "Die Einwilligung „{label}“ wurde am {day} widerrufen. Der Fall kann nur noch "
    "abgeschlossen oder anonymisiert werden."
)


# record id -> its latest consents, inside a ``consents_read_once`` block only
_read_once: ContextVar[dict[int, dict[str, Consent]] | None] = ContextVar(
    "consents_read_once", default=None
)


@contextmanager
def consents_read_once() -> Iterator[None]:
    """Inside the block each record's consents are read from the database once: a page
    that shows them and asks the consent guard would otherwise read them twice. Only for
    reading; a block that records a consent must not use it."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def current_consents(record_id: int) -> dict[str, Consent]:
    """The latest consent row of each purpose of a record."""
    memo = _read_once.get()
    if memo is not None and record_id in memo:
        return memo[record_id]
    latest: dict[str, Consent] = {}
    # with the person who recorded it: the page names them (one query, not one per row)
    for row in cached_select("record.consents", _consents_query, record=record_id):
        latest[row.purpose] = row
    if memo is not None:
        memo[record_id] = latest
    return latest


def _consents_query():
    return (
        Consent.select(Consent, User)
        .join(User, JOIN.LEFT_OUTER, on=(Consent.recorded_by == User.id))
        .where(Consent.record == Slot("record"))
        .order_by(Consent.id)
    )


def consent_facts(workflow: WorkflowDef | None, record_id: int) -> dict[str, bool]:
    """``consent_given`` and ``consent_withdrawn`` for conditions (``record.consent_given``)."""
    required = [c.id for c in workflow.consents if c.required] if workflow else []
    latest = current_consents(record_id) if required else {}
    rows = [latest.get(purpose) for purpose in required]
    withdrawn = any(r is not None and r.withdrawn_at is not None for r in rows)
    given = bool(required) and all(r is not None and r.withdrawn_at is None for r in rows)
    return {"consent_given": given, "consent_withdrawn": withdrawn}


def withdrawal_refusal(
    workflow: WorkflowDef, record: Record, target: str | None = None
) -> str | None:
    """The record guard of consent: why the record may not be worked on, or None.

    After a *required* consent was withdrawn, ``target`` (the state of a transition) into a
    final state (closing the record) is allowed; saving (``target`` None) and every other step
    are not. Registered by :func:`server.services.privacy.register.register_privacy`; the record
    services ask it through :func:`server.services.records.hooks.work_refusal`.
    """
    if not any(c.required for c in workflow.consents):
        return None
    target_state = workflow.state(target) if target else None
    if target_state is not None and target_state.final:
        return None
    latest = current_consents(record.id)
    for purpose in workflow.consents:
        row = latest.get(purpose.id)
        if purpose.required and row is not None and row.withdrawn_at is not None:
            return WITHDRAWN_MESSAGE.format(label=purpose.label, day=date_text(row.withdrawn_at))
    return None


def may_record_consent(user: User, workflow: WorkflowDef) -> bool:
    """People who work on the workflow's records (any state's editors, its creators)."""
    roles = set(workflow.create_roles)
    for state in workflow.states:
        roles.update(state.edit_roles)
    return user.active and bool(user_roles(user) & roles)


def _record_and_purpose(defs: Definitions, user: User, record_id: Any, purpose: Any):
    record = get_readable(defs, user, record_id, for_update=True)
    workflow = defs.workflows[record.workflow]
    consent = workflow.consent(purpose) if isinstance(purpose, str) else None
    if consent is None:
        raise Invalid(
            f"Die Einwilligung „{str(purpose)[:64]}“ gibt es in diesem Ablauf nicht.",
            {"purpose": [f"Bekannt: {', '.join(c.id for c in workflow.consents) or 'keine'}."]},
        )
    if not may_record_consent(user, workflow):
        raise Forbidden("Sie dürfen Einwilligungen dieses Datensatzes nicht erfassen.")
    if not within_edit_scope(user, workflow, record):
        raise Forbidden(edit_scope_message(workflow))
    if is_anonymised(record.id):
        raise Forbidden(ANONYMISED_MESSAGE)
    return record, workflow, consent


def _day(raw: Any, field: str, what: str) -> dt.date:
    day = parse_day(raw)
    if day is None:
        raise Invalid(f"Bitte {what} angeben.", {field: ["Datum als TT.MM.JJJJ angeben."]})
    if day > clock.today():
        raise Invalid(f"{what} liegt in der Zukunft.", {field: ["Das Datum liegt in der Zukunft."]})
    return day


def record_consent(
    defs: Definitions,
    user: User,
    record_id: Any,
    purpose: Any,
    given_at: Any,
    text_version: Any = None,
) -> Consent:
    """Record that consent for ``purpose`` was given on ``given_at`` (text version signed)."""
    with transaction():
        record, _workflow, consent = _record_and_purpose(defs, user, record_id, purpose)
        day = _day(given_at, "given_at", "das Datum der Einwilligung")
        version = text_version if isinstance(text_version, str) else ""
        version = version.strip()[:64] or consent.version
        latest = current_consents(record.id).get(consent.id)
        if latest is not None and latest.withdrawn_at is None:
            raise Invalid(
                f"Die Einwilligung „{consent.label}“ liegt bereits vor.",
                {"purpose": ["Bereits erteilt; zuerst den Widerruf erfassen."]},
            )
        row = Consent.create(
            record=record.id,
            purpose=consent.id,
            text_version=version,
            given_at=day,
            recorded_by=user,
        )
        audit(
            "consent.give",
            user,
            record_id=record.id,
            object_type="consent",
            object_id=row.id,
            detail={"purpose": consent.id, "version": version, "given_at": day.isoformat()},
        )
    return row


def withdraw_consent(
    defs: Definitions, user: User, record_id: Any, purpose: Any, withdrawn_at: Any
) -> Consent:
    """Record the withdrawal of the current consent for ``purpose``."""
    with transaction():
        record, _workflow, consent = _record_and_purpose(defs, user, record_id, purpose)
        day = _day(withdrawn_at, "withdrawn_at", "das Datum des Widerrufs")
        row = current_consents(record.id).get(consent.id)
        if row is None or row.withdrawn_at is not None:
            raise Invalid(
                f"Für „{consent.label}“ liegt keine Einwilligung vor, die widerrufen werden kann.",
                {"purpose": ["Keine erteilte Einwilligung."]},
            )
        if day < row.given_at:
            raise Invalid(
                "Der Widerruf liegt vor der Einwilligung.",
                {"withdrawn_at": ["Das Datum liegt vor der Einwilligung."]},
            )
        Consent.update(
            withdrawn_at=day, withdrawal_recorded_by=user, withdrawal_recorded_at=utcnow()
        ).where(Consent.id == row.id).execute()
        audit(
            "consent.withdraw",
            user,
            record_id=record.id,
            object_type="consent",
            object_id=row.id,
            detail={"purpose": consent.id, "withdrawn_at": day.isoformat()},
        )
    return Consent.get_by_id(row.id)


def consent_json(workflow: WorkflowDef, record_id: int) -> list[dict[str, Any]]:
    """Every purpose of the workflow with its current consent (for the API and the page)."""
    latest = current_consents(record_id)
    out = []
    for purpose in workflow.consents:
        row = latest.get(purpose.id)
        out.append(
            {
                "purpose": purpose.id,
                "label": purpose.label,
                "version": purpose.version,
                "required": purpose.required,
                "status": (
                    "missing" if row is None else "withdrawn" if row.withdrawn_at else "given"
                ),
                "text_version": row.text_version if row else None,
                "given_at": row.given_at.isoformat() if row else None,
                "withdrawn_at": row.withdrawn_at.isoformat() if row and row.withdrawn_at else None,
                "recorded_by": str(row.recorded_by) if row and row.recorded_by_id else None,
            }
        )
    return out
