"""Reading a demo folder (``[paths] demo``, next to config.toml) and checking it.

A demo is data, not code: ``organisations.toml``, ``users.toml`` and ``records/*.toml`` (read
in the order of their names). Every mistake is reported as ``demo/datei.toml:Zeile: Meldung``
before anything is written; see docs/configuration.md, "Demo-Daten", for the format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..schema.toml_lines import LineMap, parse_toml

RELATIVE_DAY = re.compile(r"^[+-]\d{1,5}d$")
REFERENCE = re.compile(r"^@([A-Za-z0-9_.-]+)$")
STEP_KINDS = ("save", "move", "consent", "withdraw", "indicator")
RECORD_KEYS = {"key", "continues", "workflow", "owner", "day", "step"}
STEP_KEYS = {"day", "data", "value", *STEP_KINDS}


class DemoError(Exception):
    """A demo folder that cannot be loaded; ``problems`` are ``path:line: message`` lines."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Person:
    username: str
    name: str
    roles: list[str]
    organisation: str


@dataclass
class Step:
    """One thing done to a record: save a form, move it on, record or withdraw a consent,
    or add an actual value to the indicator of a measure in the decision register."""

    where: str  # "demo/records/x.toml:12", for messages
    kind: str
    target: str  # form, state or consent purpose
    day: int | None = None  # days from today; None: the day of the step before
    data: dict[str, Any] | None = None


@dataclass
class RecordPlan:
    """A record to create (``workflow``) or one created earlier to go on with (``continues``)."""

    where: str
    key: str = ""
    continues: str = ""
    workflow: str = ""
    owner: str = ""
    day: int = 0
    steps: list[Step] = field(default_factory=list)


@dataclass
class Demo:
    directory: Path
    password: str = ""
    organisations: list[tuple[str, str]] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    records: list[RecordPlan] = field(default_factory=list)


def relative_day(text: Any) -> int | None:
    """``"-30d"`` -> -30; anything else -> None."""
    if isinstance(text, str) and RELATIVE_DAY.match(text):
        return int(text[:-1])
    return None


