"""Statistics without people: counts by phase, organisation and non-personal choice fields.

Dimensions come from the definitions, no configuration needed: the state (phase), the
organisation, and every ``select``, ``multiselect`` and ``boolean`` field that is *not*
``personal`` — also such columns of tables (then rows are counted, e.g. barriers by
category). Names, free text and personal fields never appear.

Small numbers identify people, so every count from 1 to ``min_cell - 1`` is suppressed
(primary), and further cells are suppressed where a suppressed one could be worked out from
a total (secondary: in every row and column, and among the totals, a lone suppressed cell
takes the smallest other one with it). Suppressed cells show as „x“, as in official
statistics. The single-record export is k-anonymous with k = ``min_cell``
(:mod:`.microdata`).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ...models import Organisation, Record
from ...models.stat_values import TOO_LONG
from ...schema.definitions import Definitions, FieldDef, WorkflowDef
from ...schema.fieldtypes import field_type
from ..errors import Invalid
from .categories import declared_choices, declared_states, ordered
from .grouped import grouped_by_period, grouped_units
from .noise import Cells, Noise, note, perturbed, spread
from .periods import CountingDate, Period
from .record_values import sync_dimensions
from .suppression import suppress

CHOICE_TYPES = ("select", "multiselect", "boolean", "scale")
RECORD_KEYS = ("state", "organisation")


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    table: str | None = None  # "form.field" of the table whose rows this counts
    values: Callable[[Record, dict | None], list[str]] = lambda record, row: []
    order: tuple[str, ...] = ()  # labels in declared order (:mod:`.categories`)


def _field_values(field: FieldDef, value: Any) -> list[str]:
    if value in (None, "", []):
        return ["(keine Angabe)"]
    if value == TOO_LONG:  # stored shortened (see models/stat_values.py): its own bucket
        return [TOO_LONG]
    if field.type == "boolean":
        return ["Ja" if value else "Nein"]
    if field.type == "multiselect" and isinstance(value, list):
        return [field.choice_label(v) for v in value] or ["(keine Angabe)"]
    if field.type == "scale":  # "3 von 4 – zufrieden"
        return [field_type(field.type).display(field, value)]
    return [field.choice_label(value)]


def _choice_fields(defs: Definitions, workflow: WorkflowDef):
    """(key, label, table key or None, field or column) of every non-personal choice."""
    for form_id in workflow.form_ids:
        form = defs.forms.get(form_id)
        if form is None:
            continue
        for f in form.fields:
            if f.personal:
                continue
            if f.type in CHOICE_TYPES:
                yield f"{form_id}.{f.name}", f"{form.title}: {f.label}", None, f
            elif f.type == "table":
                for c in f.columns:
                    if not c.personal and c.type in CHOICE_TYPES:
                        key, label = f"{form_id}.{f.name}.{c.name}", f"{form.title}: {f.label}"
                        yield key, f"{label} – {c.label}", f"{form_id}.{f.name}", c


def dimension_keys(defs: Definitions, workflow: WorkflowDef) -> dict[str, tuple[str, str | None]]:
    """Every dimension key with its field type and table, without asking the database."""
    keys: dict[str, tuple[str, str | None]] = {"state": ("state", None)}
    keys["organisation"] = ("organisation", None)
    for key, _label, table, f in _choice_fields(defs, workflow):
        keys[key] = (f.type, table)
    return keys


def stored_dimensions(defs: Definitions) -> dict[str, list[str]]:
    """Per workflow, the dimension keys whose raw values ``record_value`` keeps: the
    non-personal choice fields and columns (state and organisation are record columns)."""
    return {
        workflow.id: [k for k in dimension_keys(defs, workflow) if k not in RECORD_KEYS]
        for workflow in defs.workflows.values()
    }


def sync_stored_dimensions(defs: Definitions) -> tuple[int, int]:
    """Make ``record_value`` keep exactly the dimensions of ``defs`` (new ones declared for
    the background fill, gone or now personal ones emptied); returns (added, removed)."""
    return sync_dimensions(stored_dimensions(defs))


def dimensions(defs: Definitions, workflow: WorkflowDef) -> list[Dimension]:
    """Every dimension the workflow's records can be counted by."""
    states = {s.id: s.label for s in workflow.states}
    orgs: dict = {}

    def organisation(r, row) -> list[str]:
        if not orgs:  # read when first needed: most tables do not count by organisation
            orgs.update({o.id: o.label for o in Organisation.select()} or {None: "(keine)"})
        return [orgs.get(r.organisation_id, "(keine)")]

    out = [
        Dimension(
            "state",
            "Phase / Zustand",
            None,
            lambda r, row: [states.get(r.state, r.state)],
            declared_states(workflow),
        ),
        Dimension("organisation", "Organisation", None, organisation),
    ]
    for key, label, table, f in _choice_fields(defs, workflow):
        if table is None:
            form_id, name = key.split(".")

            def values(r, row, form_id=form_id, name=name, f=f):
                return _field_values(f, ((r.data or {}).get(form_id) or {}).get(name))
        else:

            def values(r, row, f=f):
                return _field_values(f, (row or {}).get(f.name))

        out.append(Dimension(key, label, table, values, declared_choices(f)))
    return out


