"""Login, the second factor and logout.

The login: throttle (server/services/login_guard.py) → password (local, or the directory
for directory accounts: server/services/accounts/directory.py) → if the person has a
second factor, the code page → session. People whose role requires a second factor and
who have none yet are let in only as far as the page that sets it up.
"""

from __future__ import annotations

from flask import flash, g, redirect, request, session, url_for
from flask_admin import BaseView, expose
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .. import clock
from ..directory_settings import DirectorySettings
from ..models import User
from ..runtime import current_runtime
from ..services.accounts import second_factor
from ..services.accounts.directory import UNAVAILABLE, password_login
from ..services.accounts.login_guard import LoginLimits, release_attempt, reserve_attempt
from ..services.audit import audit
from .devices import device_for, remember_device
from .session import current_user, log_in, log_out, safe_next

PENDING = "pending_login"  # session key while the second factor is asked for
PENDING_SECONDS = 300
NEW_SECRET = "new_totp_secret"


class LoginForm(FlaskForm):
    username = StringField(
        "Benutzername",
        validators=[DataRequired("Bitte den Benutzernamen eingeben."), Length(max=64)],
    )
    password = PasswordField(
        "Passwort",
        validators=[DataRequired("Bitte das Passwort eingeben."), Length(max=1024)],
    )


class CodeForm(FlaskForm):
    code = StringField(
        "Code aus der Authenticator-App",
        validators=[DataRequired("Bitte den sechsstelligen Code eingeben."), Length(max=12)],
    )


def _security() -> dict:
    return current_runtime().settings.section("security")


def _directory() -> DirectorySettings:
    return DirectorySettings.from_section(current_runtime().settings.section("ldap"))


def _roles() -> set[str]:
    return set(current_runtime().definitions.roles)


def _limits() -> LoginLimits:
    return LoginLimits.from_settings(_security())


def must_enrol(user: User) -> bool:
    """The user's role requires a second factor they have not set up yet."""
    roles = _security().get("second_factor_roles", [])
    return second_factor.required(user, roles) and not second_factor.enrolled(user)


