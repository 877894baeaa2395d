"""The register's entries, worked out once per change of the minutes, not once per request.

Every entry comes from a meeting's JSON (its agenda rows), the newest status update and the
indicator values; a large installation has hundreds of meetings, and the start pages of the
coordination and the team leads show the register's figures on every visit (issue 21: the
work grew with the meetings, ~1.3 s at 500 meetings). The entries do not depend on who asks
– who may read which meeting is applied afterwards, per request – so one list serves everyone
until something it was made from changes.

Whether it changed is asked the database in one cheap statement per request (a fingerprint):
the meetings' count, highest id, sum of versions and newest ``updated_at`` (every change of a
record goes through the version-checked write, which raises its version and ``updated_at``;
a deleted meeting lowers the count or the sum), and count and highest id of status updates
and of indicator values. The day is part of the key (an entry becomes overdue at midnight),
and so is the definitions object (a publish makes a new one). One list is kept per process;
gunicorn's workers each keep their own. Meeting minutes are not personal case data, and the
list never leaves the process (never Redis).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ...models import MeasureStatus, MeasureValue, database, is_sqlite

T = TypeVar("T")
_lock = threading.Lock()
_kept: dict[str, Any] = {"key": None, "owner": None, "made": None, "derived": {}}


def _fingerprint(workflow: str) -> tuple:
    """What the entries were made from, summed up in one statement."""
    mark = "?" if is_sqlite() else "%s"
    counted = 'SELECT COUNT(*) AS n, MAX("id") AS last FROM "{table}"'
    row = database.execute_sql(
        'SELECT * FROM (SELECT COUNT(*) AS n, MAX("id") AS last, SUM("version") AS versions, '
        f'MAX("updated_at") AS changed FROM "record" WHERE "workflow" = {mark}) AS r, '
        f"({counted.format(table=MeasureStatus._meta.table_name)}) AS s, "
        f"({counted.format(table=MeasureValue._meta.table_name)}) AS v",
        [workflow],
    ).fetchone()
    return tuple(str(v) for v in row)


def cached_entries(
    workflow: str,
    owner: object,
    settings: object,
    today: dt.date,
    make: Callable[[], Any],
) -> Any:
    """What ``make()`` returns – every entry of the register, no access applied – from what
    this process kept when nothing changed since it was made, else made anew and kept.

    ``owner``: the definitions the entries were made under (by identity: a publish brings
    new ones; the kept list holds it, so its id cannot be reused meanwhile); ``settings``:
    the register's settings (by value). What is returned is shared: read it only.
    """
    key = (id(owner), settings, workflow, today, _fingerprint(workflow))
    with _lock:
        if _kept["key"] == key and _kept["owner"] is owner:
            return _kept["made"]
    made = make()
    with _lock:
        _kept.update(key=key, owner=owner, made=made, derived={})
    return made


def kept_beside(made: Any, name: Hashable, make: Callable[[], T]) -> T:
    """``make()`` – something worked out from what :func:`cached_entries` returned
    (``made``) – kept beside it until the entries are made anew. Shared: read it only."""
    with _lock:
        derived = _kept["derived"] if _kept["made"] is made else None
        if derived is not None and name in derived:
            return derived[name]
    value = make()
    with _lock:
        if _kept["made"] is made:
            _kept["derived"][name] = value
    return value
