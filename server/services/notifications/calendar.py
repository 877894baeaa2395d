"""Meeting invitations: which workflows invite, and the ``.ics`` attachment (icalendar).

:data:`INVITATIONS` names, per workflow, the form and fields of an invitation: saving that
form in an inviting state with a date invites every member whose e-mail address (a column of
the members' table) belongs to an active person in Verbund. A changed date or time invites
again (the calendar entry keeps its UID, so calendars update it).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import icalendar

from ...clock import LOCAL_ZONE
from ...models import utcnow


@dataclass(frozen=True)
class Invitation:
    form: str
    date: str
    start: str
    end: str
    place: str
    members: str  # a table field
    email: str  # its column with the member's e-mail address
    states: tuple[str, ...]


INVITATIONS = {
    "meeting": Invitation(
        form="meeting",
        date="date",
        start="start_time",
        end="end_time",
        place="place",
        members="attendance",
        email="email",
        states=("planned",),
    ),
}

TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


def _time(value: Any) -> dt.time | None:
    match = TIME.match(value) if isinstance(value, str) else None
    return dt.time(int(match.group(1)), int(match.group(2))) if match else None


def meeting_moment(invitation: Invitation, data: dict) -> str | None:
    """What identifies one invitation of a meeting: its date and start ("2027-03-04T14:00")."""
    values = data.get(invitation.form) or {}
    day = values.get(invitation.date)
    if not isinstance(day, str) or not day:
        return None
    return f"{day}T{values.get(invitation.start) or ''}"


def member_emails(invitation: Invitation, data: dict) -> set[str]:
    """The e-mail addresses in the members' table (lower case)."""
    rows = (data.get(invitation.form) or {}).get(invitation.members) or []
    found = set()
    for row in rows if isinstance(rows, list) else []:
        value = row.get(invitation.email) if isinstance(row, dict) else None
        if isinstance(value, str) and "@" in value:
            found.add(value.strip().lower())
    return found


def ics_for(
    invitation: Invitation, record_id: int, title: str, data: dict, version: int, link: str
) -> bytes | None:
    """The invitation as an iCalendar file; None when the meeting has no valid date.

    The summary is the neutral title ("Sitzung Nr. 7"), the place is where people meet; no
    other field of the record goes into it.
    """
    values = data.get(invitation.form) or {}
    try:
        day = dt.date.fromisoformat(values.get(invitation.date) or "")
    except (TypeError, ValueError):
        return None
    event = icalendar.Event()
    event.add("uid", f"verbund-{invitation.form}-{record_id}")
    event.add("dtstamp", utcnow().replace(tzinfo=dt.UTC))
    event.add("sequence", int(version))
    event.add("summary", title)
    start = _time(values.get(invitation.start))
    if start is None:
        event.add("dtstart", day)  # all day
        event.add("dtend", day + dt.timedelta(days=1))
    else:
        begins = dt.datetime.combine(day, start, LOCAL_ZONE)
        end = _time(values.get(invitation.end))
        ends = dt.datetime.combine(day, end, LOCAL_ZONE) if end else None
        if ends is None or ends <= begins:
            ends = begins + dt.timedelta(hours=2)
        event.add("dtstart", begins)
        event.add("dtend", ends)
    place = values.get(invitation.place)
    if isinstance(place, str) and place.strip():
        event.add("location", place.strip()[:300])
    if link:
        event.add("url", link)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Verbund//Einladung//DE")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
