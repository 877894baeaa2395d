"""The bare queries of ``bench_pages.py``: what each page needs from the database, asked
directly with peewee/SQL in the same process, nothing else (no access rules beyond the
scope condition, no rendering, no audit). The page's time over this is what Verbund adds.

Each function takes the :class:`Who` of the page and returns what it read (so nothing is
optimised away). Aggregates run in the database (``GROUP BY``, ``json_extract`` on SQLite,
``json`` operators on PostgreSQL): the target issue 21 sets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

CASES = "case_management"
OPEN = ("intake", "assessment", "goals", "planning", "monitoring", "evaluation")


@dataclass(frozen=True)
class Who:
    """The ids the pages' scopes need."""

    organisation: int  # the team lead's organisation
    manager: int  # the case manager
    record: int  # the case of the record page
    search: str  # the word the search page looks for


def _rows(sql: str, params: tuple = ()) -> list[tuple]:
    from server.models import database

    return list(database.execute_sql(sql, params).fetchall())


def _sqlite() -> bool:
    from server.models import is_sqlite

    return is_sqlite()


def _mark(sql: str) -> str:
    return sql if _sqlite() else sql.replace("?", "%s")


def _json(path: str) -> str:
    """A text value of the record's JSON data by a dotted path."""
    if _sqlite():
        return f"json_extract(data, '$.{path}')"
    keys = path.split(".")
    return "(data::json" + "".join(f" -> '{k}'" for k in keys[:-1]) + f" ->> '{keys[-1]}')"


def statistics(who: Who):
    """The crosstab: cases by target group and phase."""
    sql = f"SELECT {_json('intake.target_group')}, state, COUNT(*) FROM record "
    return _rows(_mark(sql + "WHERE workflow = ? GROUP BY 1, 2"), (CASES,))


def _barrier_counts():
    if _sqlite():
        sql = (
            "SELECT json_extract(e.value, '$.category'), COUNT(*) FROM record, "
            "json_each(record.data, '$.barriers.entries') AS e WHERE record.workflow = ? "
            "AND json_extract(e.value, '$.system_level') GROUP BY 1"
        )
    else:
        sql = (
            "SELECT e ->> 'category', COUNT(*) FROM record, "
            "json_array_elements(CASE WHEN json_typeof(data::json -> 'barriers' -> 'entries') "
            "= 'array' THEN data::json -> 'barriers' -> 'entries' ELSE '[]' END) AS e "
            "WHERE record.workflow = %s AND (e ->> 'system_level') = 'true' GROUP BY 1"
        )
    return _rows(sql, (CASES,))


def _register():
    rows = _rows(
        _mark("SELECT id, title, state, data FROM record WHERE workflow = ?"), ("meeting",)
    )
    return [(r[0], json.loads(r[3]).get("meeting", {}).get("agenda")) for r in rows]


def _newest(workflow: str, states: tuple[str, ...], limit: int = 10):
    marks = ", ".join("?" for _ in states)
    sql = (
        f"SELECT id, title, state, updated_at FROM record WHERE workflow = ? AND state IN "
        f"({marks}) ORDER BY updated_at DESC LIMIT {limit}"
    )
    return _rows(_mark(sql), (workflow, *states))


def start_coordination(who: Who):
    """Cases by phase, barriers by category, the register, barrier and proposal lists."""
    by_state = _rows(
        _mark("SELECT state, COUNT(*) FROM record WHERE workflow = ? GROUP BY 1"), (CASES,)
    )
    return (
        by_state,
        _barrier_counts(),
        _register(),
        _newest("barrier", ("open", "in_work")),
        _newest("proposal", ("draft", "submitted", "deferred", "adopted")),
        _newest("meeting", ("planned",)),
    )


