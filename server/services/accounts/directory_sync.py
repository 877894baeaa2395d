"""Between logins: bring every directory account in line with the directory.

A login already updates its account (server/services/accounts/directory.py); this catches the
people who do not log in – above all those who left. Run as the periodic job
``directory-sync`` (server/jobs/periodic.py, every 15 minutes) and by ``verbund directory
sync``. For each active account without a local password: absent, disabled or without a
mapped group in the directory → deactivated here (sessions and tokens end); otherwise name,
e-mail, roles and organisation follow the directory. With the directory unreachable nothing
changes and the run fails (recorded, retried), so an outage never deactivates anybody.
"""

from __future__ import annotations

from ...directory_settings import DirectorySettings
from ...models import User
from .directory import (
    DirectoryClient,
    DirectoryUnavailable,
    deactivate,
    mapped_access,
    sync_account,
)


def sync_directory_accounts(settings: DirectorySettings, known_roles: set[str]) -> dict[str, int]:
    """Check every active directory account; returns the counts of the run.

    Raises :class:`DirectoryUnavailable` when the directory cannot be asked; accounts
    checked before that keep what was done (each is its own small transaction).
    """
    if not settings.enabled:
        return {"checked": 0, "updated": 0, "deactivated": 0}
    accounts = [
        user.username
        for user in User.select(User.username, User.password_hash).where(
            (User.active == True) & (User.password_hash == "")  # noqa: E712 - peewee
        )
    ]
    counts = {"checked": 0, "updated": 0, "deactivated": 0}
    client = DirectoryClient(settings)
    connection = client.service()
    try:
        # first ask the directory about everybody, then write: an outage halfway through
        # must not leave half of the people deactivated
        people = {name: client.find(connection, name) for name in accounts}
    finally:
        connection.unbind()
    for username, person in people.items():
        counts["checked"] += 1
        if person is None or person.disabled:
            counts["deactivated"] += deactivate(
                username, "absent" if person is None else "disabled"
            )
            continue
        roles, organisation, label = mapped_access(settings, person.groups)
        roles = [r for r in roles if r in known_roles]
        if not roles:
            counts["deactivated"] += deactivate(username, "no_role")
            continue
        before = User.get_or_none(User.username == username)
        after = sync_account(username, person, roles, organisation, label)
        if before is not None and after is not None and _changed(before, after):
            counts["updated"] += 1
    return counts


def _changed(before: User, after: User) -> bool:
    fields = ("display_name", "email", "roles", "organisation_id", "active")
    return any(getattr(before, f) != getattr(after, f) for f in fields)


__all__ = ["DirectoryUnavailable", "sync_directory_accounts"]
