"""The single-record export (``einzeldaten.csv``), k-anonymous with k = ``min_cell``.

One line per record: months of creation and change and the non-personal choice fields of
:func:`~.statistics.dimensions` – no id, no pseudonym, no name, no free text. Every column is
a quasi-identifier, so the whole line is one, and every line must occur at least k times
(local suppression, :func:`k_anonymous_counts`).

Lines are counted as they are read, a chunk of records at a time: memory grows with the
number of *different* lines (months × declared choices), not with the records. Holding every
line as a list (and a copy per suppression round), as before, took a million cases into
gigabytes in one request (issue 21: no request over 300 MB). The values come from
``record_value`` (the raw JSON of every choice field, kept by triggers for the statistics),
not from the records' JSON: parsing each case's document and labelling each of its values
took ~250 µs a case (a million: 7 minutes).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from peewee import fn

from ... import clock
from ...models import Record, RecordValue, database, is_sqlite, unindexed
from ...schema.definitions import Definitions, WorkflowDef
from .dimension_fill import require_filled
from .statistics import Dimension, dimensions
from .tallied import RECORD_KEYS

SUPPRESSED = "*"
CHUNK = 2_000  # records read per statement: a bounded slice of JSON in memory at a time
Line = tuple[str, ...]


class LineStore:
    """Different lines and how often each occurs, in a temporary SQLite file: a million
    different lines stay on disk, not in the process. Only non-personal values (months and
    declared choices), and the file is deleted by :meth:`close`."""

    def __init__(self, width: int) -> None:
        self.width = width
        self._folder = tempfile.TemporaryDirectory(prefix="verbund-einzeldaten-")
        self._db = sqlite3.connect(Path(self._folder.name) / "lines.db")
        self._db.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to recover
        self._db.execute("PRAGMA synchronous = OFF")
        self._columns = ", ".join(f"c{j}" for j in range(width))
        self._db.execute(
            f"CREATE TABLE lines ({', '.join(f'c{j} TEXT NOT NULL' for j in range(width))}, "
            f"n INTEGER NOT NULL, PRIMARY KEY ({self._columns})) WITHOUT ROWID"
        )
        self._marks = ", ".join("?" * (width + 1))

    def add(self, counts: Counter[Line]) -> None:
        """Add ``counts`` (a chunk's lines) to those stored."""
        self._db.executemany(
            f"INSERT INTO lines VALUES ({self._marks}) "
            f"ON CONFLICT ({self._columns}) DO UPDATE SET n = n + excluded.n",
            ((*line, n) for line, n in counts.items()),
        )

    def suppress(self, k: int) -> None:
        """Local suppression (see :func:`k_anonymous`), in place."""
        distinct = [
            self._db.execute(f"SELECT COUNT(DISTINCT c{j}) FROM lines").fetchone()[0]
            for j in range(self.width)
        ]
        for column in sorted(range(self.width), key=lambda j: -distinct[j]):
            if self._db.execute("SELECT 1 FROM lines WHERE n < ? LIMIT 1", [k]).fetchone() is None:
                return
            moved = ", ".join("?" if j == column else f"c{j}" for j in range(self.width))
            self._db.execute("DROP TABLE IF EXISTS temp.rare")
            self._db.execute("CREATE TEMP TABLE rare AS SELECT * FROM lines WHERE n < ?", [k])
            self._db.execute("DELETE FROM lines WHERE n < ?", [k])
            # "WHERE true": SQLite reads ON CONFLICT after a SELECT only behind a WHERE
            self._db.execute(
                f"INSERT INTO lines SELECT {moved}, n FROM rare WHERE true "
                f"ON CONFLICT ({self._columns}) DO UPDATE SET n = n + excluded.n",
                [SUPPRESSED],
            )

    def kept(self, k: int) -> Iterator[tuple[Line, int]]:
        """The lines occurring at least ``k`` times, sorted, with their counts."""
        rows = self._db.execute(
            f"SELECT {self._columns}, n FROM lines WHERE n >= ? ORDER BY {self._columns}", [k]
        )
        for row in rows:
            yield tuple(row[:-1]), row[-1]

    def left_out(self, k: int) -> int:
        return self._db.execute(
            "SELECT COALESCE(SUM(n), 0) FROM lines WHERE n < ?", [k]
        ).fetchone()[0]

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()


def k_anonymous(rows: list[list[str]], k: int) -> tuple[list[list[str]], int]:
    """Rows in which every row occurs at least ``k`` times, and how many were left out.

    Local suppression: while some rows are rarer than ``k``, one column after the other
    (the one with the most different values first: it splits groups most) is replaced by
    „*“ in those rare rows only. Rows still rarer than ``k`` once every column is tried are
    left out. „*“ is compared as a value of its own, so the result itself is k-anonymous:
    whoever knows everything about a person except the suppressed cells still finds at
    least ``k`` lines that could be theirs. The rows come back sorted, so their order tells
    nothing (e.g. which case was opened first).
    """
    if not rows:
        return [], 0
    store = LineStore(len(rows[0]))
    try:
        store.add(Counter(tuple(row) for row in rows))
        store.suppress(k)
        kept = [list(line) for line, n in store.kept(k) for _ in range(n)]
        return kept, store.left_out(k)
    finally:
        store.close()


class _Cells:
    """A record's cells from its stored values, each distinct value labelled once.

    The values are the raw JSON that ``record_value`` keeps for every choice field and
    column (written by the same triggers the statistics count from); a cell is what
    :class:`~.statistics.Dimension` makes of the value, the labels sorted and joined, as
    the statistics label them. A million cases hold a few thousand distinct values: each
    is parsed and labelled once, not once per case."""

    def __init__(self, dims: list[Dimension]) -> None:
        self.dims = dims
        self.memo: list[dict] = [{} for _ in dims]
        self.lines: dict[tuple, tuple[str, ...]] = {}  # whole lines: far fewer than cases
        self.months: dict[tuple, str] = {}

    def line(self, record, stored: str | None) -> Line:
        """``record``'s line from its stored values (:func:`_stored_values`; None: none)."""
        key = (record.state, record.organisation_id, stored)
        cells = self.lines.get(key)
        if cells is None:
            if len(self.lines) >= KEPT_LINES:
                self.lines.clear()
            cells = self.lines[key] = self._cells(record, _parsed(stored))
        return (self._month(record.created_at), self._month(record.updated_at), *cells)

    def _cells(self, record, values: dict[str, list[str]]) -> tuple[str, ...]:
        cells = []
        for d, memo in zip(self.dims, self.memo, strict=True):
            if d.key in RECORD_KEYS:
                raw = record.state if d.key == "state" else record.organisation_id
            elif d.table is None:
                raw = values.get(d.key, ["null"])[0]
            else:
                raw = tuple(sorted(values.get(d.key, ())))
            cell = memo.get(raw)
            if cell is None:
                cell = memo[raw] = self._cell(d, record, raw)
            cells.append(cell)
        return tuple(cells)

    def _month(self, moment) -> str:
        # the month of the Berlin date: in UTC a case opened at 00:30 on the 1st fell a month
        # early; Berlin is a whole number of hours off UTC, so the hour decides
        key = (moment.year, moment.month, moment.day, moment.hour)
        month = self.months.get(key)
        if month is None:
            month = self.months[key] = f"{clock.local_date(moment):%Y-%m}"
        return month

    @staticmethod
    def _cell(d: Dimension, record, raw) -> str:
        if d.key in RECORD_KEYS:
            labels = d.values(record, None)
        elif d.table is None:
            form_id, name = d.key.split(".")
            labels = d.values(_Values({form_id: {name: json.loads(raw)}}), None)
        else:  # the column's value in each row of the table
            column = d.key.split(".")[2]
            labels = [label for one in raw for label in d.values(record, {column: json.loads(one)})]
        return "; ".join(sorted(set(labels)))


KEPT_LINES = 20_000  # whole lines remembered at most: their keys are ~1 KB of text each
ROW, FIELD = "\x1e", "\x1f"  # control characters: JSON text escapes them, never holds one


def _parsed(stored: str | None) -> dict[str, list[str]]:
    """dimension → its raw values (a table column: one per row) from the joined text."""
    values: dict[str, list[str]] = {}
    for item in stored.split(ROW) if stored else ():
        dimension, _, raw = item.partition(FIELD)
        values.setdefault(dimension, []).append(raw)
    return values


@dataclass(frozen=True)
class _Values:
    data: dict  # what a Dimension reads of a record: its JSON, here only the one value


def stored_lines(workflow: WorkflowDef, dims: list[Dimension]) -> LineStore:
    """Every record's line, counted in a :class:`LineStore`: the records' own columns
    :data:`CHUNK` records at a time by id, their choice values from ``record_value`` for
    the same ids (never the records' JSON: ~100 µs a case to parse), a chunk's lines
    counted in memory first. Raises :class:`.record_values.StillFilling` while a
    dimension is still being filled (no export from partial values)."""
    stored = [d.key for d in dims if d.key not in RECORD_KEYS]
    require_filled(workflow.id, stored)
    cells = _Cells(dims)
    columns = (Record.id, Record.state, Record.organisation_id, Record.created_at)
    # the workflow unindexed: else SQLite took (workflow, created_at, …) and read every
    # record of the workflow for each chunk, to sort them by id (1M: 0.2 s a chunk)
    query = Record.select(*columns, Record.updated_at).where(
        unindexed(Record.workflow) == workflow.id
    )
    store = LineStore(2 + len(dims))
    last = 0
    try:
        while True:
            chunk = list(query.where(Record.id > last).order_by(Record.id).limit(CHUNK).objects())
            if not chunk:
                return store
            values = _stored_values(workflow.id, stored, chunk[0].id, chunk[-1].id)
            store.add(Counter(cells.line(r, values.get(r.id)) for r in chunk))
            if len(chunk) < CHUNK:
                return store
            last = chunk[-1].id
    except BaseException:
        store.close()
        raise


def _stored_values(workflow: str, keys: list[str], first: int, last: int) -> dict:
    """record id → its stored values of ``keys`` joined into one text (``dimension`` FIELD
    ``raw JSON`` ROW …; a missing value as ``null``), for the ids ``first``..``last``.
    Joined in the database: 26 dimensions of a million cases are 28 million rows, too many
    to hand to Python one by one, and equal texts make equal lines (:class:`_Cells`)."""
    if not keys:
        return {}
    joined = fn.group_concat if is_sqlite() else fn.string_agg
    item = RecordValue.dimension.concat(FIELD).concat(fn.COALESCE(RecordValue.value, "null"))
    query = (
        RecordValue.select(RecordValue.record_id, joined(item, ROW))
        .where(
            (RecordValue.record_id.between(first, last))
            # the primary key's range: rows by record, dimension, row (no sort, the same
            # order for the same values); SQLite took the counting index's 26 ranges
            & (unindexed(RecordValue.workflow) == workflow)
            & (unindexed(RecordValue.dimension).in_(keys))
        )
        .group_by(RecordValue.record_id)
    )
    # the cursor's plain tuples: peewee's row wrapper cost more than the query (~3 µs a row)
    return dict(database.execute_sql(*query.sql()).fetchall())


def microdata_file(defs: Definitions, workflow: WorkflowDef, k: int) -> tuple[IO[bytes], int, int]:
    """The export as a CSV file (UTF-8 with a byte-order mark, so that spreadsheet programs
    read the umlauts right), at its start: ``(file, lines, left out)``. A temporary file:
    the caller sends it and closes it, which deletes it.

    A pseudonym would let two exports be laid side by side, and the difference could single
    a person out again, so there is none."""
    k = max(1, k)
    dims = list(dimensions(defs, workflow))
    store = stored_lines(workflow, dims)
    try:
        store.suppress(k)
        out = tempfile.TemporaryFile()
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, delimiter=";")
        writer.writerow(["Angelegt (Monat)", "Geändert (Monat)", *(d.label for d in dims)])
        lines = 0
        for line, n in store.kept(k):
            writer.writerows([line] * n)
            lines += n
        text.flush()
        text.detach()  # the binary file stays open for sending
        out.seek(0)
        return out, lines, store.left_out(k)
    finally:
        store.close()