@dataclass
class Table:
    row_label: str
    column_label: str
    rows: list[str]
    columns: list[str]
    cells: list[list[int | None]]  # None: suppressed
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None
    unit: str  # what is counted ("Datensätze" or "Einträge")
    noise: int = 0  # shown figures lie within ±noise of the true ones (:mod:`.noise`)


def count_table(
    defs: Definitions,
    workflow: WorkflowDef,
    row_key: str,
    column_key: str | None,
    min_cell: int = 5,
    where: str | None = None,
    period: Period | None = None,
    counting_date: CountingDate | None = None,
    *,
    from_json: bool = False,
    noise: Noise | None = None,
) -> Table:
    """Counts of the workflow's records by one or two dimensions, small cells suppressed.

    ``where`` names a yes/no dimension: only what is "Ja" there is counted (e.g. barriers
    flagged for the system level). ``period``: only records whose ``counting_date`` (by
    default the Berlin day they were created) lies in it (:mod:`.periods`). ``from_json``:
    count from the records' JSON, not from ``record_value`` (the benchmark's baseline).
    ``noise``: shown counts perturbed after the suppression (:mod:`.noise`)."""
    periods = [period] if period is not None else None
    args = (row_key, column_key, min_cell, where, periods, counting_date)
    return count_tables(defs, workflow, *args, from_json=from_json, noise=noise)[0]


def count_tables(
    defs: Definitions,
    workflow: WorkflowDef,
    row_key: str,
    column_key: str | None,
    min_cell: int = 5,
    where: str | None = None,
    periods: Sequence[Period] | None = None,
    counting_date: CountingDate | None = None,
    *,
    from_json: bool = False,
    noise: Noise | None = None,
) -> list[Table]:
    """:func:`count_table` for each of ``periods`` (None: one table of all records), counted
    in one statement – a report's period and the one before read the index once."""
    by_key = {d.key: d for d in dimensions(defs, workflow)}
    row_dim = by_key.get(row_key)
    column_dim = by_key.get(column_key) if column_key else None
    where_dim = by_key.get(where) if where else None
    if row_dim is None or (column_key and column_dim is None) or (where and where_dim is None):
        raise Invalid("Unbekannte Auswertung.", {"rows": ["Bitte eine Zeile wählen."]})
    chosen = (row_dim, column_dim, where_dim)
    tables = {d.table for d in chosen if d is not None and d.table}
    if len(tables) > 1:
        raise Invalid(
            "Zwei Tabellenspalten aus verschiedenen Tabellen lassen sich nicht kreuzen.",
            {"columns": ["Bitte nur eine Tabellenspalte wählen."]},
        )
    table = next(iter(tables), None)
    # the database counts each combination of raw values; the labels are applied per group
    keys = [d.key for d in chosen if d is not None]
    if periods is None:
        groups = [list(grouped_units(workflow.id, keys, table, from_json=from_json))]
    else:
        date = counting_date or CountingDate()
        groups = grouped_by_period(
            workflow.id, keys, table, date, list(periods), from_json=from_json
        )
    base = ("count", workflow.id, table or "", where or "")  # who a figure counts (noise)
    return [_tabulate(g, chosen, table, min_cell, base, noise) for g in groups]


def _tabulate(groups, chosen, table, min_cell: int, base: tuple, noise: Noise | None) -> Table:
    """The labelled, suppressed (and perturbed) table of the raw groups."""
    row_dim, column_dim, where_dim = chosen
    counts: Counter = Counter()
    row_totals: Counter = Counter()
    column_totals: Counter = Counter()
    total = 0
    for record, row, n in groups:
        if where_dim is not None and "Ja" not in where_dim.values(record, row):
            continue
        total += n
        row_values = set(row_dim.values(record, row))
        column_values = set(column_dim.values(record, row)) if column_dim else {"Anzahl"}
        for r in row_values:
            row_totals[r] += n
            for c in column_values:
                counts[(r, c)] += n
        for c in column_values:
            column_totals[c] += n
    rows = ordered(row_totals, row_dim.order)
    columns = ordered(column_totals, column_dim.order) if column_dim else ["Anzahl"]
    cells = [[counts[(r, c)] for c in columns] for r in rows]
    shown = suppress(
        cells, [row_totals[r] for r in rows], [column_totals[c] for c in columns], total, min_cell
    )
    names = Cells(base, row_dim.key, rows, column_dim.key if column_dim else None, columns)
    return Table(
        row_label=row_dim.label,
        column_label=column_dim.label if column_dim else "",
        rows=rows,
        columns=columns,
        unit="Einträge" if table else "Datensätze",
        noise=spread(noise),
        **perturbed(shown, noise, names, min_cell),
    )


def table_csv(table: Table) -> str:
    """The shown table as CSV (semicolons, as German spreadsheets expect); „x“ = suppressed.
    Perturbed figures (:mod:`.noise`) end with a line saying so."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([table.row_label, *table.columns, "Summe"])
    for label, row, total in zip(table.rows, table.cells, table.row_totals, strict=True):
        writer.writerow([label, *(_cell(n) for n in row), _cell(total)])
    writer.writerow(["Summe", *(_cell(n) for n in table.column_totals), _cell(table.total)])
    if table.noise:
        writer.writerow([note(table.noise)])
    return out.getvalue()


def _cell(n: int | None) -> str:
    return "x" if n is None else str(n)
