"""``[mail]`` of config.toml: its defaults and what its values may be (read by config.py).

Apart from config.py (like directory_settings.py for ``[ldap]``) so the settings of e-mail
stay in one place; the SMTP code is in ``server/services/notifications/mail.py``.
"""

from __future__ import annotations

from typing import Any

MAIL_SECURITY = ("starttls", "ssl", "none")

MAIL_DEFAULTS: dict[str, Any] = {
    "host": "",  # empty: no e-mail at all (the inbox works regardless)
    "port": 587,
    "from": "",
    "security": "starttls",  # starttls | ssl | none
    "user": "",
    "password": "",  # better VERBUND_MAIL_PASSWORD
    "base_url": "",  # how links in e-mails start, e.g. https://verbund.example.org
    "timeout": 30,  # seconds one SMTP conversation may take
    "digest_hour": 7,  # the daily digest goes out from this hour (Berlin) on
    "resend_after": 900,  # seconds after which an unconfirmed send is tried again
}


def mail_problems(section: dict[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """What is wrong with the values of ``[mail]``, as (key path, message); config.py checks
    the types and adds the line."""
    found: list[tuple[tuple[str, ...], str]] = []
    security = section.get("security", "starttls")
    if isinstance(security, str) and security not in MAIL_SECURITY:
        found.append(
            (("security",), f"[mail] security muss einer von {', '.join(MAIL_SECURITY)} sein")
        )
    hour = section.get("digest_hour", 7)
    if isinstance(hour, int) and not isinstance(hour, bool) and hour > 23:
        found.append((("digest_hour",), "[mail] digest_hour muss eine Stunde von 0 bis 23 sein"))
    return found