class _Reader:
    """Collects problems while reading one demo folder."""

    def __init__(self, directory: Path, shown: str):
        self.directory, self.shown = directory, shown
        self.problems: list[str] = []
        self.demo = Demo(directory)
        self.keys: dict[str, str] = {}  # key -> owner of the record it names
        self.broken: set[str] = set()  # files that did not parse: no follow-on problems

    def load(self, name: str) -> tuple[dict[str, Any] | None, LineMap, str]:
        path = self.directory / name
        label = f"{self.shown}/{name}"
        if not path.is_file():
            self.problems.append(f"{label}: Datei fehlt")
            return None, LineMap({}), label
        data, lines, error = parse_toml(path.read_text(encoding="utf-8"))
        if error:
            self.problems.append(f"{label}:{error[0]}: {error[1]}")
            self.broken.add(name)
        return data, lines, label

    def problem(self, label: str, lines: LineMap, path: tuple, message: str) -> None:
        self.problems.append(f"{label}:{lines.line(*path)}: {message}")

    def text(self, label, lines, table: dict, path: tuple, key: str, required=True) -> str:
        value = table.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(label, lines, (*path, key), f"„{key}“ muss ein nicht leerer Text sein")
            return ""
        return value

    def organisations(self) -> None:
        data, lines, label = self.load("organisations.toml")
        for i, org in enumerate((data or {}).get("organisation", [])):
            name = self.text(label, lines, org, ("organisation", i), "name")
            title = self.text(label, lines, org, ("organisation", i), "label")
            self.demo.organisations.append((name, title))

    def users(self) -> None:
        data, lines, label = self.load("users.toml")
        if data is None:
            return
        self.demo.password = self.text(label, lines, data, (), "password")
        known = {name for name, _label in self.demo.organisations}
        skip = "organisations.toml" in self.broken
        for i, user in enumerate(data.get("user", [])):
            at = ("user", i)
            person = Person(
                self.text(label, lines, user, at, "username"),
                self.text(label, lines, user, at, "name"),
                user.get("roles", []),
                self.text(label, lines, user, at, "organisation"),
            )
            if not isinstance(person.roles, list) or not all(
                isinstance(r, str) for r in person.roles
            ):
                self.problem(
                    label, lines, (*at, "roles"), "„roles“ muss eine Liste von Texten sein"
                )
            if person.organisation and person.organisation not in known and not skip:
                self.problem(
                    label,
                    lines,
                    (*at, "organisation"),
                    f"unbekannte Organisation „{person.organisation}“ "
                    "(nicht in organisations.toml)",
                )
            self.demo.people.append(person)

    def records(self) -> None:
        folder = self.directory / "records"
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            data, lines, label = self.load(f"records/{path.name}")
            for i, table in enumerate((data or {}).get("record", [])):
                plan = self.record(label, lines, ("record", i), table)
                if plan is not None:
                    self.demo.records.append(plan)

    def record(self, label: str, lines: LineMap, at: tuple, table: dict) -> RecordPlan | None:
        for unknown in sorted(set(table) - RECORD_KEYS):
            self.problem(label, lines, (*at, unknown), f"unbekannter Schlüssel „{unknown}“")
        plan = RecordPlan(f"{label}:{lines.line(*at)}")
        people = {p.username for p in self.demo.people}
        if "continues" in table:
            plan.continues = self.text(label, lines, table, at, "continues")
            if plan.continues and plan.continues not in self.keys:
                self.problem(
                    label,
                    lines,
                    (*at, "continues"),
                    f"„continues“: kein Datensatz mit key „{plan.continues}“ davor",
                )
            plan.owner = table.get("owner") or self.keys.get(plan.continues, "")
        else:
            plan.workflow = self.text(label, lines, table, at, "workflow")
            plan.owner = self.text(label, lines, table, at, "owner")
            day = relative_day(table.get("day", "+0d"))
            if day is None:
                self.problem(label, lines, (*at, "day"), "„day“ muss wie „-30d“ oder „+8d“ lauten")
            plan.day = day or 0
        if plan.owner and plan.owner not in people and "users.toml" not in self.broken:
            self.problem(
                label,
                lines,
                (*at, "owner"),
                f"unbekannte Person „{plan.owner}“ (nicht in users.toml)",
            )
        for j, step in enumerate(table.get("step", [])):
            plan.steps.append(self.step(label, lines, (*at, "step", j), step))
        key = table.get("key", "")
        if key:
            if not isinstance(key, str) or not REFERENCE.match(f"@{key}"):
                self.problem(label, lines, (*at, "key"), "„key“: nur Buchstaben, Ziffern, _ . -")
            elif key in self.keys:
                self.problem(label, lines, (*at, "key"), f"key „{key}“ ist doppelt vergeben")
            plan.key = key
            self.keys[key] = plan.owner
        return plan

    def step(self, label: str, lines: LineMap, at: tuple, table: dict) -> Step:
        for unknown in sorted(set(table) - STEP_KEYS):
            self.problem(label, lines, (*at, unknown), f"unbekannter Schlüssel „{unknown}“")
        kinds = [k for k in STEP_KINDS if k in table]
        if len(kinds) != 1:
            self.problem(
                label,
                lines,
                at,
                "ein Schritt braucht genau eines von: save, move, consent, withdraw, indicator",
            )
        kind = kinds[0] if kinds else "move"
        step = Step(
            f"{label}:{lines.line(*at, kind)}", kind, self.text(label, lines, table, at, kind)
        )
        if "day" in table:
            step.day = relative_day(table["day"])
            if step.day is None:
                self.problem(label, lines, (*at, "day"), "„day“ muss wie „-30d“ oder „+8d“ lauten")
        if kind == "save":
            step.data = table.get("data")
            if not isinstance(step.data, dict):
                self.problem(label, lines, at, "„save“ braucht eine Tabelle [record.step.data]")
                step.data = {}
            self.references(label, lines, (*at, "data"), step.data)
        elif "data" in table:
            self.problem(label, lines, (*at, "data"), "„data“ gehört nur zu einem „save“-Schritt")
        if kind == "indicator":
            # a dated actual value of a measure in the decision register: "indicator" names
            # the row of the register table (counted from 0), "value" the number
            value = table.get("value")
            if (
                not step.target.isdigit()
                or isinstance(value, bool)
                or not isinstance(value, (int, float, str))
            ):
                self.problem(
                    label, lines, at, '„indicator“ braucht die Zeile (z. B. "1") und „value“'
                )
            step.data = {"value": value}
        elif "value" in table:
            self.problem(label, lines, (*at, "value"), "„value“ gehört nur zu „indicator“")
        return step

    def references(self, label: str, lines: LineMap, at: tuple, value: Any) -> None:
        """Every ``"@key"`` in saved data must name a record defined before it."""
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for name, item in items:
            if isinstance(item, (dict, list)):
                self.references(label, lines, (*at, name), item)
            elif isinstance(item, str) and (match := REFERENCE.match(item)):
                if match.group(1) not in self.keys:
                    self.problem(
                        label,
                        lines,
                        (*at, name),
                        f"„{item}“: kein Datensatz mit key „{match.group(1)}“ davor",
                    )


def read_demo(directory: Path, shown: str = "demo") -> Demo:
    """Read and check the demo folder; raises :class:`DemoError` with every problem found."""
    if not directory.is_dir():
        raise DemoError([f"{shown}: Ordner mit Demo-Daten fehlt ([paths] demo in config.toml)"])
    reader = _Reader(directory, shown)
    reader.organisations()
    reader.users()
    reader.records()
    if reader.problems:
        raise DemoError(reader.problems)
    return reader.demo
