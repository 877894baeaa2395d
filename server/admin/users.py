"""People: list, create, edit roles and organisation, deactivate, reset passwords, end sessions.

Every change that alters what someone may do — roles, organisation, deactivation, a new
password — ends all their sessions at once, so it applies on their next click; deactivation
also revokes their API tokens for good. At least one
active administrator always remains. Passwords made by the system are shown once, in the
answer to the request that made them, never in a redirect or a flash message (those travel
in the cookie).

Roles follow separation of duties (server/services/role_grants.py): nobody gives themself a
role here, and a privacy role (``dpo``, the ``[privacy]`` role lists) only waits for a second
holder of that role to confirm it.
"""

from __future__ import annotations

import secrets

import peewee
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..models import ApiToken, Organisation, User, UserSession
from ..services.accounts import management
from ..services.accounts.management import PersonFields
from ..services.accounts.people import USERNAME_RE
from ..services.accounts.role_grants import pending_for
from ..services.errors import Forbidden, Invalid
from ..web.base import definitions, runtime
from ..web.session import current_user
from .base import PAGE_SIZE, AdminView, page_number
from .fields import ChoiceField, RoleField

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class UserForm(FlaskForm):
    display_name = StringField(
        "Angezeigter Name", validators=[Length(max=200, message="Höchstens 200 Zeichen.")]
    )
    email = StringField(
        "E-Mail",
        validators=[Optional(), Length(max=254), Regexp(EMAIL, message="Keine gültige E-Mail.")],
    )
    organisation = ChoiceField("Organisation")
    roles = RoleField("Rollen")
    active = BooleanField("Aktiv (darf sich anmelden)", default=True)


class UserCreateForm(UserForm):
    username = StringField(
        "Benutzername",
        validators=[
            DataRequired("Bitte einen Benutzernamen eingeben."),
            Regexp(USERNAME_RE, message="2–64 Zeichen: Kleinbuchstaben, Ziffern, . _ -"),
        ],
    )
    password = PasswordField(
        "Passwort", validators=[Optional(), Length(max=1024, message="Zu lang.")]
    )


class PasswordForm(FlaskForm):
    password = PasswordField(
        "Neues Passwort", validators=[Optional(), Length(max=1024, message="Zu lang.")]
    )


def generated_password() -> str:
    return secrets.token_urlsafe(12)


def _choices(form: UserForm, user: User | None = None) -> None:
    """Organisations and the roles of config.toml (plus unknown roles the user still has)."""
    form.organisation.choices = [(0, "– keine –")] + [
        (o.id, f"{o.label} ({o.name})") for o in Organisation.select().order_by(Organisation.name)
    ]
    roles = [(r.id, f"{r.label} ({r.id})") for r in definitions().roles.values()]
    known = {value for value, _ in roles}
    for role in (user.roles or []) if user else []:
        if role not in known:
            roles.append((role, f"{role} (nicht mehr in config.toml)"))
    form.roles.choices = roles


def _privacy() -> dict:
    return runtime().settings.section("privacy")


def _fields(form: UserForm, display_name: str) -> PersonFields:
    """What the form sets, for the services (roles as chosen; the service splits them)."""
    return PersonFields(
        display_name=display_name,
        email=(form.email.data or "").strip(),
        organisation_id=form.organisation.data or None,
        roles=list(form.roles.data or []),
        active=bool(form.active.data),
    )


def _waiting_note(user: User, roles: list[str]) -> str:
    names = ", ".join(f"„{r}“" for r in roles)
    return (
        f" Die Rolle(n) {names} für „{user.username}“ gilt/gelten erst, wenn eine andere Person "
        "mit dieser Rolle sie unter Datenschutz → Rollenfreigaben bestätigt."
    )


