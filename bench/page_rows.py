"""The bulk rows of ``page_data.py``: a batch writer and the maker of cases and meetings.

:class:`Bulk` writes rows with ids it hands out itself (no round trip per row):
``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL, on the connection of the
caller's transaction. Columns the caller does not give get the model's default, so a column
added by a later migration does not break the generator.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import peewee
from page_data import (
    DESCRIPTIONS,
    FIRST,
    INSTITUTIONS,
    LAST,
    NAME,
    STATE_WEIGHTS,
    VARIANTS_PER_STATE,
)

BATCH = 20_000
CHOICE_TYPES = ("select", "multiselect", "boolean")


def _db_ready(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, dt.date):  # datetimes too: "YYYY-MM-DD HH:MM:SS" as peewee stores
        return str(value)
    return value


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


class Bulk:
    """Rows of several tables, flushed in the order the tables were first used (parents
    before children, so foreign keys hold at every flush)."""

    def __init__(self) -> None:
        from server.models import database, is_sqlite

        self.database, self.sqlite = database, is_sqlite()
        self.tables: dict[type[peewee.Model], dict] = {}
        self.rows = 0

    def _table(self, model: type[peewee.Model]) -> dict:
        table = self.tables.get(model)
        if table is None:
            fields = [f for f in model._meta.sorted_fields if f.name != "id"]
            defaults = {}
            for f in fields:
                value = f.default() if callable(f.default) else f.default
                defaults[f.name] = _db_ready(value)
            last = model.select(peewee.fn.MAX(model.id)).scalar() or 0
            table = {"fields": fields, "defaults": defaults, "next": last + 1, "pending": []}
            self.tables[model] = table
        return table

    def add(self, model: type[peewee.Model], **values) -> int:
        """Queue one row; returns its id. Values are stored as given (dates as text)."""
        table = self._table(model)
        row_id = table["next"]
        table["next"] += 1
        defaults = table["defaults"]
        table["pending"].append(
            (row_id, *(values.get(f.name, defaults[f.name]) for f in table["fields"]))
        )
        self.rows += 1
        if self.rows >= BATCH:
            self.flush()
        return row_id

    def flush(self) -> None:
        for model, table in self.tables.items():
            if table["pending"]:
                self._write(model, table)
                table["pending"] = []
        self.rows = 0

    def _write(self, model: type[peewee.Model], table: dict) -> None:
        columns = ["id", *(f.column_name for f in table["fields"])]
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self.database.cursor()
        if self.sqlite:
            marks = ", ".join("?" for _ in columns)
            sql = f'INSERT INTO "{model._meta.table_name}" ({names}) VALUES ({marks})'
            cursor.executemany(sql, table["pending"])
            return
        text = "".join("\t".join(_copy_text(v) for v in row) + "\n" for row in table["pending"])
        cursor.copy_expert(
            f'COPY "{model._meta.table_name}" ({names}) FROM STDIN', io.StringIO(text)
        )

    def finish(self) -> None:
        """Write what is left; on PostgreSQL move each id sequence past the ids handed out."""
        self.flush()
        if self.sqlite:
            return
        for model in self.tables:
            name = model._meta.table_name
            self.database.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                f'(SELECT MAX(id) FROM "{name}"))'
            )


def _stamp(moment: dt.datetime) -> str:
    return str(moment.replace(microsecond=0))


class CaseMaker:
    """Case managers, cases and meetings like the demo's, with their choices drawn anew."""

    def __init__(self, defs, rng) -> None:
        from server import clock
        from server.models import Record

        self.defs, self.rng = defs, rng
        self.workflow = defs.workflows["case_management"]
        self.now = clock.now().astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
        self.today = self.now.date()
        cases = list(Record.select().where(Record.workflow == self.workflow.id))
        self.existing_cases = len(cases)
        order = [s.id for s in self.workflow.states]
        self.variants = {}
        for state in STATE_WEIGHTS:
            # templates: demo cases in this phase, else in the nearest phase after it
            nearby = sorted(
                cases,
                key=lambda r: (r.state != state, abs(order.index(r.state) - order.index(state))),
            )
            templates = [r for r in nearby if r.state == nearby[0].state]
            self.variants[state] = [
                self._variant(rng.choice(templates)) for _ in range(VARIANTS_PER_STATE)
            ]
        self.names = [f"{a} {b}" for a in FIRST.split() for b in LAST.split()]

    # -- data ---------------------------------------------------------------------------------

    def _draw(self, field, value):
        """A new value for a choice field (blank stays blank: "(keine Angabe)" is real)."""
        if value in (None, "", []) or field.type not in CHOICE_TYPES:
            return value
        if field.type == "boolean":
            return self.rng.random() < 0.5
        values = [c.value for c in field.choices]
        if field.type == "multiselect":
            return self.rng.sample(values, k=min(len(values), self.rng.randint(1, 3)))
        return self.rng.choice(values)

    def _redraw(self, data: dict) -> None:
        for form_id, values in data.items():
            form = self.defs.forms.get(form_id)
            if form is None or not isinstance(values, dict):
                continue
            for field in form.fields:
                if field.name not in values:
                    continue
                if field.type == "table" and isinstance(values[field.name], list):
                    for row in values[field.name]:
                        for column in field.columns:
                            if isinstance(row, dict) and column.name in row:
                                row[column.name] = self._draw(column, row[column.name])
                else:
                    values[field.name] = self._draw(field, values[field.name])

    def _variant(self, template) -> dict:
        from server.forms.display import search_text

        data = json.loads(json.dumps(template.data))
        data.setdefault("intake", {})["name"] = NAME
        self._redraw(data)
        categories = [
            c.value for c in self.defs.forms["barriers"].field("entries").columns[0].choices
        ]
        data["barriers"] = {
            "entries": [
                {
                    "category": self.rng.choice(categories),
                    "institution": self.rng.choice(INSTITUTIONS),
                    "description": self.rng.choice(DESCRIPTIONS),
                    "known_barrier": None,
                    "system_level": self.rng.random() < 0.4,
                }
                for _ in range(self.rng.choice((0, 0, 1, 1, 2, 3)))
            ]
        }
        return {
            "json": _db_ready(data),
            "intake": _db_ready(data["intake"]),
            "search": search_text(self.defs.forms, data, NAME),
            "version": template.version,
            "revision": template.workflow_revision,
        }

    # -- rows ---------------------------------------------------------------------------------

    def add_case_managers(self, wanted: int, team_size: int) -> list[tuple[int, int]]:
        """(id, organisation id) of ``wanted`` case managers at least, the demo's first; the
        ones added work in teams of ``team_size`` in organisations added for them, so the
        demo's organisations (and their team leads' teams) keep their people."""
        from server.models import Organisation, User

        def managers():
            return [
                (u.id, u.organisation_id)
                for u in User.select().order_by(User.id)
                if "case_manager" in (u.roles or [])
            ]

        found = managers()
        missing = wanted - len(found)
        if missing > 0:
            teams = -(-missing // team_size)
            Organisation.insert_many(
                [{"name": f"traeger{t + 1}", "label": f"Träger {t + 1}"} for t in range(teams)]
            ).execute()
            organisations = {
                o.name: o.id for o in Organisation.select().where(Organisation.name ** "traeger%")
            }
            password = User.get_by_id(found[0][0]).password_hash  # the demo's password
            rows = [
                {
                    "username": f"cm.bulk{n}",
                    "display_name": f"Case Manager*in {n}",
                    "password_hash": password,
                    "organisation": organisations[f"traeger{n // team_size + 1}"],
                    "roles": ["case_manager"],
                }
                for n in range(missing)
            ]
            for start in range(0, len(rows), 500):
                User.insert_many(rows[start : start + 500]).execute()
            found = managers()
        return found

    def add_cases(self, bulk: Bulk, size: int, managers: list[tuple[int, int]]) -> None:
        from server.models import Deadline, FormSave, Record, TransitionLog

        rng, day = self.rng, dt.timedelta(days=1)
        deadlines = {}
        for decl in self.workflow.deadlines:
            if not decl.from_field:
                deadlines.setdefault(decl.state, decl)
        intake_deadline = deadlines["intake"]
        count = max(0, size - self.existing_cases)
        states = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()), k=count)
        for state in states:
            variant = rng.choice(self.variants[state])
            name = rng.choice(self.names)
            owner, organisation = rng.choice(managers)
            final = self.workflow.state(state).final
            age = rng.uniform(0, 5 * 365 if final else 365)
            created = self.now - dt.timedelta(days=age)
            updated = created + dt.timedelta(days=rng.uniform(0, min(age, 180)))
            record = bulk.add(
                Record,
                workflow=self.workflow.id,
                state=state,
                version=variant["version"],
                title=name,
                owner=owner,
                organisation=organisation,
                created_by=owner,
                created_at=_stamp(created),
                updated_at=_stamp(updated),
                data=variant["json"].replace(NAME, name),
                workflow_revision=variant["revision"],
                search_text=variant["search"].replace(NAME, name.lower()),
            )
            bulk.add(
                FormSave,
                record=record,
                form="intake",
                record_version=1,
                data=variant["intake"].replace(NAME, name),
                author=owner,
                saved_at=_stamp(created),
            )
            bulk.add(
                TransitionLog,
                record=record,
                from_state=None,
                to_state=self.workflow.initial,
                label="angelegt",
                user=owner,
                at=_stamp(created),
                record_version=1,
            )
            if state != "intake":
                bulk.add(
                    Deadline,
                    record=record,
                    state="intake",
                    label=intake_deadline.label,
                    due_on=str(created.date() + intake_deadline.days * day),
                    created_at=_stamp(created),
                    closed_at=_stamp(created + rng.randint(1, 14) * day),
                    planned_from=str(created.date()),
                    closed_reason="left",
                )
            decl = deadlines.get(state)
            if decl is not None and not final:
                due = self.today + rng.randint(-45, 30) * day
                late = (self.today - due).days
                escalated = decl.escalate_after_days is not None and late > decl.escalate_after_days
                bulk.add(
                    Deadline,
                    record=record,
                    state=state,
                    label=decl.label,
                    due_on=str(due),
                    created_at=_stamp(dt.datetime.combine(due - decl.days * day, dt.time(8))),
                    planned_from=str(due - decl.days * day),
                    escalated_at=_stamp(
                        dt.datetime.combine(due, dt.time(8)) + decl.escalate_after_days * day
                    )
                    if escalated
                    else None,
                    escalated_to=decl.escalate_to if escalated else "",
                    announced="overdue" if late > 0 else "",
                )

    def add_meetings(self, bulk: Bulk, count: int) -> None:
        """``count`` meetings more, each a demo meeting with another date and number."""
        from server.forms.display import search_text
        from server.models import Record

        templates = [
            r
            for r in Record.select().where(Record.workflow == "meeting")
            if (r.data.get("meeting") or {}).get("agenda")
        ]
        for n in range(count):
            template = self.rng.choice(templates)
            data = json.loads(json.dumps(template.data))
            date = self.today - dt.timedelta(days=self.rng.randint(0, 3 * 365))
            data["meeting"]["date"] = str(date)
            data["meeting"]["title"] = title = f"{n + 3}. Sitzung {date.year}"
            created = dt.datetime.combine(date, dt.time(9)) - dt.timedelta(days=30)
            bulk.add(
                Record,
                workflow="meeting",
                state=template.state,
                version=template.version,
                title=title,
                owner=template.owner_id,
                organisation=template.organisation_id,
                created_by=template.owner_id,
                created_at=_stamp(created),
                updated_at=_stamp(created + dt.timedelta(days=31)),
                data=_db_ready(data),
                workflow_revision=template.workflow_revision,
                search_text=search_text(self.defs.forms, data, title),
            )
