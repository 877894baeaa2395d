"""A record's timeline: transitions, saves (with what changed), hand-overs and documents."""

from __future__ import annotations

from typing import Any

import peewee
from peewee import JOIN, SQL, fn

from ...forms.display import changes
from ...models import DocumentRequest, FormSave, HandOver, Organisation, Record, TransitionLog, User
from ...models.fast import Slot, cached_select
from ...schema.definitions import Definitions

DOCUMENT_STATUS = {
    "queued": "wartet",
    "started": "wird erstellt",
    "finished": "fertig",
    "failed": "fehlgeschlagen",
}


HISTORY_PER_PAGE = 50  # events of the record page's "Verlauf" at a time


def _who(user: User | None) -> str:
    return str(user) if user is not None else "System"


def timeline(
    defs: Definitions,
    record: Record,
    lookup: Any = None,
    organisations: dict[int, Organisation] | None = None,
    documents: list[DocumentRequest] | None = None,
    newest: int | None = None,
) -> list[dict[str, Any]]:
    """Every event of ``record``, newest first: {at, who, kind, text, changes, form}.

    ``lookup`` shows referenced records by title to a viewer who may read them;
    ``organisations`` (by id) and ``documents`` (every document request of the record, with
    ``requested_by``) save reading them again when the caller has them. ``newest``: only the
    newest this many events (each kind reads at most as many rows: a long history is never
    read whole for one page of it).
    """
    workflow = defs.workflows.get(record.workflow)
    events: list[dict[str, Any]] = []
    transitions = cached_select(
        ("timeline.transitions", newest), lambda: _transitions(newest), record=record.id
    )
    for t in transitions:
        target = workflow.state(t.to_state) if workflow else None
        label = target.label if target else t.to_state
        text = (
            f"angelegt in „{label}“"
            if t.from_state is None
            else f"{t.label or 'Schritt'} → {label}"
        )
        events.append(_event(t.at, t.user if t.user_id else None, "transition", text, t.id))
    previous: dict[str, dict] = {}
    for s in cached_select(("timeline.saves", newest), lambda: _saves(newest), record=record.id):
        form = defs.forms.get(s.form)
        diff = changes(form, previous.get(s.form, {}), s.data or {}, lookup) if form else []
        previous[s.form] = s.data or {}
        if not s.shown:
            continue  # the save before the newest ones: only what they changed is shown
        event = _event(
            s.saved_at,
            s.author if s.author_id else None,
            "save",
            f"„{form.title if form else s.form}“ gespeichert",
            s.id,
        )
        event["changes"] = diff
        event["form"] = s.form if form else None
        events.append(event)
    handovers = cached_select(
        ("timeline.handovers", newest), lambda: _handovers(newest), record=record.id
    )
    # the people and organisations they name, one query each (not one per hand-over)
    people = {h_id for h in handovers for h_id in (h.user_id, h.to_owner_id) if h_id}
    owners = {u.id: u for u in User.select().where(User.id.in_(people))} if people else {}
    org_ids = {h.to_organisation_id for h in handovers if h.to_organisation_id}
    if organisations is not None:
        orgs = organisations
    elif org_ids:
        orgs = {o.id: o for o in Organisation.select().where(Organisation.id.in_(org_ids))}
    else:
        orgs = {}
    for h in handovers:
        to_owner = owners.get(h.to_owner_id)
        to_org = orgs.get(h.to_organisation_id)
        target = ", ".join(
            x for x in (str(to_owner) if to_owner else "", to_org.label if to_org else "") if x
        )
        text = f"übergeben an {target}" + (f": {h.note}" if h.note else "")
        events.append(_event(h.at, owners.get(h.user_id), "handover", text, h.id))
    if documents is None:
        documents = (
            DocumentRequest.select(DocumentRequest, User)
            .join(User, on=(DocumentRequest.requested_by == User.id), join_type=JOIN.LEFT_OUTER)
            .where(DocumentRequest.record == record.id)
        )
        if newest:
            documents = documents.order_by(
                DocumentRequest.requested_at.desc(), DocumentRequest.id.desc()
            ).limit(newest)
    for d in documents:
        text = f"Dokument „{d.label}“ angefordert ({DOCUMENT_STATUS.get(d.status, d.status)})"
        events.append(
            _event(
                d.requested_at,
                d.requested_by if d.requested_by_id else None,
                "document",
                text,
                d.id,
            )
        )
    events.sort(key=lambda e: (e["at"], e["order"]), reverse=True)
    return events[:newest] if newest else events


def timeline_page(
    defs: Definitions,
    record: Record,
    lookup: Any = None,
    page: int = 1,
    per_page: int = HISTORY_PER_PAGE,
    organisations: dict[int, Organisation] | None = None,
    documents: list[DocumentRequest] | None = None,
) -> tuple[list[dict[str, Any]], bool]:
    """Page ``page`` of the timeline (``per_page`` events, newest first) and whether older
    events follow; reads at most ``page * per_page + 1`` rows of each kind."""
    newest = page * per_page + 1
    events = timeline(defs, record, lookup, organisations, documents, newest=newest)
    return events[(page - 1) * per_page : page * per_page], len(events) > page * per_page


def _transitions(newest: int | None):
    query = (
        TransitionLog.select(TransitionLog, User)
        .join(User, on=(TransitionLog.user == User.id), join_type=JOIN.LEFT_OUTER)
        .where(TransitionLog.record == Slot("record"))
    )
    if newest:
        query = query.order_by(TransitionLog.at.desc(), TransitionLog.id.desc())
    return query.limit(newest)


def _handovers(newest: int | None):
    query = HandOver.select().where(HandOver.record == Slot("record"))
    if newest:
        query = query.order_by(HandOver.at.desc(), HandOver.id.desc())
    return query.limit(newest)


def _saves(newest: int | None):
    """The record's saves by id, each with ``shown``; with ``newest`` only the newest that
    many, plus (``shown`` false) the save before them of each form, so what the oldest
    shown save changed can still be told. One statement either way (record: a Slot)."""
    rows = FormSave.select(FormSave, User, peewee.Value(True).alias("shown"))
    if newest:
        own = FormSave.record == Slot("record")
        ids = FormSave.select(FormSave.id).where(own).order_by(FormSave.id.desc()).limit(newest)
        first = FormSave.select(fn.MIN(SQL("n.id"))).from_(ids.alias("n"))
        before = (
            FormSave.select(fn.MAX(FormSave.id))
            .where(own & (FormSave.id < first))
            .group_by(FormSave.form)
        )
        shown = peewee.Case(None, [(FormSave.id >= first, True)], False)
        rows = FormSave.select(FormSave, User, shown.alias("shown")).where(
            FormSave.id.in_(ids) | FormSave.id.in_(before)
        )
    return (
        rows.join(User, on=(FormSave.author == User.id), join_type=JOIN.LEFT_OUTER)
        .where(FormSave.record == Slot("record"))
        .order_by(FormSave.id)
    )


KIND_ORDER = {"transition": 0, "handover": 1, "save": 2, "document": 3}


def _event(at, who, kind, text, ident) -> dict[str, Any]:
    return {
        "at": at,
        "who": _who(who),
        "kind": kind,
        "text": text,
        "changes": [],
        "order": (KIND_ORDER[kind], ident),
    }
