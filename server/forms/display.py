"""Values as people read them: labels, German dates and numbers; and what changed.

``lookup`` (see server/web/values.py ValueLookup) turns reference ids into titles for a
viewer who may read them; without it references show as numbers.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from ..schema.definitions import FieldDef, FormDef
from ..schema.fieldtypes import field_type, is_empty
from ..schema.fieldtypes.table import row_text


def display(field: FieldDef, value: Any, lookup: Any = None) -> str:
    """A clean value as text for people (labels, German dates and numbers, record titles)."""
    return field_type(field.type).display(field, value, lookup)


def _blank(value: Any) -> bool:
    return value in (None, "", [])


def changes(
    form: FormDef,
    before: dict[str, Any],
    after: dict[str, Any],
    lookup: Any = None,
) -> list[dict[str, str]]:
    """Field-by-field differences between two saves of a form; tables row by row."""
    out = []
    for f in form.fields:
        old, new = before.get(f.name), after.get(f.name)
        if (_blank(old) and _blank(new)) or old == new:
            continue
        if f.columns:  # a table: row by row
            out.extend(_table_changes(f, old or [], new or [], lookup))
            continue
        old_text, new_text = display(f, old, lookup), display(f, new, lookup)
        if old_text != new_text:  # an unticked box saved as "off" was "Nein" before, too
            out.append({"label": f.label, "old": old_text, "new": new_text})
    return out


def _table_changes(field: FieldDef, old: list, new: list, lookup) -> list[dict[str, str]]:
    """Rows added, removed and changed (cell by cell), matched like lines in a text diff.

    Where rows differ, an old and a new row that share a cell count as the same row changed
    (Bälle 300 -> Bälle 350), the others as removed and added.
    """
    key = [json.dumps(r, sort_keys=True, default=str) for r in old]
    new_key = [json.dumps(r, sort_keys=True, default=str) for r in new]
    out: list[tuple[int, dict[str, str]]] = []
    matcher = difflib.SequenceMatcher(a=key, b=new_key, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = _pair_rows(field, old, new, range(i1, i2), range(j1, j2))
        for i, j in pairs:
            before, after = old[i] or {}, new[j] or {}
            for c in field.columns:
                a, b = before.get(c.name), after.get(c.name)
                shown = display(c, a, lookup), display(c, b, lookup)
                if a != b and not (_blank(a) and _blank(b)) and shown[0] != shown[1]:
                    label = f"{field.label}, Zeile {j + 1}: {c.label}"
                    out.append((j, _change(label, *shown)))
        for i in sorted(set(range(i1, i2)) - {i for i, _ in pairs}):
            label = f"{field.label}: Zeile {i + 1} entfernt"
            out.append((j1, _change(label, row_text(field, old[i], lookup), "")))
        for j in sorted(set(range(j1, j2)) - {j for _, j in pairs}):
            label = f"{field.label}: Zeile {j + 1} hinzugefügt"
            out.append((j, _change(label, "", row_text(field, new[j], lookup))))
    out.sort(key=lambda item: item[0])  # in the order of the rows as they are now
    return [change for _, change in out]


def _change(label: str, old: str, new: str) -> dict[str, str]:
    return {"label": label, "old": old, "new": new}


def _pair_rows(field: FieldDef, old: list, new: list, olds, news) -> list[tuple[int, int]]:
    """Old and new rows that share at least one filled cell, most similar first."""

    def shared(a: Any, b: Any) -> int:
        a, b = a if isinstance(a, dict) else {}, b if isinstance(b, dict) else {}
        return sum(
            1 for c in field.columns if not _blank(a.get(c.name)) and a.get(c.name) == b.get(c.name)
        )

    scored = sorted(
        ((shared(old[i], new[j]), i, j) for i in olds for j in news),
        key=lambda s: (-s[0], s[1], s[2]),
    )
    pairs, used_old, used_new = [], set(), set()
    for score, i, j in scored:
        if score and i not in used_old and j not in used_new:
            pairs.append((i, j))
            used_old.add(i)
            used_new.add(j)
    return sorted(pairs)


def search_text(forms: dict[str, FormDef], data: dict[str, Any], title: str) -> str:
    """Lower-case text a record is found by: its title and every displayed value."""
    parts = [title]
    for form_id, values in (data or {}).items():
        form = forms.get(form_id)
        if form is None:
            continue
        for f in form.fields:
            value = (values or {}).get(f.name)
            if not is_empty(value) and field_type(f.type).searchable:
                parts.append(display(f, value))
    return " ".join(parts).lower()[:20000]
