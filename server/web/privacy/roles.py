"""Which roles may use which data-protection function (``[privacy]`` of config.toml).

No screen code here: the start page asks :func:`holds` too, and the screens' base class
(:mod:`server.privacy.view_base`) imports the web package, which imports the start page.
"""

from __future__ import annotations

from ...models import User
from ...runtime import current_runtime


def privacy_roles(key: str) -> list[str]:
    """The roles of ``[privacy] <key>`` (e.g. ``audit_roles``)."""
    settings = current_runtime().settings
    return list(settings.section("privacy").get(key, []))


def holds(user: User | None, key: str) -> bool:
    """Whether ``user`` is active and holds one of the roles of ``[privacy] <key>``."""
    return bool(user and user.active and set(user.roles or []) & set(privacy_roles(key)))
