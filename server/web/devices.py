"""Device cookies: a browser that logged in as an account before is recognised for it.

The cookie holds, signed with the app's secret key, up to five (user id, random device id)
pairs. The login throttle counts failures of a known device apart from everybody else's
(see server/services/login_guard.py), so an attacker guessing passwords elsewhere cannot
lock the owner out of their own browser.
"""

from __future__ import annotations

import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "verbund_device"
MAX_ENTRIES = 5
MAX_AGE = 180 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="verbund-device")


def _entries() -> list[list]:
    raw = request.cookies.get(COOKIE, "")
    if not raw or len(raw) > 2000:
        return []
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return []
    if not isinstance(value, list):
        return []
    return [e for e in value if isinstance(e, list) and len(e) == 2][:MAX_ENTRIES]


def device_for(user_id: int | None) -> str:
    """The device id this browser holds for ``user_id``, or ""."""
    if user_id is None:
        return ""
    for uid, device in _entries():
        if uid == user_id and isinstance(device, str):
            return device[:64]
    return ""


def remember_device(response, user_id: int) -> None:
    """After a successful login: give this browser a device id for ``user_id``."""
    entries = [e for e in _entries() if e[0] != user_id]
    device = device_for(user_id) or secrets.token_urlsafe(16)
    entries = [[user_id, device], *entries][:MAX_ENTRIES]
    response.set_cookie(
        COOKIE,
        _serializer().dumps(entries),
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
        path="/auth/",
    )