def _deadlines(condition: str, params: tuple, extra: str = "", limit: int = 500):
    marks = ", ".join("?" for _ in OPEN)
    sql = (
        "SELECT d.id, d.due_on, d.label, d.escalated_to, r.id, r.title, r.workflow "
        "FROM deadline d JOIN record r ON r.id = d.record_id WHERE d.closed_at IS NULL "
        f"AND r.workflow = ? AND r.state IN ({marks}) AND {condition} {extra} "
        f"ORDER BY d.due_on, d.id LIMIT {limit}"
    )
    return _rows(_mark(sql), (CASES, *OPEN, *params))


def start_team_lead(who: Who):
    """Open cases by person and phase, cases by phase, escalated and team deadlines."""
    marks = ", ".join("?" for _ in OPEN)
    by_owner = _rows(
        _mark(
            "SELECT owner_id, state, COUNT(*) FROM record WHERE workflow = ? AND "
            f"organisation_id = ? AND state IN ({marks}) GROUP BY 1, 2"
        ),
        (CASES, who.organisation, *OPEN),
    )
    by_state = _rows(
        _mark(
            "SELECT state, COUNT(*) FROM record WHERE workflow = ? AND organisation_id = ? "
            "GROUP BY 1"
        ),
        (CASES, who.organisation),
    )
    team = "r.organisation_id = ?"
    return (
        by_owner,
        by_state,
        _deadlines(team, (who.organisation,), "AND d.escalated_at IS NOT NULL", 10),
        _deadlines(team, (who.organisation,), "", 10),
        _register(),
    )


def start_case_manager(who: Who):
    """The manager's open cases (newest 15 and their number), by phase, their deadlines."""
    marks = ", ".join("?" for _ in OPEN)
    mine = f"workflow = ? AND owner_id = ? AND state IN ({marks})"
    params = (CASES, who.manager, *OPEN)
    return (
        _rows(
            _mark(
                f"SELECT id, title, state FROM record WHERE {mine} "
                "ORDER BY updated_at DESC LIMIT 15"
            ),
            params,
        ),
        _rows(_mark(f"SELECT COUNT(*) FROM record WHERE {mine}"), params),
        _rows(_mark(f"SELECT state, COUNT(*) FROM record WHERE {mine} GROUP BY 1"), params),
        _deadlines("r.owner_id = ?", (who.manager,), "", 10),
    )


def search(who: Who):
    """The team lead's search: how many (up to 10,001) and the newest 50."""
    where = "workflow = ? AND organisation_id = ? AND search_text LIKE ?"
    params = (CASES, who.organisation, f"%{who.search}%")
    count = _rows(
        _mark(f"SELECT COUNT(*) FROM (SELECT id FROM record WHERE {where} LIMIT 10001) c"), params
    )
    page = _rows(
        _mark(
            "SELECT r.id, r.title, r.state, r.updated_at, u.display_name, o.label FROM record r "
            'LEFT JOIN "user" u ON u.id = r.owner_id LEFT JOIN organisation o ON '
            f"o.id = r.organisation_id WHERE r.{where.replace(' AND ', ' AND r.')} "
            "ORDER BY r.updated_at DESC, r.id DESC LIMIT 50"
        ),
        params,
    )
    return count, page


def deadlines_team_lead(who: Who):
    return _deadlines("r.organisation_id = ?", (who.organisation,))


def deadlines_case_manager(who: Who):
    return _deadlines("r.owner_id = ?", (who.manager,))


def register(who: Who):
    """Every meeting's agenda (the register lists all of them)."""
    return _register()


def record_page(who: Who):
    """The case, its saves, transitions, deadlines and documents."""
    record = _rows(_mark("SELECT id, state, version, data FROM record WHERE id = ?"), (who.record,))
    parts = [
        _rows(_mark(f"SELECT * FROM {table} WHERE record_id = ? ORDER BY id"), (who.record,))
        for table in ("form_save", "transition_log", "deadline", "document_request", "consent")
    ]
    return record, json.loads(record[0][3] if record else "{}"), parts
