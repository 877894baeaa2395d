"""Login and logout screens."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..services.accounts import authenticate
from ..services.audit import audit
from .session import current_user, log_in, log_out, safe_next


class LoginForm(FlaskForm):
    username = StringField(
        "Benutzername",
        validators=[DataRequired("Bitte den Benutzernamen eingeben."), Length(max=64)],
    )
    password = PasswordField(
        "Passwort",
        validators=[DataRequired("Bitte das Passwort eingeben."), Length(max=1024)],
    )


class AuthView(BaseView):
    """Login and logout; open to everybody, never shown in the menu."""

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        return redirect(url_for(".login"))

    @expose("/login", methods=["GET", "POST"])
    def login(self):
        target = safe_next(request.args.get("next")) or url_for("admin.index")
        if current_user() is not None:
            return redirect(target)
        form = LoginForm()
        if form.validate_on_submit():
            user = authenticate(form.username.data, form.password.data)
            if user is None:
                audit("login.failed", None, detail={"username": form.username.data[:64]})
                flash("Benutzername oder Passwort ist falsch.", "error")
            else:
                log_in(user)
                audit("login", user)
                return redirect(target)
        return self.render("verbund/login.html", form=form)

    @expose("/logout", methods=["POST"])
    def logout(self):
        user = current_user()
        if user is not None:
            audit("logout", user)
        log_out()
        flash("Sie sind abgemeldet.", "info")
        return redirect(url_for("auth.login"))
