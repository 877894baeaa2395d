"""API tokens: every token with owner, label and use; create one (shown once) and revoke.

Only a token's first characters and its SHA-256 are stored, so a lost token cannot be shown
again: it is revoked and a new one made.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from ..models import ApiToken, User
from ..services.accounts import tokens
from ..services.errors import Invalid, NotFound
from ..web.base import runtime
from ..web.session import current_user
from .base import PAGE_SIZE, AdminView, page_number
from .fields import ChoiceField


class TokenForm(FlaskForm):
    user = ChoiceField("Für")
    label = StringField("Wofür", validators=[Length(max=200, message="Höchstens 200 Zeichen.")])


class TokensView(AdminView):
    """/admin/tokens"""

    @expose("/")
    def index(self):
        query = ApiToken.select(ApiToken, User).join(User)
        username = (request.args.get("user") or "").strip()[:64]
        if username:
            query = query.where(User.username == username)
        revoked = request.args.get("revoked") == "1"
        if not revoked:
            query = query.where(ApiToken.revoked_at.is_null())
        total = query.count()
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(page_number(), pages)
        rows = query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).paginate(
            page, PAGE_SIZE
        )
        return self.render(
            "verbund/admin/tokens.html",
            rows=list(rows),
            username=username,
            revoked=revoked,
            page=page,
            pages=pages,
            total=total,
        )

    @expose("/new", methods=["GET", "POST"])
    def create(self):
        form = TokenForm()
        form.user.choices = [(0, "– bitte wählen –")] + [
            (u.id, f"{u.username} ({u.display_name})")
            for u in User.select().where(User.active == True).order_by(User.username)  # noqa: E712
        ]
        if request.method == "GET" and request.args.get("user"):
            chosen = User.get_or_none(User.username == request.args["user"])
            form.user.data = chosen.id if chosen else 0
        if form.validate_on_submit():
            try:
                owner, secret = tokens.issue_token_for(
                    form.user.data,
                    form.label.data,
                    privacy=runtime().settings.section("privacy"),
                    actor=current_user(),
                )
            except Invalid as exc:
                form.user.errors.append(exc.message)
            else:
                return self.render("verbund/admin/token_once.html", owner=owner, token=secret)
        status = 422 if request.method == "POST" else 200
        return self.render("verbund/admin/token_form.html", form=form), status

    @expose("/<int:token_id>/revoke", methods=["POST"])
    def revoke(self, token_id: int):
        try:
            token, changed = tokens.revoke_token(token_id, current_user())
        except NotFound:
            abort(404)
        if changed:
            flash(f"Der Token {token.prefix}… wurde widerrufen.", "success")
        else:
            flash("Dieser Token war bereits widerrufen.", "info")
        return redirect(url_for(".index"))
