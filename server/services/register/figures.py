"""The register's figures on the start pages: measures by status, decisions, escalations and
the open measures soonest due – as the person may see them.

The start pages of the coordination, the team leads and the secretaries show them on every
visit. Worked out per request from every entry (a copy of each, the meetings checked one by
one), they cost ~2 ms at 505 meetings; now they are worked out once per read scope (everyone
who reads the same meetings shares them) and kept beside the entries until the minutes
change (:func:`.entry_cache.kept_beside`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ...config import Settings
from ...models import User
from ...schema.definitions import Definitions
from ..errors import NotFound
from ..records.access import read_check, read_scope_key
from .decisions import kept_entries, may_see_register, register_config, register_workflow
from .entry_cache import kept_beside
from .filters import OPEN


@dataclass(frozen=True)
class RegisterFigures:
    """What a start page shows of the register (shared between readers: read only)."""

    by_status: Counter  # "ueberfaellig", a status, or "offen" (no status yet) → measures
    decisions: int
    measures: int
    escalations: int
    open_measures: tuple[dict[str, Any], ...]  # soonest due first, undated last


def register_figures(defs: Definitions, settings: Settings, user: User) -> RegisterFigures:
    """The register's figures as ``user`` may see them; NotFound if not at all."""
    config = register_config(settings)
    if register_workflow(defs, config) is None or not may_see_register(defs, settings, user):
        raise NotFound("Diese Seite gibt es nicht.")
    made = kept_entries(defs, config)
    key = ("figures", read_scope_key(defs, user, config.workflow))
    return kept_beside(made, key, lambda: _figures(made, read_check(defs, user, config.workflow)))


def _figures(made, may_read) -> RegisterFigures:
    entries, meetings = made
    readable = {i for i, meeting in meetings.items() if may_read(meeting)}
    seen = [e for e in entries if e["record_id"] in readable]
    measures = [e for e in seen if e["measure"]]
    open_measures = sorted(
        (e for e in measures if e["status"] in OPEN),
        key=lambda e: (e["due"] is None, e["due"] or dt.date.max),
    )
    return RegisterFigures(
        by_status=Counter(
            "ueberfaellig" if e["overdue"] else e["status"] or "offen" for e in measures
        ),
        decisions=sum(1 for e in seen if e["decision"]),
        measures=len(measures),
        escalations=sum(1 for e in seen if e["escalation"]),
        open_measures=tuple(open_measures),
    )
