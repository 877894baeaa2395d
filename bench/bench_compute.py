"""Benchmark: validating a 200-field form with 20 calculated fields and 50 table rows.

The form of ``bench_forms.py`` (200 fields, two tables), with both tables filled with 50 rows
and 20 of its fields replaced by ``compute`` fields (sums and counts over the tables, a
rounded product, days between two dates). The baseline, in the same process, measured
alternately: the same form written by hand with WTForms, ``validate()``, plus the same 20
computations written by hand in Python with ``Decimal``.

Run: ``.venv/bin/python bench/bench_compute.py [repetitions]``. Prints medians; the goal
(issue 20) is at most the baseline's time.
"""

from __future__ import annotations

import statistics
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_forms as base  # noqa: E402

from server.forms import raw_from_formdata, validate_form  # noqa: E402
from server.schema import parse_form  # noqa: E402

ROWS = 50
# (field replaced, its type, expression): five of each kind of computation
COMPUTED = [
    *[(f"feld_{n:03d}", "decimal", "sum(tabelle_0.betrag)") for n in (13, 22, 31, 40, 49)],
    *[(f"feld_{n:03d}", "integer", "count(tabelle_1)") for n in (12, 21, 30, 39, 48)],
    *[(f"feld_{n:03d}", "decimal", "round(feld_004 * 1.19, 2)") for n in (58, 67, 76, 85, 94)],
    *[(f"feld_{n:03d}", "integer", "days(feld_005, feld_014)") for n in (57, 66, 75, 84, 93)],
]


def form_toml() -> str:
    """bench_forms' form with the fields of COMPUTED turned into calculated ones."""
    text = base.form_toml()
    for name, kind, source in COMPUTED:
        start = text.index(f'name = "{name}"')
        end = text.find("[[fields]]", start)
        end = len(text) if end == -1 else end
        label = f'label = "{name}"\ntype = "{kind}"\ncompute = "{source}"\n\n'
        text = text[:start] + f'name = "{name}"\n' + label + text[end:]
    return text


def submitted():
    data = base.submitted()
    for table in range(base.TABLES):
        for row in range(ROWS):
            key = f"zwei-tabelle_{table}-{row}"
            data[f"{key}-posten"] = f"Posten {row}"
            data[f"{key}-betrag"] = f"{row}12.50"
            data[f"{key}-datum"] = "2024-05-15"
    for name, _, _ in COMPUTED:
        data.pop(f"zwei-{name}", None)
    return data


def by_hand(form) -> dict:
    """The 20 computations as a developer writes them next to a WTForms form."""
    cent = Decimal("0.01")
    rows0, rows1 = form.tabelle_0.data, form.tabelle_1.data
    values = {}
    for name, _, source in COMPUTED:
        if source.startswith("sum"):
            values[name] = sum((r["betrag"] for r in rows0 if r["betrag"] is not None), Decimal(0))
        elif source.startswith("count"):
            values[name] = sum(1 for r in rows1 if any(r.values()))
        elif source.startswith("round"):
            amount = form.feld_004.data
            values[name] = (
                None if amount is None else (amount * Decimal("1.19")).quantize(cent, ROUND_HALF_UP)
            )
        else:
            start, end = form.feld_005.data, form.feld_014.data
            values[name] = None if start is None or end is None else (end - start).days
    return values


def main() -> int:
    repetitions = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    form, problems = parse_form("zwei", form_toml(), "forms/zwei.toml")
    assert form is not None, problems
    formdata = submitted()
    skip = {name for name, _, _ in COMPUTED}  # computed, so not a field anyone fills in
    cls = type(
        "ZweihundertFelder",
        (base.Form,),
        {
            name: base.wtforms_field(kind, f"Feld {index + 1} ({kind})", index % 10 == 3)
            for index, (name, kind) in enumerate(base.field_kinds())
            if name not in skip
        },
    )
    wt_formdata = base.wtforms_formdata(formdata)

    def ours():
        result = validate_form(form, raw_from_formdata(form, formdata, "zwei-"))
        assert result.ok, result.errors
        return result.values

    def theirs():
        wt = cls(formdata=wt_formdata)
        assert wt.validate(), wt.errors
        return by_hand(wt)

    engine, hand = ours(), theirs()
    for name, _, _ in COMPUTED:  # the same numbers on both sides
        assert Decimal(str(engine[name])) == Decimal(str(hand[name])), name
    results: list[float] = []
    for _ in range(3):
        results.append(base.median_ms(ours, repetitions // 3 or 1))
        results.append(base.median_ms(theirs, repetitions // 3 or 1))
    mine, baseline = statistics.median(results[0::2]), statistics.median(results[1::2])
    print(f"validate, {base.FIELDS} fields, {len(COMPUTED)} computed, {ROWS} rows per table")
    print(f"  engine {mine:7.2f} ms   WTForms + hand-written computations {baseline:7.2f} ms")
    verdict = "met" if mine <= baseline else "NOT met"
    print(f"  {mine / baseline:.2f}x — goal: at most 1.00x — {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
