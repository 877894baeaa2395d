"""/datenschutz/rollen: privacy roles that wait for a second holder, and their history.

Open to everybody who holds a privacy role (see server/services/role_grants.py). Each sees
the open grants of the roles they hold and may confirm or refuse those they did not ask for
and do not receive; holders of ``dpo`` or of ``[privacy] audit_roles`` also see every
decision made so far.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose

from ...models import RoleGrant, User
from ...services.accounts import role_grants
from ...services.errors import ServiceError
from ..base import runtime
from ..session import current_user
from .roles import privacy_roles
from .view_base import PrivacyView

HISTORY = 100


def _private() -> set[str]:
    return role_grants.privacy_roles(runtime().settings.section("privacy"))


def _overseer(user: User) -> bool:
    """The DPO (and whoever searches the audit log) sees every grant, decided or not."""
    mine = set(user.roles or [])
    return bool(mine & ({"dpo"} | set(privacy_roles("audit_roles"))))


class RoleGrantsView(PrivacyView):
    """Confirm or refuse privacy roles another person asked for."""

    def is_accessible(self) -> bool:
        user = current_user()
        return bool(user and user.active and set(user.roles or []) & _private())

    is_visible = is_accessible

    @expose("/")
    def index(self):
        user = current_user()
        pending = RoleGrant.select().where(RoleGrant.state == "pending").order_by(RoleGrant.id)
        if not _overseer(user):
            pending = pending.where(RoleGrant.role.in_(list(user.roles or [])))
        history = []
        if _overseer(user):
            history = list(
                RoleGrant.select()
                .where(RoleGrant.state != "pending")
                .order_by(RoleGrant.decided_at.desc(), RoleGrant.id.desc())
                .limit(HISTORY)
            )
        rows = [(grant, role_grants.may_decide(grant, user)) for grant in pending]
        return self.render("verbund/privacy/role_grants.html", rows=rows, history=history)

    @expose("/<int:grant_id>", methods=["POST"])
    def decide(self, grant_id: int):
        answer = request.form.get("answer")
        if answer not in ("confirm", "refuse"):
            abort(400)
        try:
            grant = role_grants.decide(grant_id, current_user(), answer == "confirm")
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            done = "bestätigt" if grant.state == "confirmed" else "abgelehnt"
            flash(f"Die Rolle „{grant.role}“ für „{grant.user.username}“ ist {done}.", "success")
        return redirect(url_for(".index"))
