"""Base class of the administration screens: for the ``admin`` role only.

Administrators manage the system (people, organisations, tokens, jobs, configuration);
reading case contents stays governed by their roles' scopes, as for everybody else. No
administration screen shows what is written in a record.
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for

from ..web.base import StaffView
from ..web.session import current_user

ADMIN_ROLE = "admin"
CATEGORY = "Verwaltung"
PAGE_SIZE = 50


def is_admin() -> bool:
    user = current_user()
    return user is not None and user.active and user.has_role(ADMIN_ROLE)


def page_number() -> int:
    """The ``page`` query argument, 1 for anything that is not a sensible number."""
    raw = request.args.get("page", "1")
    return max(1, min(int(raw), 10**6)) if raw.isdigit() else 1


def has_nul(values) -> bool:
    """True when any text contains NUL, which no input needs and PostgreSQL refuses."""
    return any("\x00" in str(v) for v in values)


class AdminView(StaffView):
    """A flask-admin view only admins may open; others get 403, anonymous visitors the login."""

    def is_accessible(self) -> bool:
        return is_admin()

    def _handle_view(self, name, **kwargs):
        refused = super()._handle_view(name, **kwargs)
        if refused is not None:
            return refused
        texts = [v for _, vs in request.args.lists() for v in vs]
        texts += [v for _, vs in request.form.lists() for v in vs] + list(kwargs.values())
        if has_nul(texts):
            abort(400)
        return None

    def inaccessible_callback(self, name, **kwargs):
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)
