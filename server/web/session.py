"""Who is logged in: a server-side session whose random key sits in the signed cookie."""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlparse

from flask import g, redirect, request, session, url_for

from ..models import User
from ..runtime import current_runtime
from ..services.accounts.people import close_session, open_session, session_user

SESSION_KEY = "sid"


def session_limits() -> tuple[dt.timedelta, dt.timedelta]:
    """(idle timeout, absolute lifetime) of login sessions from ``[sessions]``."""
    sessions = current_runtime().settings.section("sessions")
    return (
        dt.timedelta(minutes=max(1, int(sessions.get("idle_minutes", 30)))),
        dt.timedelta(hours=max(1, int(sessions.get("lifetime_hours", 10)))),
    )


def load_user() -> None:
    """before_request: put the user of a live session into ``g.user`` (or None)."""
    g.user = None
    key = session.get(SESSION_KEY)
    if key:
        idle, lifetime = session_limits()
        user = session_user(key, idle, lifetime)
        if user is None:
            session.pop(SESSION_KEY, None)  # revoked or expired: the cookie is worthless now
        g.user = user


def log_in(user: User) -> None:
    session.clear()  # a new session id and a new CSRF token after login
    session[SESSION_KEY] = open_session(
        user, request.remote_addr or "", request.headers.get("User-Agent", "")
    )
    g.user = user


def log_out() -> None:
    key = session.get(SESSION_KEY)
    if key:
        close_session(key)
    session.clear()
    g.user = None


def current_user() -> User | None:
    return g.get("user")


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlparse(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def login_required(view):
    """Send anonymous visitors to the login page, remembering where they wanted to go."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped
