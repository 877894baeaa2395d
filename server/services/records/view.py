"""What one person sees of one record: the data of the record page and of its API twin.

``record_view`` is the one place that decides, for a reader, which forms of a record are
shown and editable, which transitions they may take, which documents they may request, and
which deadlines and document requests are open. The staff screen
(``server/web/records.py``) renders it as HTML, ``GET /api/v1/records/<id>``
(``server/api/serialize.py``) as JSON; both see the same answer because both ask here.

What only the screen needs (the timeline, the people a record can be handed over to, the
records a reference field offers) is computed on first use, so the API pays nothing for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from peewee import JOIN

from ... import clock
from ...documents.availability import unavailable_documents
from ...models import Deadline, DocumentRequest, Organisation, Record, User
from ...models.fast import Slot, cached_select
from ...schema.definitions import (
    Definitions,
    DocumentDef,
    FormDef,
    StateDef,
    TransitionDef,
    WorkflowDef,
)
from ...workflow.engine import allowed_transitions, documents_in_state
from ..paging import count_upto
from .access import can_edit_state, get_readable, readable_records, within_edit_scope
from .assignment import assignable_users
from .form_defaults import initial_values
from .timeline import HISTORY_PER_PAGE, timeline, timeline_page

REFERENCE_OPTIONS = 500  # records a reference field offers on the page, per workflow
# active people in the whole installation up to which a hand-over lists every one of them
HANDOVER_PEOPLE = 300


@dataclass
class FormValues:
    """One form of the record with the values it shows (saved, else the form's defaults)."""

    form: FormDef
    values: dict[str, Any]


@dataclass
class RecordView:
    """One record as ``user`` may see it; build it with :func:`record_view`."""

    defs: Definitions
    user: User
    record: Record
    workflow: WorkflowDef | None
    state: StateDef | None
    #: the person is within the workflow's edit_scope (may change the record at all)
    may_change: bool
    #: the person may edit the forms of the current state
    editable: bool
    #: transitions the person may take from here (guards are checked when taken)
    transitions: list[TransitionDef]
    #: the forms of the current state, in their order, with saved values or defaults
    state_forms: list[FormValues]
    #: forms of other states that hold data (earlier phases), read-only
    other_forms: list[FormValues]
    #: documents that may be requested in the current state
    available_documents: list[DocumentDef]
    #: document requests of the record, newest first
    documents: list[DocumentRequest]
    #: open deadlines, soonest first
    deadlines: list[Deadline]
    today: dt.date = field(default_factory=clock.today)
    #: ``documents`` holds every request of the record (it was not cut at a limit)
    documents_complete: bool = True

    @property
    def editable_forms(self) -> list[str]:
        """Ids of the forms the person may save now."""
        return list(self.state.forms) if self.editable and self.state else []

    @property
    def workflow_forms(self) -> list[FormValues]:
        """Every form of the workflow with its saved data (None where nothing was saved)."""
        if self.workflow is None:
            return []
        data = self.record.data or {}
        return [
            FormValues(self.defs.forms[f], data.get(f))
            for f in self.workflow.form_ids
            if f in self.defs.forms
        ]

    @property
    def unavailable_documents(self) -> list[dict[str, str]]:
        """Documents of the workflow not open in this state, each with the reason (German)."""
        if self.workflow is None:
            return []
        return unavailable_documents(self.workflow, self.record.state)

    def overdue(self, deadline: Deadline) -> bool:
        return deadline.due_on < self.today

    def timeline(self, lookup: Any = None) -> list[dict[str, Any]]:
        """Every event of the record, newest first (see :mod:`.timeline`)."""
        # the document requests already read serve the timeline when none were left out
        documents = self.documents if self.documents_complete else None
        return timeline(self.defs, self.record, lookup, self.organisations, documents)

    def timeline_page(
        self, lookup: Any = None, page: int = 1, per_page: int = HISTORY_PER_PAGE
    ) -> tuple[list[dict[str, Any]], bool]:
        """Page ``page`` of the timeline (``per_page`` events, newest first) and whether
        older events follow; reads at most ``page * per_page + 1`` rows of each kind."""
        documents = self.documents if self.documents_complete else None
        return timeline_page(
            self.defs, self.record, lookup, page, per_page, self.organisations, documents
        )

    @cached_property
    def organisations(self) -> dict[int, Organisation]:
        """Every organisation by id, ordered by label: read once for the timeline and the
        hand-over targets (a short table; one query instead of one per use)."""
        return {o.id: o for o in Organisation.select().order_by(Organisation.label)}

    @cached_property
    def handover_targets(self) -> list[tuple[str, str]]:
        """(value, label) pairs for a hand-over: every organisation alone, and the people who
        could take the record; empty for someone who may not edit it here.

        The people: everyone in an installation of up to ``HANDOVER_PEOPLE`` active people,
        else the colleagues of one's own organisation (:attr:`handover_narrowed`): a case
        for another organisation goes to that organisation, where it is assigned.
        A list of thousands of names serves nobody, and it was read on every visit."""
        if not self.editable or self.workflow is None:
            return []
        targets = [(f"@{o.name}", f"{o.label} (ohne Person)") for o in self.organisations.values()]
        if not self.handover_narrowed:
            people = assignable_users(self.workflow)
        elif self.user.organisation_id is not None:
            people = assignable_users(self.workflow, self.user.organisation)
        else:
            people = []
        for person in people:
            org = person.organisation
            targets.append(
                (
                    f"{person.username}@{org.name if org else ''}",
                    f"{person} – {org.label if org else 'ohne Organisation'}",
                )
            )
        return targets

    @cached_property
    def handover_narrowed(self) -> bool:
        """Whether the hand-over lists only one's own organisation's people (more than
        ``HANDOVER_PEOPLE`` active people in all; counted no further than that)."""
        active = User.select(User.id).where(User.active == True)  # noqa: E712 - peewee
        return count_upto(active, HANDOVER_PEOPLE)[1]

    @cached_property
    def reference_options(self) -> dict[str, list[tuple[int, str]]]:
        """Records the person may read, per workflow a reference field of the page names."""
        forms = [f.form for f in self.state_forms]
        # a field (or column) with a ``workflow`` points at its records (the reference type)
        wanted = {f.workflow for form in forms for f in form.fields}
        wanted |= {c.workflow for form in forms for f in form.fields for c in f.columns}
        options = {}
        for workflow_id in wanted - {None}:
            query = (
                readable_records(self.defs, self.user, Record.select(Record.id, Record.title))
                .where(Record.workflow == workflow_id)
                .order_by(Record.title)
                .limit(REFERENCE_OPTIONS)
            )
            options[workflow_id] = [(r.id, r.title) for r in query]
        return options


def record_view(
    defs: Definitions, user: User, record_id: Any, *, documents_limit: int | None = None
) -> RecordView:
    """The record ``record_id`` as ``user`` sees it; NotFound when they may not read it.

    ``documents_limit`` caps the document requests listed (the page shows the newest 50).
    """
    record = get_readable(defs, user, record_id, related=True)
    return view_of(defs, user, record, documents_limit=documents_limit)


def view_of(
    defs: Definitions, user: User, record: Record, *, documents_limit: int | None = None
) -> RecordView:
    """The view of a record a service has just read or changed for ``user`` (access checked
    there: :func:`record_view` is the way in for a record id)."""
    workflow = defs.workflows.get(record.workflow)
    state = workflow.state(record.state) if workflow else None
    may_change = workflow is not None and within_edit_scope(user, workflow, record)
    editable = workflow is not None and can_edit_state(user, workflow, record.state, record)
    data = record.data or {}
    state_form_ids = state.forms if state else ()
    state_forms = []
    for form_id in state_form_ids:
        form = defs.forms.get(form_id)
        if form is not None:
            saved = data.get(form_id)
            if saved is None:  # never saved: what it starts with, looked-up defaults included
                saved = initial_values(defs, user, form, record.workflow, record.id)
            state_forms.append(FormValues(form, saved))
    other_forms = [
        FormValues(defs.forms[f], data.get(f) or {})
        for f in (workflow.form_ids if workflow else ())
        if f in defs.forms and f not in state_form_ids and data.get(f)
    ]
    documents = _documents(record, documents_limit)
    transitions = (
        allowed_transitions(workflow, record.state, frozenset(user.roles or []))
        if workflow is not None and may_change
        else []  # readers outside the edit_scope may not change the record
    )
    return RecordView(
        defs=defs,
        user=user,
        record=record,
        workflow=workflow,
        state=state,
        may_change=may_change,
        editable=editable,
        transitions=transitions,
        state_forms=state_forms,
        other_forms=other_forms,
        available_documents=documents_in_state(workflow, record.state) if workflow else [],
        documents=documents,
        deadlines=_open_deadlines(record) if workflow else [],
        documents_complete=not documents_limit or len(documents) < documents_limit,
    )


def _documents(record: Record, limit: int | None) -> list[DocumentRequest]:
    return cached_select(
        ("record.documents", limit), lambda: _documents_query(limit), record=record.id
    )


def _documents_query(limit: int | None):
    # with the person who asked: the timeline names them
    query = (
        DocumentRequest.select(DocumentRequest, User)
        .join(User, JOIN.LEFT_OUTER, on=(DocumentRequest.requested_by == User.id))
        .where(DocumentRequest.record == Slot("record"))
    )
    query = query.order_by(DocumentRequest.id.desc())
    return query.limit(limit) if limit else query


def _open_deadlines(record: Record) -> list[Deadline]:
    # sorted here, not by the database: a record has a handful of open deadlines, and an
    # ORDER BY due_on lets SQLite (without statistics) prefer the index on (closed_at,
    # due_on) over the one on (record_id, closed_at) – a walk over every open deadline of
    # the installation, ~100 ms per record page at 100,000 cases
    rows = cached_select("record.open_deadlines", _open_deadlines_query, record=record.id)
    return sorted(rows, key=lambda d: (d.due_on, d.id))


def _open_deadlines_query():
    still_open = Deadline.closed_at.is_null()
    return Deadline.select().where((Deadline.record == Slot("record")) & still_open)
