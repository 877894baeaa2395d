"""How many records hold a choice: asked before the builder removes one.

A choice's stored value (``value``) is what records keep; taking it away would leave those
records with a value the form no longer offers. The count runs in SQL over ``record.data``
(JSON kept as text): SQLite walks it with ``json_each``, PostgreSQL casts it to ``jsonb`` and
tests containment, which covers a single choice (``"a"``) and a list of them (``["a", "b"]``)
alike. Only the number leaves this module, never which records or what else is in them.
"""

from __future__ import annotations

from ...models import Record, database, is_sqlite
from ...schema.definitions import Definitions
from ..errors import Conflict

_SQLITE_FIELD = """
SELECT COUNT(*) FROM record r
WHERE r.workflow IN ({workflows}) AND EXISTS (
  SELECT 1 FROM json_each(r.data, ?) v WHERE v.value = ?)
"""
_SQLITE_COLUMN = """
SELECT COUNT(*) FROM record r
WHERE r.workflow IN ({workflows}) AND EXISTS (
  SELECT 1 FROM json_each(r.data, ?) row, json_each(row.value, ?) v
  WHERE json_type(row.value) = 'object' AND v.value = ?)
"""
_PG_FIELD = """
SELECT COUNT(*) FROM record r
WHERE r.workflow IN ({workflows})
  AND (r.data::jsonb -> %s -> %s) @> to_jsonb(%s::text)
"""
_PG_COLUMN = """
SELECT COUNT(*) FROM record r
WHERE r.workflow IN ({workflows}) AND EXISTS (
  SELECT 1 FROM jsonb_array_elements(
    CASE WHEN jsonb_typeof(r.data::jsonb -> %s -> %s) = 'array'
         THEN r.data::jsonb -> %s -> %s ELSE '[]'::jsonb END) row
  WHERE (row -> %s) @> to_jsonb(%s::text))
"""


def _path(*keys: str) -> str:
    # JSON path with quoted keys; ids are checked identifiers, quoting keeps it exact
    return "$" + "".join(f'."{k}"' for k in keys)


def records_holding_choice(defs: Definitions, form_id: str, path: str, value: str) -> int:
    """The number of records whose form ``form_id`` stores ``value`` in the field at ``path``
    (``"field"`` or ``"table/column"``; a multiple choice counts when it contains it)."""
    workflows = sorted(wf.id for wf in defs.workflows.values() if form_id in wf.form_ids)
    if not workflows:
        return 0
    field, _, column = path.partition("/")
    sqlite = is_sqlite()
    marks = ", ".join(["?" if sqlite else "%s"] * len(workflows))
    if sqlite:
        if column:
            sql = _SQLITE_COLUMN.format(workflows=marks)
            params = [*workflows, _path(form_id, field), _path(column), value]
        else:
            sql = _SQLITE_FIELD.format(workflows=marks)
            params = [*workflows, _path(form_id, field), value]
    elif column:
        sql = _PG_COLUMN.format(workflows=marks)
        params = [*workflows, form_id, field, form_id, field, column, value]
    else:
        sql = _PG_FIELD.format(workflows=marks)
        params = [*workflows, form_id, field, value]
    table = Record._meta.table_name
    (count,) = database.execute_sql(
        sql.replace("FROM record r", f"FROM {table} r"), params
    ).fetchone()
    return int(count)


def refuse_if_in_use(defs: Definitions, form_id: str, path: str, value: str, label: str) -> None:
    """Raise :class:`Conflict` (German, with the count) when records hold the choice."""
    count = records_holding_choice(defs, form_id, path, value)
    if count:
        records = "1 Datensatz hält" if count == 1 else f"{count} Datensätze halten"
        raise Conflict(
            f"Die Auswahl „{label}“ kann nicht entfernt werden: {records} sie gespeichert. "
            "Die Bezeichnung lässt sich ändern; der gespeicherte Wert bleibt dabei erhalten."
        )
