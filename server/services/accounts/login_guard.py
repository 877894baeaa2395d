"""Throttling password guessing without handing an attacker a way to lock people out.

Failed logins are counted in the database (never in Redis, which holds ids only), in a
sliding window of ``[security] login_block_minutes``:

* A browser that has logged in successfully as an account before carries a *device cookie*
  for it (signed, see server/web/devices.py). Its attempts for that account are counted
  per device only: a stranger's failures elsewhere never block the owner's own browser.
* Attempts without such a cookie are counted per account and per address. Once an account
  has ``login_failures_per_account`` failures from unknown browsers, unknown browsers are
  refused for it; once an address has ``login_failures_per_address``, that address is
  refused (for unknown browsers). Known devices keep working in both cases.

A refused attempt does not test the password and is not counted, so the block ends when the
window has passed. Unknown user names are counted exactly like known ones: the answers do
not tell which names exist.

Counting and checking are one step: :func:`reserve_attempt` counts and, if there is room,
writes the failure row *before* the password or code is tested, in one serialised
transaction (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock).
A success takes its row back (:func:`release_attempt`). So 40 parallel guesses test the
password exactly ``login_failures_per_account`` times, never more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ...models import LoginFailure, database, is_sqlite, transaction, utcnow


@dataclass(frozen=True)
class LoginLimits:
    per_account: int = 5
    per_address: int = 50
    window: dt.timedelta = dt.timedelta(minutes=15)

    @classmethod
    def from_settings(cls, security: dict[str, Any]) -> LoginLimits:
        return cls(
            per_account=max(1, int(security.get("login_failures_per_account", 5))),
            per_address=max(1, int(security.get("login_failures_per_address", 50))),
            window=dt.timedelta(minutes=max(1, int(security.get("login_block_minutes", 15)))),
        )

    @property
    def minutes(self) -> int:
        return int(self.window.total_seconds() // 60)


def _name(username: str) -> str:
    return (username or "").strip().lower()[:64]


def login_refusal(username: str, address: str, device: str, limits: LoginLimits) -> str | None:
    """A German message when this attempt is refused without testing the password."""
    since = utcnow() - limits.window
    recent = LoginFailure.select().where(LoginFailure.at >= since)
    message = (
        "Zu viele fehlgeschlagene Anmeldungen. Bitte versuchen Sie es in "
        f"{limits.minutes} Minuten erneut."
    )
    if device:
        mine = recent.where(
            (LoginFailure.username == _name(username)) & (LoginFailure.device == device)
        )
        return message if mine.count() >= limits.per_account else None
    unknown = recent.where(LoginFailure.device == "")
    if unknown.where(LoginFailure.username == _name(username)).count() >= limits.per_account:
        return message
    if unknown.where(LoginFailure.remote_addr == address[:64]).count() >= limits.per_address:
        return message
    return None


# any fixed number: the key of the advisory lock that queues reservations on PostgreSQL
_PG_LOCK_KEY = 0x56424C47  # "VBLG"


def _serialise() -> None:
    """Let one reservation at a time count and write (inside the caller's transaction).

    SQLite's ``BEGIN IMMEDIATE`` already holds the write lock; on PostgreSQL two READ
    COMMITTED transactions could both count 4 and both insert, so they queue on a lock that
    ends with the transaction.
    """
    if not is_sqlite():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK_KEY,))


def reserve_attempt(
    username: str, address: str, device: str, limits: LoginLimits
) -> tuple[int | None, str | None]:
    """Count this attempt before the password or code is tested: ``(reservation, refusal)``.

    With room left, a failure row is written at once and its id returned; the caller tests
    the secret and calls :func:`release_attempt` on success. Without room, the German
    refusal is returned and nothing is written.
    """
    with transaction():
        _serialise()
        refusal = login_refusal(username, address, device, limits)
        if refusal:
            return None, refusal
        row = LoginFailure.create(
            username=_name(username), remote_addr=address[:64], device=device[:64]
        )
    return row.id, None


def release_attempt(reservation: int | None) -> None:
    """The secret was right: the reserved attempt is not a failure."""
    if reservation is not None:
        LoginFailure.delete().where(LoginFailure.id == reservation).execute()
