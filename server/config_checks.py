"""Checking ``config.toml`` against its defaults: unknown sections and keys, values of the
wrong type, and the sections with rules of their own (``[[start]]``, ``[[reports]]``,
``[ldap]``, ``[mail]``, ``[metrics] allow``, role lists). Every problem names its line."""

from __future__ import annotations

from typing import Any

from .config_defaults import DEFAULTS
from .directory_settings import ldap_problems
from .mail_settings import mail_problems
from .report_settings import report_problems
from .schema.definitions import Problem
from .start_page import entry_problems

# integer keys with a range of their own (the type is checked first): low, high, hint
RANGES = {("privacy", "noise"): (0, 5, " (0 = aus)")}  # more than ±5 buries small figures


def settings_problems(data: dict[str, Any], lines: Any, shown: str) -> list[Problem]:
    """Unknown sections or keys and values of the wrong type (the defaults are the whitelist).

    ``[roles.*]`` tables are checked by the schema loader, which knows what roles mean.
    """
    problems = []
    for section, value in data.items():
        if section not in DEFAULTS:
            known = ", ".join(f"[{k}]" for k in DEFAULTS)
            problems.append(
                Problem(
                    shown,
                    lines.line(section),
                    f"unbekannter Abschnitt [{section}] (bekannt: {known})",
                )
            )
            continue
        if section == "start":
            problems += _start_problems(data, lines, shown, value)
            continue
        if section == "reports":
            problems += [
                Problem(
                    shown,
                    lines.line(*at),
                    f"[[reports]] Nr. {at[1] + 1 if len(at) > 1 else 1}: {m}",
                )
                for at, m in report_problems(value)
            ]
            continue
        if not isinstance(value, dict):
            problems.append(
                Problem(
                    shown, lines.line(section), f"„{section}“ muss ein Abschnitt [{section}] sein"
                )
            )
            continue
        if section == "roles":
            continue
        if section == "ldap":
            problems += _ldap_problems(data, lines, shown, value)
        if section == "mail":
            problems += [
                Problem(shown, lines.line("mail", *at), m) for at, m in mail_problems(value)
            ]
        for key, item in value.items():
            expected = DEFAULTS[section].get(key)
            if key not in DEFAULTS[section]:
                known = ", ".join(DEFAULTS[section])
                problems.append(
                    Problem(
                        shown,
                        lines.line(section, key),
                        f"[{section}]: unbekannter Schlüssel „{key}“ (bekannt: {known})",
                    )
                )
            elif type(item) is not type(expected):
                kind = {
                    str: "ein Text",
                    int: "eine ganze Zahl",
                    bool: "wahr oder falsch",
                    list: "eine Liste",
                }
                problems.append(
                    Problem(
                        shown,
                        lines.line(section, key),
                        f"[{section}] {key} muss {kind[type(expected)]} sein",
                    )
                )
            elif message := _range_problem(section, key, item):
                problems.append(Problem(shown, lines.line(section, key), message))
            elif isinstance(item, int) and not isinstance(item, bool) and item < 0:
                problems.append(
                    Problem(
                        shown,
                        lines.line(section, key),
                        f"[{section}] {key} darf nicht negativ sein",
                    )
                )
            elif section == "metrics" and key == "allow":
                problems += _address_problems(lines, shown, item)
            elif isinstance(item, list) and section not in ("register", "ldap"):
                # [register] is checked against the definitions by `verbund check`
                # (services/register_config.py), together with its other keys
                problems += _role_list_problems(data, lines, shown, section, key, item)
    return problems


def _range_problem(section: str, key: str, item: int) -> str:
    """The message for an integer outside its range in :data:`RANGES` ("" when within)."""
    low, high, hint = RANGES.get((section, key), (None, None, ""))
    if low is None or low <= item <= high:
        return ""
    return f"[{section}] {key} muss eine ganze Zahl von {low} bis {high} sein{hint}, nicht {item}"


def _start_problems(data: dict[str, Any], lines: Any, shown: str, entries: Any) -> list[Problem]:
    """``[[start]]``: a list of tables, each checked by :func:`server.start_page.entry_problems`."""
    if not isinstance(entries, list):
        return [Problem(shown, lines.line("start"), "„start“ muss eine Liste [[start]] sein")]
    known = data.get("roles") if isinstance(data.get("roles"), dict) else {}
    problems = []
    for index, entry in enumerate(entries):
        for key, message in entry_problems(entry, set(known)):
            at = ("start", index) + ((key,) if key else ())
            problems.append(
                Problem(shown, lines.line(*at), f"[[start]] Nr. {index + 1}: {message}")
            )
    return problems


def _ldap_problems(data: dict[str, Any], lines: Any, shown: str, section: dict) -> list[Problem]:
    """``[ldap]``: what the keys mean (server/directory_settings.py); types are checked below."""
    known = data.get("roles") if isinstance(data.get("roles"), dict) else {}
    problems: list[Problem] = []

    def report(at: tuple, message: str) -> None:
        problems.append(Problem(shown, lines.line("ldap", *at), message))

    ldap_problems(section, set(known), report)
    return problems


def _address_problems(lines: Any, shown: str, items: list) -> list[Problem]:
    """``[metrics] allow``: each entry an IP address or network (``10.0.0.0/8``)."""
    import ipaddress

    problems = []
    for index, item in enumerate(items):
        try:
            ipaddress.ip_network(str(item), strict=False)
        except ValueError:
            message = f"[metrics] allow: „{str(item)[:60]}“ ist keine IP-Adresse oder kein Netz"
            problems.append(Problem(shown, lines.line("metrics", "allow", index), message))
    return problems


def _role_list_problems(
    data: dict[str, Any], lines: Any, shown: str, section: str, key: str, items: list
) -> list[Problem]:
    """A list of role ids must name roles of ``[roles]``."""
    known = data.get("roles") if isinstance(data.get("roles"), dict) else {}
    problems = []
    for index, item in enumerate(items):
        if not isinstance(item, str):
            message = f"[{section}] {key}: jeder Eintrag muss ein Rollenname sein"
        elif item not in known:
            message = f"[{section}] {key}: die Rolle „{item}“ gibt es nicht in [roles]"
        else:
            continue
        problems.append(Problem(shown, lines.line(section, key, index), message))
    return problems
