"""Benchmark: what the work limits of conditions cost (issue 12, item 1).

Every ``when`` of the KIM workflows (``workflows/*.toml``) is evaluated against filled-in
sample data (every field of the workflow's forms set, tables with three rows), in the same
process, measured alternately:

* baseline — the same source compiled by a plain ``ImmutableSandboxedEnvironment`` (Jinja's
  own sandbox, constant folding on, nothing intercepted) and called with the same names;
* verbund  — :func:`server.schema.expressions.evaluate_condition`, as the workflow engine
  calls it: Verbund's rules for missing data, and every operation, filter, call and attribute
  access measured against the limits (integer bits, text/list size, the time budget).

Run: ``.venv/bin/python bench/bench_expressions.py [repetitions]``. Prints the median
microseconds per evaluation over all guards and the ratio. The same script runs against a
checkout from before the limits, so "before" and "after" compare like with like.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jinja2 import ChainableUndefined  # noqa: E402
from jinja2.sandbox import ImmutableSandboxedEnvironment  # noqa: E402

from server.forms.validation import typed_values  # noqa: E402
from server.schema import load_definitions  # noqa: E402
from server.schema.expressions import evaluate_condition  # noqa: E402

RAW = {  # a submitted value per field type, before cleaning
    "text": "Beispiel",
    "textarea": "Beispiel\nmit zwei Zeilen",
    "email": "a@example.org",
    "integer": 7,
    "decimal": "12.5",
    "date": "2026-03-01",
    "boolean": True,
    "reference": 1,
    "file": {"id": 1},
}


def raw_value(field):
    if field.type == "select":
        return field.choices[0].value if field.choices else "x"
    if field.type == "multiselect":
        return [c.value for c in field.choices]
    if field.type == "table":
        return [{c.name: raw_value(c) for c in field.columns} for _ in range(3)]
    return RAW.get(field.type, "Beispiel")


def guards():
    """(source, context) for every guarded transition of the KIM configuration."""
    defs, _ = load_definitions(ROOT / "forms", ROOT / "workflows", {})
    out = []
    for workflow in defs.workflows.values():
        context = {
            form_id: typed_values(form, {f.name: raw_value(f) for f in form.fields})
            for form_id in workflow.form_ids
            if (form := defs.forms.get(form_id))
        }
        context["record"] = {"id": 1, "state": workflow.initial, "consent_given": True}
        out += [(t.when, context) for t in workflow.transitions if t.when]
    return out


def per_call(fn, repeat: int) -> float:
    """Median seconds of one ``fn()`` over ``repeat`` runs of 20 calls."""
    fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(20):
            fn()
        samples.append((time.perf_counter() - t0) / 20)
    return statistics.median(samples)


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    plain = ImmutableSandboxedEnvironment(undefined=ChainableUndefined, autoescape=False)
    cases = guards()
    baseline, verbund = [], []
    for source, context in cases:
        expression = plain.compile_expression(source, undefined_to_none=False)
        names = {k: v for k, v in context.items() if v is not None}
        baseline.append(per_call(lambda e=expression, n=names: bool(e(**n)), repeat))
        verbund.append(per_call(lambda s=source, c=context: evaluate_condition(s, c), repeat))
    base, ours = sum(baseline), sum(verbund)
    print(f"Python {platform.python_version()}, {len(cases)} KIM guards, {repeat}×20 calls each")
    print(f"  plain Jinja sandbox   {base / len(cases) * 1e6:8.2f} µs per guard (mean of medians)")
    print(f"  evaluate_condition    {ours / len(cases) * 1e6:8.2f} µs per guard")
    print(f"  ratio                 {ours / base:8.2f}x")
    slowest = max(range(len(cases)), key=lambda i: verbund[i])
    print(f"  slowest guard         {verbund[slowest] * 1e6:8.2f} µs: {cases[slowest][0][:70]}")


if __name__ == "__main__":
    main()
