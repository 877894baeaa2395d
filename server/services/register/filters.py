"""What the register screen, its exports and the Lenkungskreis report narrow the register to:
a group, a status (or overdue / off track), decisions or measures, who is responsible, a
text, a span of meeting dates, escalation. Read from query parameters without ever failing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ...german import datum

STATUSES = (
    ("offen", "offen"),
    ("in_arbeit", "in Arbeit"),
    ("erledigt", "erledigt"),
    ("verworfen", "verworfen"),
)
OPEN = ("offen", "in_arbeit")
KINDS = (("beschluss", "Beschlüsse"), ("massnahme", "Maßnahmen"))


def iso_date(value: Any) -> dt.date | None:
    """``value`` as a date if it is an ISO date string, else None."""
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@dataclass(frozen=True)
class RegisterFilters:
    """What the register screen and its exports are narrowed to."""

    group: str = ""
    status: str = ""  # a status value, "ueberfaellig" or "nicht_im_plan"
    kind: str = ""  # "beschluss" | "massnahme"
    owner: str = ""
    text: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    escalation: bool = False

    @classmethod
    def from_args(cls, args: Any) -> RegisterFilters:
        """From query parameters; anything unreadable is ignored, never an error."""

        def day(key: str) -> dt.date | None:
            value = str(args.get(key, "") or "").strip()
            parsed = iso_date(value)
            if parsed is None and value.count(".") == 2:
                try:
                    d, m, y = (int(x) for x in value.split("."))
                    parsed = dt.date(y, m, d)
                except ValueError:
                    parsed = None
            return parsed

        return cls(
            group=str(args.get("gremium", "") or "")[:64],
            status=str(args.get("stand", "") or "")[:32],
            kind=str(args.get("art", "") or "")[:32],
            owner=str(args.get("verantwortlich", "") or "").strip()[:200],
            text=str(args.get("suche", "") or "").strip()[:200],
            date_from=day("von"),
            date_to=day("bis"),
            escalation=str(args.get("eskalation", "")) in ("1", "on", "ja"),
        )

    def narrows(self) -> bool:
        """Whether any filter is set (else every entry matches)."""
        return self != RegisterFilters()

    def matches(self, e: dict[str, Any]) -> bool:
        if self.group and e["group_value"] != self.group:
            return False
        if self.status == "ueberfaellig" and not e["overdue"]:
            return False
        if self.status == "nicht_im_plan" and not e["off_track"]:
            return False
        if self.status not in ("", "ueberfaellig", "nicht_im_plan") and e["status"] != self.status:
            return False
        if self.kind == "beschluss" and not e["decision"]:
            return False
        if self.kind == "massnahme" and not e["measure"]:
            return False
        if self.owner and self.owner.casefold() not in e["owner"].casefold():
            return False
        if self.text:
            haystack = " ".join(e[k] for k in ("topic", "decision", "measure", "indicator"))
            if self.text.casefold() not in haystack.casefold():
                return False
        if self.date_from and (e["date"] is None or e["date"] < self.date_from):
            return False
        if self.date_to and (e["date"] is None or e["date"] > self.date_to):
            return False
        return not (self.escalation and not e["escalation"])

    def describe(self) -> str:
        """The filters in words, for the heading of an export."""
        parts = []
        if self.group:
            parts.append(f"Gremium: {self.group}")
        if self.status:
            label = dict(STATUSES).get(self.status)
            if label is None:
                label = "nicht im Plan" if self.status == "nicht_im_plan" else "überfällig"
            parts.append(f"Stand: {label}")
        if self.kind:
            parts.append(dict(KINDS).get(self.kind, self.kind))
        if self.owner:
            parts.append(f"Verantwortlich: {self.owner}")
        if self.text:
            parts.append(f"Suche: {self.text}")
        if self.date_from:
            parts.append(f"ab {datum(self.date_from)}")
        if self.date_to:
            parts.append(f"bis {datum(self.date_to)}")
        if self.escalation:
            parts.append("nur mit Beteiligung politischer Gremien")
        return "; ".join(parts) or "alle Einträge"
