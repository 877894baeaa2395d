"""Which roles may use which data-protection function (``[privacy]`` of config.toml)."""

from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for

from ..models import User
from ..web.base import StaffView
from ..web.session import current_user


def privacy_roles(key: str) -> list[str]:
    """The roles of ``[privacy] <key>`` (e.g. ``audit_roles``)."""
    settings = current_app.config["VERBUND_RUNTIME"].settings
    return list(settings.section("privacy").get(key, []))


def holds(user: User | None, key: str) -> bool:
    """Whether ``user`` is active and holds one of the roles of ``[privacy] <key>``."""
    return bool(user and user.active and set(user.roles or []) & set(privacy_roles(key)))


class PrivacyView(StaffView):
    """A screen for holders of the roles in ``[privacy] <roles_key>``; others get 403."""

    roles_key = "audit_roles"

    def is_visible(self) -> bool:
        return holds(current_user(), self.roles_key)

    def is_accessible(self) -> bool:
        return holds(current_user(), self.roles_key)

    def inaccessible_callback(self, name, **kwargs):
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)
