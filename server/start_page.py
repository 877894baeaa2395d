"""The start page per role: ``[[start]]`` entries of config.toml, what they may say, checks.

Each entry is one building block ("widget") of the start page for the roles it names::

    [[start]]
    roles = ["team_lead"]
    widget = "by_owner"              # what to show (WIDGETS below)
    title = "Fälle je Person und Phase"
    workflow = "case_management"

A person sees the blocks of all their roles, in the order of the file, each once. Without a
matching entry the start page shows the standard blocks (STANDARD). Reminders are always
shown. Whatever a block shows obeys the usual access rules (server/web/start_widgets.py):
lists and charts of records count only records the person may read, ``statistic`` blocks
only render for holders of ``[privacy] statistics_roles`` and suppress small numbers.

Two levels of checks, like ``[register]``: :func:`entry_problems` needs nothing but the entry
(config.py runs it when config.toml is read: unknown keys, wrong types, missing keys);
:func:`server.services.configuration.start_check.start_problems` checks entries against the
forms and workflows (``verbund check``); it lives with the services because it needs the
register and the statistics, which config.py, below them, must not import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# the period names of [[reports]] with the same meaning, so one word means one thing in
# config.toml: quarter/year the last complete one, current_* the running one, all no period
from .report_settings import PERIODS

LIMIT = 10  # entries of a list block without a limit of its own
# people of a by_owner chart without a limit: a team, not the whole city (a chart of hundreds
# of bars is unreadable, and the page would grow with the number of case managers)
OWNERS_SHOWN = 25

# key -> (type, German description of the type)
KEYS: dict[str, tuple[type, str]] = {
    "roles": (list, "eine Liste von Rollen"),
    "widget": (str, "ein Text"),
    "title": (str, "ein Text"),
    "workflow": (str, "ein Text (Ablauf-Id)"),
    "mine": (bool, "wahr oder falsch"),
    "open_only": (bool, "wahr oder falsch"),
    "states": (list, "eine Liste von Zuständen"),
    "limit": (int, "eine ganze Zahl"),
    "rows": (str, "ein Text (Merkmal der Statistik)"),
    "where": (str, "ein Text (Ja/Nein-Merkmal der Statistik)"),
    "date": (str, "ein Text (<formular>.<datumsfeld>)"),
    "days": (int, "eine ganze Zahl"),
    "escalated": (bool, "wahr oder falsch"),
    "period": (str, f"einer von {', '.join(PERIODS)}"),
}

# widget -> (German description, keys it needs, keys it may have besides roles/widget/title)
WIDGETS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "deadlines": (
        "offene Fristen (eigene oder, mit mine = false, alle lesbaren; escalated: nur eskalierte)",
        (),
        ("mine", "limit", "escalated"),
    ),
    "records": (
        "Liste von Datensätzen eines Ablaufs",
        ("workflow",),
        ("mine", "open_only", "states", "limit"),
    ),
    "by_state": ("Diagramm: Datensätze je Zustand", ("workflow",), ("mine", "open_only", "states")),
    "by_owner": (
        "Diagramm: Datensätze je Person und Zustand (höchstens limit Personen, ohne Angabe "
        f"{OWNERS_SHOWN}: die mit den meisten Datensätzen; die übrigen in einer Summe)",
        ("workflow",),
        ("open_only", "states", "limit"),
    ),
    "statistic": (
        "Diagramm der Statistik ohne Personen",
        ("workflow", "rows"),
        ("where", "period"),
    ),
    "register": ("Beschluss- und Maßnahmenregister in Zahlen", (), ("limit",)),
    "upcoming": ("anstehende Termine eines Ablaufs", ("workflow", "date"), ("days", "limit")),
    "workflows": ("Kacheln der sichtbaren Abläufe", (), ()),
    "recent": ("zuletzt geänderte Datensätze", (), ("limit",)),
}
COMMON = ("roles", "widget", "title")
STANDARD = ("deadlines", "workflows", "recent")  # without any entry for a person's roles


@dataclass(frozen=True)
class Widget:
    """One ``[[start]]`` entry, read."""

    index: int
    widget: str
    roles: tuple[str, ...]
    title: str = ""
    workflow: str = ""
    mine: bool | None = None  # None: the widget's default (deadlines: own, records: all)
    open_only: bool = False
    states: tuple[str, ...] = ()
    limit: int | None = None  # None: the widget's own default (:meth:`most`)
    rows: str = ""
    where: str = ""
    date: str = ""
    days: int = 60
    escalated: bool = False  # deadlines: only escalated ones (the team view)
    period: str = "all"  # statistic: which period it counts (PERIODS), in Berlin time

    def most(self, default: int = LIMIT) -> int:
        """How many entries the block shows at most: its ``limit``, else ``default``."""
        return self.limit if self.limit is not None else default


def entry_problems(entry: Any, known_roles: set[str]) -> list[tuple[str | None, str]]:
    """What is wrong with one ``[[start]]`` entry on its own: (key or None, message)."""
    if not isinstance(entry, dict):
        return [(None, "jeder Eintrag [[start]] muss eine Tabelle sein")]
    problems: list[tuple[str | None, str]] = []
    for key, value in entry.items():
        if key not in KEYS:
            problems.append((key, f"unbekannter Schlüssel „{key}“ (bekannt: {', '.join(KEYS)})"))
        elif type(value) is not KEYS[key][0]:
            problems.append((key, f"„{key}“ muss {KEYS[key][1]} sein"))
        elif isinstance(value, int) and not isinstance(value, bool) and value < 1:
            problems.append((key, f"„{key}“ muss größer als 0 sein"))
        elif key == "period" and value not in PERIODS:
            problems.append((key, f"„period“ muss einer von {', '.join(PERIODS)} sein"))
    kind = entry.get("widget")
    if kind is None:
        problems.append((None, f"„widget“ fehlt (eines von {', '.join(WIDGETS)})"))
    elif isinstance(kind, str) and kind not in WIDGETS:
        problems.append(("widget", f"unbekanntes widget „{kind}“ (bekannt: {', '.join(WIDGETS)})"))
    elif isinstance(kind, str):
        _, needed, optional = WIDGETS[kind]
        for key in needed:
            if key not in entry:
                problems.append((None, f"widget „{kind}“ braucht „{key}“"))
        for key in entry:
            if key in KEYS and key not in (*COMMON, *needed, *optional):
                problems.append((key, f"„{key}“ gilt nicht für widget „{kind}“"))
    roles = entry.get("roles")
    if roles is None:
        problems.append((None, "„roles“ fehlt (für welche Rollen gilt der Baustein?)"))
    elif isinstance(roles, list):
        for role in roles:
            if not isinstance(role, str) or role not in known_roles:
                problems.append(("roles", f"die Rolle „{role}“ gibt es nicht in [roles]"))
    for key in ("states",):
        if isinstance(entry.get(key), list) and not all(isinstance(s, str) for s in entry[key]):
            problems.append((key, f"„{key}“: jeder Eintrag muss ein Text sein"))
    return problems


def read_widgets(entries: list[Any]) -> list[Widget]:
    """The entries as :class:`Widget`s (config.py refused invalid ones when loading; any
    that slipped through, e.g. from overrides in tests, are skipped)."""
    widgets = []
    for index, entry in enumerate(entries or []):
        if not isinstance(entry, dict) or entry_problems(entry, set(entry.get("roles") or [])):
            continue
        values = {k: v for k, v in entry.items() if k in KEYS}
        values["roles"] = tuple(values.get("roles", ()))
        values["states"] = tuple(values.get("states", ()))
        widgets.append(Widget(index=index, **values))
    return widgets


def widgets_for(widgets: list[Widget], roles: set[str]) -> list[Widget]:
    """The blocks a person with ``roles`` sees, in file order."""
    return [w for w in widgets if roles & set(w.roles)]
