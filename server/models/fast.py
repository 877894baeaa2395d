"""Inserting and reading rows on hot paths without turning a peewee query into SQL each time.

peewee turns every query object into SQL anew, which costs several times the SQLite call
itself (measured: ~20 µs for the statement, far more for generating it). Audit entries,
history rows and due dates are written on every transition, so their INSERT statements are
generated once per table and database and reused; values still pass through each field's
``db_value``, so JSON, dates and foreign keys are stored exactly as ``Model.create`` would.

The SELECTs every record page and every save send (the session, the record's consents,
deadlines, history) are built once as well (:func:`cached_select`): under load the
generation was a third of a save's time (issue 21, ~1 ms a statement on the shared machine).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import peewee

from . import prepared
from .base import database, single_write_prefix

_statements: dict[tuple, tuple[str, list[peewee.Field]]] = {}


def insert_row(model: type[peewee.Model], **values: Any) -> None:
    """INSERT one row of ``model``; fields not given get their defaults."""
    db = database.obj
    key = (model, id(db))
    compiled = _statements.get(key)
    if compiled is None:
        fields = [f for f in model._meta.sorted_fields if not isinstance(f, peewee.AutoField)]
        left, right = db.quote  # the database's identifier quotes, e.g. '""'
        columns = ", ".join(f"{left}{f.column_name}{right}" for f in fields)
        marks = ", ".join(db.param for _ in fields)
        table = f"{left}{model._meta.table_name}{right}"
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        compiled = _statements[key] = (sql, fields)
    sql, fields = compiled
    params = []
    for field in fields:
        if field.name in values:
            value = values[field.name]
        elif callable(field.default):
            value = field.default()
        else:
            value = field.default
        params.append(field.db_value(value))
    prepared.execute(db, key, sql, params, single_write_prefix())


class Slot(peewee.Node):
    """A parameter of a statement built once by :func:`cached_select`, filled per call.

    In the query it stands where a value would: ``Deadline.record == Slot("record")``. The
    converter of the field on the left (``db_value``) is remembered and applied to each
    value, as peewee would do for a value written into the query.
    """

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def __sql__(self, ctx: peewee.Context) -> peewee.Context:
        ctx._values.append(_Filled(self.name, ctx.state.converter))
        return ctx.literal(ctx.state.param or "?")


class _Filled:
    __slots__ = ("name", "converter")

    def __init__(self, name: str, converter: Callable | None):
        self.name, self.converter = name, converter

    def value(self, given: dict[str, Any]) -> Any:
        value = given[self.name]
        return self.converter(value) if self.converter else value


_selects: dict[tuple, tuple[peewee.ModelSelect, str, list[Any]]] = {}
_selects_lock = threading.Lock()
# what a cursor wrapper works out from its first row (which column is which field, the
# converters, how joined models nest): the same for every run of one statement, so kept
_resolved: dict[tuple, dict[str, Any]] = {}
# a wrapper's own state per run; everything else in its __dict__ comes from initialize()
_PER_RUN = frozenset(peewee.CursorWrapper(None).__dict__).union(
    {"model", "select", "from_list", "joins"}
)


def cached_select(key: Any, build: Callable[[], peewee.ModelSelect], /, **values: Any) -> list:
    """The rows of the query ``build()`` makes, its :class:`Slot` s filled from ``values``.

    ``build`` is called once per ``key`` and database; its SQL is kept and the rows come
    back as the query itself would give them (models, joined models attached). ``key``
    must name everything that changes the query's shape (not its slot values).
    """
    db = database.obj
    entry = _selects.get((key, id(db)))
    if entry is None:
        query = build()
        sql, params = db.get_sql_context().sql(query).query()
        entry = (query, sql, params)
        with _selects_lock:
            _selects[(key, id(db))] = entry
    query, sql, params = entry
    filled = [p.value(values) if isinstance(p, _Filled) else p for p in params]
    cursor = prepared.execute(db, (key, id(db)), sql, filled)
    wrapper = query._get_cursor_wrapper(cursor)
    # peewee resolves the columns anew for every run (issue 21: ~10 % of a record page);
    # the statement is fixed, so its first resolution serves every later run
    known = _resolved.get((key, id(db)))
    if known is not None:
        wrapper.__dict__.update(known)
        wrapper.initialized = True
    rows = list(wrapper)
    if known is None and wrapper.initialized:
        state = {k: v for k, v in wrapper.__dict__.items() if k not in _PER_RUN}
        with _selects_lock:
            _resolved[(key, id(db))] = state
    return rows
