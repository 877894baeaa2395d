"""The base of the data-protection screens: only holders of the ``[privacy]`` roles see them."""

from __future__ import annotations

from flask import abort, redirect, request, url_for

from ..base import StaffView
from ..session import current_user
from .roles import holds


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
