"""The yardstick of the statistics and the single-record export: units and lines read from
the records' JSON in Python, as both counted before issue 21 moved them onto ``record_value``."""

from __future__ import annotations

from collections.abc import Iterable

from server import clock


def units(records: Iterable, table: str | None) -> Iterable[tuple[object, dict | None]]:
    """Each record once, or each row (an object) of its table ``form.field``."""
    for record in records:
        if table is None:
            yield record, None
            continue
        form_id, name = table.split(".")
        rows = ((record.data or {}).get(form_id) or {}).get(name) or []
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict):
                yield record, row


def json_line(record, dims) -> tuple[str, ...]:
    """A record's line of ``einzeldaten.csv``: months, then every dimension's labels."""
    cells = []
    for d in dims:
        values = []
        for _, row in units([record], d.table):
            values += d.values(record, row)
        cells.append("; ".join(sorted(set(values))))
    created, updated = (clock.local_date(m) for m in (record.created_at, record.updated_at))
    return (f"{created:%Y-%m}", f"{updated:%Y-%m}", *cells)