class UsersView(AdminView):
    """/admin/users"""

    @expose("/")
    def index(self):
        query = User.select(User, Organisation).join(
            Organisation, peewee.JOIN.LEFT_OUTER, on=(User.organisation == Organisation.id)
        )
        q = (request.args.get("q") or "").strip()[:64]
        if q:
            query = query.where(User.username.contains(q) | User.display_name.contains(q))
        org = request.args.get("org") or ""
        if org:
            query = query.where(Organisation.name == org)
        role = request.args.get("role") or ""
        if role in definitions().roles:
            # roles are stored as JSON text; a Value without converter is matched as it is
            query = query.where(User.roles ** peewee.Value(f'%"{role}"%', converter=False))
        else:
            role = ""
        active = request.args.get("active") or ""
        if active in ("1", "0"):
            query = query.where(User.active == (active == "1"))
        total = query.count()
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(page_number(), pages)
        rows = query.order_by(User.username).paginate(page, PAGE_SIZE)
        return self.render(
            "verbund/admin/users.html",
            rows=list(rows),
            q=q,
            org=org,
            role=role,
            active=active,
            roles=definitions().roles,
            organisations=list(Organisation.select().order_by(Organisation.name)),
            page=page,
            pages=pages,
            total=total,
        )

    @expose("/new", methods=["GET", "POST"])
    def create(self):
        form = UserCreateForm()
        _choices(form)
        if form.validate_on_submit():
            generated = not form.password.data
            password = form.password.data or generated_password()
            try:
                user, waiting = management.add_person(
                    form.username.data,
                    password,
                    _fields(form, (form.display_name.data or "").strip()),
                    known_roles=set(definitions().roles),
                    privacy=_privacy(),
                    actor=current_user(),
                )
            except Invalid as exc:
                for key, messages in (exc.errors or {}).items():
                    target = {"role": "roles"}.get(key, key)
                    getattr(form, target, form.username).errors.extend(messages)
            else:
                if generated:
                    return self.render(
                        "verbund/admin/password_once.html", user=user, password=password
                    )
                note = _waiting_note(user, waiting) if waiting else ""
                flash(f"„{user.username}“ wurde angelegt.{note}", "success")
                return redirect(url_for(".edit", user_id=user.id))
        status = 422 if request.method == "POST" else 200
        return self.render("verbund/admin/user_form.html", form=form, user=None), status

    def _user(self, user_id: int) -> User:
        user = User.get_or_none(User.id == user_id)
        if user is None:
            abort(404)
        return user

    @expose("/<int:user_id>", methods=["GET", "POST"])
    def edit(self, user_id: int):
        user = self._user(user_id)
        form = UserForm(obj=user)
        _choices(form, user)
        if request.method == "GET":
            form.organisation.data = user.organisation_id or 0
        if form.validate_on_submit():
            changes = self._save(user, form)
            if changes is not None:
                return redirect(url_for(".edit", user_id=user.id))
        status = 422 if request.method == "POST" else 200
        return self._edit_page(user, form, status)

    def _edit_page(self, user: User, form: UserForm, status: int = 200, password_form=None):
        sessions = UserSession.select().where(
            (UserSession.user == user.id) & UserSession.revoked_at.is_null()
        )
        tokens = ApiToken.select().where((ApiToken.user == user.id) & ApiToken.revoked_at.is_null())
        return self.render(
            "verbund/admin/user_form.html",
            form=form,
            user=user,
            waiting=pending_for(user),
            open_sessions=sessions.count(),
            open_tokens=tokens.count(),
            password_form=password_form or PasswordForm(),
        ), status

    def _save(self, user: User, form: UserForm) -> list[str] | None:
        """Store the form; the names of what changed, or None when it was refused."""
        fields = _fields(form, (form.display_name.data or "").strip() or user.username)
        actor = current_user()
        try:
            change = management.update_person(user, fields, privacy=_privacy(), actor=actor)
        except (Invalid, Forbidden) as exc:
            form.roles.errors.append(exc.message)
            return None
        note = _waiting_note(user, change.waiting) if change.waiting else ""
        if not change.changed:
            flash(f"Keine weitere Änderung.{note}" if change.waiting else "Keine Änderung.", "info")
            return []
        ended_note = (
            f" {change.sessions_ended} Sitzung(en) wurden beendet." if change.sessions_ended else ""
        )
        if change.tokens_revoked:
            ended_note += f" {change.tokens_revoked} API-Token(s) wurden widerrufen."
        flash(f"„{user.username}“ wurde gespeichert.{ended_note}{note}", "success")
        return change.changed

    @expose("/<int:user_id>/password", methods=["POST"])
    def reset_password(self, user_id: int):
        user = self._user(user_id)
        form = PasswordForm()
        if not form.validate_on_submit():
            abort(400)
        password = form.password.data or generated_password()
        try:
            management.reset_password(user, password, privacy=_privacy(), actor=current_user())
        except Invalid as exc:
            form.password.errors.append(exc.message)
            page_form = UserForm(obj=user)
            _choices(page_form, user)
            page_form.organisation.data = user.organisation_id or 0
            return self._edit_page(user, page_form, 422, password_form=form)
        if form.password.data:
            flash(f"Das Passwort von „{user.username}“ wurde geändert.", "success")
            return redirect(url_for(".edit", user_id=user.id))
        return self.render("verbund/admin/password_once.html", user=user, password=password)

    @expose("/<int:user_id>/sessions", methods=["POST"])
    def end_sessions(self, user_id: int):
        user = self._user(user_id)
        ended = management.end_sessions(user, current_user())
        flash(f"{ended} Sitzung(en) von „{user.username}“ wurden beendet.", "success")
        return redirect(url_for(".edit", user_id=user.id))
