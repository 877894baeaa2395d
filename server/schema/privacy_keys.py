"""The data-protection tables of a workflow file: ``[[retention]]`` and ``[[consents]]``.

```toml
[[retention]]            # how long records are kept after reaching a final state
state = "closed"
years = 3                # and/or months, days; kept through that day, anonymised the next

[[consents]]             # consents recorded per record and purpose
id = "beratung"
label = "Beratung und Austausch mit den beteiligten Stellen"
version = "2026-01"      # the wording people sign; recorded with every consent
required = true          # withdrawn: the record can only be closed or anonymised
```
"""

from __future__ import annotations

from typing import Any

from .checking import Collector
from .definitions import ConsentDef, RetentionDef, StateDef

RETENTION_KEYS = ("state", "years", "months", "days")
CONSENT_KEYS = ("id", "label", "version", "required")


def parse_retention(
    c: Collector, data: dict[str, Any], states: dict[str, StateDef]
) -> list[RetentionDef]:
    """``[[retention]]``: one rule per final state; partial coverage is warned about."""
    rules: list[RetentionDef] = []
    for index, table in enumerate(c.tables(data, "retention", ())):
        at = ("retention", index)
        where = f"Aufbewahrung Nr. {index + 1}: "
        c.unknown_keys(table, RETENTION_KEYS, at, where)
        state = c.text(table, "state", at, where, required=True)
        years = c.count(table, "years", at, where)
        months = c.count(table, "months", at, where)
        days = c.count(table, "days", at, where)
        if not any(k in table for k in ("years", "months", "days")):
            c.add(at, f"{where}die Frist fehlt (years, months und/oder days)")
            continue
        if state and states and state not in states:
            c.add(at + ("state",), f"{where}Zustand „{state}“ gibt es nicht")
            continue
        if state in states and not states[state].final:
            c.add(
                at + ("state",),
                f"{where}Zustand „{state}“ ist nicht final; Aufbewahrungsfristen beginnen "
                "mit dem Erreichen eines finalen Zustands",
            )
            continue
        if any(r.state == state for r in rules):
            c.add(at + ("state",), f"{where}für „{state}“ gibt es schon eine Frist")
            continue
        if state:
            rules.append(
                RetentionDef(
                    state=state,
                    years=years or 0,
                    months=months or 0,
                    days=days or 0,
                    line=c.lines.line(*at),
                )
            )
    if rules:
        covered = {r.state for r in rules}
        for state in states.values():
            if state.final and state.id not in covered:
                c.add(
                    ("retention",),
                    f"finaler Zustand „{state.id}“ hat keine Aufbewahrungsfrist: "
                    "seine Datensätze werden nie anonymisiert",
                    warning=True,
                )
    return rules


def parse_consents(c: Collector, data: dict[str, Any]) -> list[ConsentDef]:
    """``[[consents]]``: the purposes a record's consent is recorded for."""
    consents: list[ConsentDef] = []
    for index, table in enumerate(c.tables(data, "consents", ())):
        at = ("consents", index)
        cid = table.get("id")
        where = (
            f"Einwilligung „{cid}“: " if isinstance(cid, str) else f"Einwilligung Nr. {index + 1}: "
        )
        c.unknown_keys(table, CONSENT_KEYS, at, where)
        label = c.text(table, "label", at, where, required=True)
        version = c.text(table, "version", at, where, required=True)
        required = c.flag(table, "required", at, where) if "required" in table else True
        if c.entry_id(table, at, where, "Einwilligungs-Id", {x.id for x in consents}) is None:
            continue
        consents.append(
            ConsentDef(
                id=cid, label=label, version=version, required=required, line=c.lines.line(*at)
            )
        )
    return consents
