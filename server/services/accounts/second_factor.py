"""The optional second factor: time-based one-time codes (TOTP, RFC 6238) via pyotp.

Any authenticator app works (no external service). A person enrols by scanning a QR code or
typing the secret, then confirming one code. ``[security] second_factor_roles`` names roles
that must use it: such a person who has not enrolled can, after the password, do nothing
but enrol. A code is accepted once (the time step is remembered), with one step of clock
drift either way.
"""

from __future__ import annotations

import pyotp

from ... import clock
from ...models import SecondFactor, User, transaction
from ..audit import audit

ISSUER = "Verbund"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str = ISSUER) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def _matching_step(secret: str, code: str) -> int | None:
    """The time step ``code`` belongs to (now ±1), or None."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = clock.now()
    step = totp.timecode(now)
    for offset in (0, -1, 1):
        candidate = step + offset
        if pyotp.utils.strings_equal(totp.generate_otp(candidate), code):
            return candidate
    return None


def code_matches(secret: str, code: str) -> bool:
    """For enrolment: ``code`` is a current code of ``secret``."""
    return _matching_step(secret, code) is not None


def enrolled(user: User) -> bool:
    return SecondFactor.select().where(SecondFactor.user == user.id).exists()


def required(user: User, roles: list[str] | tuple[str, ...]) -> bool:
    """Whether one of the user's roles must use the second factor."""
    return any(r in (user.roles or []) for r in roles)


def verify(user: User, code: str) -> bool:
    """Check a login code; each code is accepted only once."""
    with transaction():
        factor = SecondFactor.get_or_none(SecondFactor.user == user.id)
        if factor is None:
            return False
        step = _matching_step(factor.secret, code)
        if step is None or step <= factor.last_step:
            return False
        updated = (
            SecondFactor.update(last_step=step)
            .where((SecondFactor.id == factor.id) & (SecondFactor.last_step < step))
            .execute()
        )
        return updated == 1


def enrol(user: User, secret: str, code: str) -> bool:
    """Keep ``secret`` for ``user`` if ``code`` proves the app has it."""
    step = _matching_step(secret, code)
    if step is None:
        return False
    with transaction():
        SecondFactor.delete().where(SecondFactor.user == user.id).execute()
        SecondFactor.create(user=user, secret=secret, last_step=step)
        audit("second_factor.enrol", user, object_type="user", object_id=user.id)
    return True


def remove(user: User, actor: User | None = None) -> bool:
    """Remove the user's second factor (by themself, or an administrator for a lost phone)."""
    with transaction():
        removed = SecondFactor.delete().where(SecondFactor.user == user.id).execute()
        if removed:
            audit(
                "second_factor.remove",
                actor or user,
                object_type="user",
                object_id=user.id,
                detail={"for": user.username} if actor is not None else None,
            )
    return bool(removed)