class AuthView(BaseView):
    """Login, second factor and logout; open to everybody, never shown in the menu."""

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        return redirect(url_for(".login"))

    def _finish(self, user: User, target: str):
        log_in(user)
        audit("login", user)
        if must_enrol(user):
            flash("Für Ihre Rolle ist ein zweiter Faktor vorgeschrieben. Bitte jetzt einrichten.")
            target = url_for(".second_factor")
        response = redirect(target)
        remember_device(response, user.id)
        return response

    @expose("/login", methods=["GET", "POST"])
    def login(self):
        target = safe_next(request.args.get("next")) or url_for("admin.index")
        if current_user() is not None:
            return redirect(target)
        form = LoginForm()
        status = 200
        if form.validate_on_submit():
            name = form.username.data.strip().lower()[:64]
            address = request.remote_addr or ""
            known = User.get_or_none(User.username == name)
            device = device_for(known.id if known else None)
            # the attempt is counted before the password is tested (see login_guard)
            reservation, refusal = reserve_attempt(name, address, device, _limits())
            if refusal:
                audit("login.throttled", None, detail={"username": name})
                flash(refusal, "error")
                return self.render("verbund/login.html", form=form), 429
            # local password or, for directory accounts, the directory ([ldap])
            outcome = password_login(_directory(), name, form.password.data, _roles())
            user = outcome.user
            if outcome.status == UNAVAILABLE:
                release_attempt(reservation)  # no password was tested
                audit("login.directory_unavailable", None, detail={"username": name})
                flash(outcome.message, "error")
                status = 503
            elif user is None:
                audit("login.failed", None, detail={"username": name, "reason": outcome.reason})
                flash(outcome.message or "Benutzername oder Passwort ist falsch.", "error")
                status = 401
            else:
                release_attempt(reservation)
                if not second_factor.enrolled(user):
                    return self._finish(user, target)
                session.clear()
                session[PENDING] = {
                    "user": user.id,
                    "at": int(clock.now().timestamp()),
                    "next": target,
                }
                return redirect(url_for(".code"))
        return self.render("verbund/login.html", form=form), status

    @expose("/code", methods=["GET", "POST"])
    def code(self):
        pending = session.get(PENDING) or {}
        user = User.get_or_none(User.id == pending.get("user")) if pending else None
        if user is None or clock.now().timestamp() - pending.get("at", 0) > PENDING_SECONDS:
            session.pop(PENDING, None)
            flash("Bitte melden Sie sich erneut an.", "info")
            return redirect(url_for(".login"))
        form = CodeForm()
        if form.validate_on_submit():
            device = device_for(user.id)
            address = request.remote_addr or ""
            reservation, refusal = reserve_attempt(user.username, address, device, _limits())
            if refusal:
                audit("login.throttled", None, detail={"username": user.username, "step": "code"})
                flash(refusal, "error")
                return self.render("verbund/login_code.html", form=form), 429
            if user.active and second_factor.verify(user, form.code.data):
                release_attempt(reservation)
                session.pop(PENDING, None)
                return self._finish(user, pending.get("next") or url_for("admin.index"))
            audit("login.failed", None, detail={"username": user.username, "step": "code"})
            flash("Der Code stimmt nicht oder wurde schon verwendet.", "error")
            return self.render("verbund/login_code.html", form=form), 401
        return self.render("verbund/login_code.html", form=form)

    @expose("/zweiter-faktor", methods=["GET", "POST"])
    def second_factor(self):
        user = current_user()
        if user is None:
            return redirect(url_for(".login", next=request.path))
        form = CodeForm()
        has_factor = second_factor.enrolled(user)
        is_required = second_factor.required(user, _security().get("second_factor_roles", []))
        action = request.form.get("action", "enrol")
        if form.validate_on_submit():
            if action == "remove" and has_factor and not is_required:
                # a stolen session must not guess its way to removing the factor either
                reservation, refusal = reserve_attempt(
                    user.username, request.remote_addr or "", device_for(user.id), _limits()
                )
                if refusal:
                    flash(refusal, "error")
                elif second_factor.verify(user, form.code.data):
                    release_attempt(reservation)
                    second_factor.remove(user)
                    flash("Der zweite Faktor wurde entfernt.", "success")
                    return redirect(url_for(".second_factor"))
                else:
                    flash("Der Code stimmt nicht.", "error")
            elif action == "enrol" and not has_factor:
                secret = session.get(NEW_SECRET, "")
                if secret and second_factor.enrol(user, secret, form.code.data):
                    session.pop(NEW_SECRET, None)
                    flash("Der zweite Faktor ist eingerichtet.", "success")
                    return redirect(url_for("admin.index"))
                flash("Der Code stimmt nicht. Bitte den aktuellen Code der App eingeben.", "error")
        secret = None
        qr = None
        if not second_factor.enrolled(user):
            secret = session.get(NEW_SECRET) or second_factor.new_secret()
            session[NEW_SECRET] = secret
            qr = _qr_svg(second_factor.provisioning_uri(secret, user.username, _issuer()))
        return self.render(
            "verbund/second_factor.html",
            form=form,
            enrolled=second_factor.enrolled(user),
            required=is_required,
            secret=secret,
            qr=qr,
        )

    @expose("/logout", methods=["POST"])
    def logout(self):
        user = current_user()
        if user is not None:
            audit("logout", user)
        log_out()
        flash("Sie sind abgemeldet.", "info")
        return redirect(url_for("auth.login"))


def _issuer() -> str:
    return current_runtime().settings.section("server").get("name", "Verbund")


def _qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG (no image request, no inline style: fits the CSP)."""
    import segno

    return Markup(segno.make(uri, error="m").svg_inline(scale=4, dark="#000"))


def enforce_second_factor() -> object | None:
    """before_request: someone who must enrol may only reach the enrolment and logout."""
    user = g.get("user")
    if user is None or request.blueprint == "api" or request.path.startswith("/static/"):
        return None
    if request.endpoint in ("auth.second_factor", "auth.logout", "static", "admin.static"):
        return None
    if must_enrol(user):
        return redirect(url_for("auth.second_factor"))
    return None
