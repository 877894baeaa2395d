"""Subject access (DSGVO Art. 15): find everything held about one person, export it as a ZIP.

A person is identified by what the records say about them: the search looks for one or two
terms (a name and, say, the birth year) in the *personal* fields of every record, in the
current values and in every saved version. Names are not unique, so the DPO sees the
matching records with the fields that matched and ticks the ones that concern the person;
only those are exported. Both the search (its terms as a keyed hash) and the export (one
entry per record) are audited.

The ZIP holds per record: ``record.json`` (facts, current values with labels, consents,
history of states and hand-overs), ``form_versions.json`` (every saved version with author
and time), ``access_log.json`` (who read or changed it, when, from which organisation — the
staff member's address is left out), and the Word documents produced for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

import peewee

from ... import clock
from ...forms.display import display
from ...german import local_time
from ...models import (
    AuditEntry,
    Consent,
    DocumentFile,
    DocumentRequest,
    FormSave,
    HandOver,
    Record,
    TransitionLog,
    User,
)
from ...schema.definitions import Definitions, FieldDef, FormDef
from ..audit import audit
from ..records.search import apply_search

MIN_TERM = 3
MAX_RESULTS = 200
CANDIDATES = 5000  # records looked at, in id order
CHUNK = 200  # candidates whose saved versions are read in one query


@dataclass
class Match:
    record: Record
    fields: list[str] = field(default_factory=list)  # labels of the fields that matched


def search_hash(term: str, key: str) -> str:
    """The keyed hash a search term is logged as (normalised: trimmed, lower case)."""
    normal = " ".join(term.split()).lower()
    return hmac.new(key.encode(), normal.encode(), hashlib.sha256).hexdigest()[:32]


def _texts(field: FieldDef, value: Any) -> list[str]:
    """Every personal text in ``value`` of ``field`` (table: personal columns only)."""
    if value in (None, "", []):
        return []
    if field.type == "table":
        out = []
        for row in value if isinstance(value, list) else []:
            for column in field.columns:
                if column.personal and isinstance(row, dict):
                    out += _texts(column, row.get(column.name))
        return out
    if not field.personal or field.type == "file":
        return []
    return [str(value), display(field, value)]


def _matches(form: FormDef, values: Any, term: str) -> list[str]:
    labels = []
    for f in form.fields:
        texts = _texts(f, (values or {}).get(f.name)) if isinstance(values, dict) else []
        if any(term in t.casefold() for t in texts):
            labels.append(f"{form.title}: {f.label}")
    return labels


def _like_variants(term: str) -> list[str]:
    return sorted({term, term.lower(), term.capitalize(), term.upper()})


def find_person(defs: Definitions, terms: list[str]) -> list[Match]:
    """Records whose personal fields (now or in an earlier version) contain every term."""
    terms = [" ".join(t.split()) for t in terms if t and len(t.strip()) >= MIN_TERM]
    if not terms:
        return []
    first = terms[0]
    condition = None
    for variant in _like_variants(first):
        clause = FormSave.data.contains(variant)
        condition = clause if condition is None else (condition | clause)
    in_saves = FormSave.select(FormSave.record).where(condition)
    # the current values through the text index (its words narrow, the whole term decides)
    now = apply_search(Record.select(Record.id), first).where(
        Record.search_text.contains(first.lower())
    )
    candidates = Record.select(Record.id).where(Record.id.in_(now) | Record.id.in_(in_saves))
    ids = [r.id for r in candidates.order_by(Record.id).limit(CANDIDATES)]
    matches: list[Match] = []
    for start in range(0, len(ids), CHUNK):
        # a chunk of candidates and their saved versions: two queries, not one per record
        chunk = ids[start : start + CHUNK]
        saves: dict[int, list[tuple[str, Any]]] = {}
        for s in (
            FormSave.select(FormSave.record, FormSave.form, FormSave.data)
            .where(FormSave.record.in_(chunk))
            .order_by(FormSave.id)
        ):
            saves.setdefault(s.record_id, []).append((s.form, s.data))
        for record in Record.select().where(Record.id.in_(chunk)).order_by(Record.id):
            versions = list((record.data or {}).items()) + saves.get(record.id, [])
            labels = _person_labels(defs, versions, terms)
            if labels is not None:
                matches.append(Match(record, labels))
                if len(matches) >= MAX_RESULTS:
                    return matches
    return matches


def _person_labels(
    defs: Definitions, versions: list[tuple[str, Any]], terms: list[str]
) -> list[str] | None:
    """The labels of the personal fields that hold the terms, if every term is held by one
    of them in one of the ``versions`` (form id, values); else None."""
    labels = []
    for term in terms:
        needle = term.casefold()
        hits = []
        for form_id, values in versions:
            form = defs.forms.get(form_id)
            if form is not None:
                hits += _matches(form, values, needle)
        if not hits:
            return None
        labels += hits
    return sorted(set(labels))


def audit_search(user: User, terms: list[str], found: int, key: str) -> None:
    """The search is audited with its terms as keyed hashes, never in clear."""
    audit(
        "subject_access.search",
        user,
        object_type="person",
        detail={"terms": [search_hash(t, key) for t in terms if t], "found": found},
    )


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds") + "Z"
    return value.isoformat()


def _name(user_id: int | None, cache: dict[int, str]) -> str | None:
    if user_id is None:
        return None
    if user_id not in cache:
        user = User.get_or_none(User.id == user_id)
        cache[user_id] = str(user) if user else f"#{user_id}"
    return cache[user_id]


def _labelled(defs: Definitions, data: Any) -> dict[str, Any]:
    out = {}
    for form_id, values in (data or {}).items():
        form = defs.forms.get(form_id)
        if form is None or not isinstance(values, dict):
            continue
        out[form.title] = {
            f.label: {"wert": values.get(f.name), "anzeige": display(f, values.get(f.name))}
            for f in form.fields
            if values.get(f.name) not in (None, "", [])
        }
    return out


def record_export(defs: Definitions, record: Record, names: dict[int, str]) -> dict[str, Any]:
    """Everything about one record except its versions, log and files (see module doc)."""
    workflow = defs.workflows.get(record.workflow)
    state = workflow.state(record.state) if workflow else None
    consents = Consent.select().where(Consent.record == record.id).order_by(Consent.id)
    return {
        "id": record.id,
        "ablauf": workflow.title if workflow else record.workflow,
        "zustand": state.label if state else record.state,
        "angelegt": _iso(record.created_at),
        "geaendert": _iso(record.updated_at),
        "organisation": record.organisation.label if record.organisation_id else None,
        "zustaendig": _name(record.owner_id, names),
        "angaben": _labelled(defs, record.data),
        "einwilligungen": [
            {
                "zweck": (
                    workflow.consent(c.purpose).label
                    if workflow and workflow.consent(c.purpose)
                    else c.purpose
                ),
                "textfassung": c.text_version,
                "erteilt_am": _iso(c.given_at),
                "widerrufen_am": _iso(c.withdrawn_at),
                "erfasst_von": _name(c.recorded_by_id, names),
            }
            for c in consents
        ],
        "verlauf": [
            {
                "zeit": _iso(t.at),
                "von": t.from_state,
                "nach": t.to_state,
                "schritt": t.label,
                "durch": _name(t.user_id, names),
            }
            for t in TransitionLog.select()
            .where(TransitionLog.record == record.id)
            .order_by(TransitionLog.id)
        ],
        "uebergaben": [
            {"zeit": _iso(h.at), "durch": _name(h.user_id, names), "notiz": h.note}
            for h in HandOver.select().where(HandOver.record == record.id).order_by(HandOver.id)
        ],
    }


def _versions(defs: Definitions, record_id: int, names: dict[int, str]) -> list[dict]:
    out = []
    for save in FormSave.select().where(FormSave.record == record_id).order_by(FormSave.id):
        form = defs.forms.get(save.form)
        out.append(
            {
                "formular": form.title if form else save.form,
                "version": save.record_version,
                "gespeichert": _iso(save.saved_at),
                "von": _name(save.author_id, names),
                "werte": _labelled(defs, {save.form: save.data}).get(
                    form.title if form else "", save.data
                ),
            }
        )
    return out


def _access_log(record_id: int) -> list[dict]:
    entries = AuditEntry.select().where(AuditEntry.record_id == record_id).order_by(AuditEntry.id)
    return [
        {
            "zeit": _iso(e.at),
            "wer": e.username or None,
            "organisation": e.organisation or None,
            "aktion": e.action,
            "ansicht": (e.detail or {}).get("view"),
        }
        for e in entries
    ]


def build_export(defs: Definitions, user: User, record_ids: list[int]) -> bytes:
    """The ZIP for the selected records; every record's export is audited first."""
    records = list(Record.select().where(Record.id.in_(record_ids)).order_by(Record.id))
    for record in records:
        audit(
            "subject_access.export",
            user,
            record_id=record.id,
            object_type="record",
            object_id=record.id,
        )
    names: dict[int, str] = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LIESMICH.txt", _readme(user, records))
        for record in records:
            base = f"datensatz-{record.id}/"
            _json(archive, base + "record.json", record_export(defs, record, names))
            _json(archive, base + "form_versions.json", _versions(defs, record.id, names))
            _json(archive, base + "access_log.json", _access_log(record.id))
            documents = (
                DocumentRequest.select(DocumentRequest, DocumentFile)
                .join(
                    DocumentFile,
                    peewee.JOIN.INNER,
                    on=(DocumentFile.request == DocumentRequest.id),
                    attr="stored",
                )
                .where(DocumentRequest.record == record.id)
            )
            for doc in documents:
                name = doc.filename or f"dokument-{doc.id}.docx"
                archive.writestr(base + "dokumente/" + name, bytes(doc.stored.content))
    return buffer.getvalue()


def _json(archive: zipfile.ZipFile, name: str, value: Any) -> None:
    archive.writestr(name, json.dumps(value, ensure_ascii=False, indent=2))


def _readme(user: User, records: list[Record]) -> str:
    return (
        "Auskunft nach Art. 15 DSGVO\n"
        f"Erstellt am {local_time(clock.now())} von {user}.\n\n"
        f"Enthalten: {len(records)} Datensatz/Datensätze. Je Datensatz:\n"
        "  record.json         Eckdaten, aktuelle Angaben, Einwilligungen, Verlauf, Übergaben\n"
        "  form_versions.json  jede gespeicherte Fassung der Formulare mit Zeit und Autor*in\n"
        "  access_log.json     wer den Datensatz wann gelesen oder geändert hat\n"
        "  dokumente/          die erzeugten Word-Dokumente\n"
    )
