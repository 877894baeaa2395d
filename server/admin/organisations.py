"""Organisations (the city office, the welfare associations …): list, create, rename, delete.

The short name is fixed once created (it appears in audit entries, the CLI and the API); the
label can change. An organisation is deleted only while no person and no record belongs to it.
"""

from __future__ import annotations

import peewee
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from ..models import Organisation, User
from ..services.accounts import organisations
from ..services.accounts.people import ORG_RE
from ..services.errors import Conflict, Invalid, NotFound
from ..web.session import current_user
from .base import AdminView


class OrganisationForm(FlaskForm):
    name = StringField(
        "Kurzname",
        validators=[
            DataRequired("Bitte einen Kurznamen eingeben."),
            Regexp(ORG_RE, message="Kleinbuchstaben, Ziffern, - und _ (höchstens 64 Zeichen)."),
        ],
    )
    label = StringField(
        "Bezeichnung",
        validators=[DataRequired("Bitte eine Bezeichnung eingeben."), Length(max=200)],
    )


class OrganisationsView(AdminView):
    """/admin/organisations: the organisations and how many people belong to each."""

    @expose("/")
    def index(self):
        members = peewee.fn.COUNT(User.id)
        rows = (
            Organisation.select(Organisation, members.alias("members"))
            .join(User, peewee.JOIN.LEFT_OUTER, on=(User.organisation == Organisation.id))
            .group_by(Organisation.id)
            .order_by(Organisation.name)
        )
        return self.render("verbund/admin/organisations.html", rows=list(rows))

    @expose("/new", methods=["GET", "POST"])
    def create(self):
        form = OrganisationForm()
        if form.validate_on_submit():
            try:
                org = organisations.create_organisation(
                    form.name.data, form.label.data, current_user()
                )
            except Invalid as exc:
                form.name.errors.extend((exc.errors or {}).get("name") or [exc.message])
            else:
                flash(f"Organisation „{org.label}“ wurde angelegt.", "success")
                return redirect(url_for(".index"))
        status = 422 if form.errors else 200
        return self.render("verbund/admin/organisation_form.html", form=form, org=None), status

    def _org(self, org_id: int) -> Organisation:
        try:
            return organisations.get_organisation(org_id)
        except NotFound:
            abort(404)

    @expose("/<int:org_id>", methods=["GET", "POST"])
    def edit(self, org_id: int):
        org = self._org(org_id)
        form = OrganisationForm(obj=org)
        if request.method == "POST":
            form.name.data = org.name  # the short name never changes
        if form.validate_on_submit():
            organisations.rename_organisation(org, form.label.data, current_user())
            flash("Die Organisation wurde gespeichert.", "success")
            return redirect(url_for(".index"))
        status = 422 if form.errors else 200
        users, records = organisations.members(org)
        return self.render(
            "verbund/admin/organisation_form.html",
            form=form,
            org=org,
            in_use=users + records,
        ), status

    @expose("/<int:org_id>/delete", methods=["POST"])
    def delete(self, org_id: int):
        org = self._org(org_id)
        try:
            organisations.delete_organisation(org, current_user())
        except Conflict as exc:
            flash(exc.message, "error")
            return redirect(url_for(".edit", org_id=org.id))
        flash(f"Organisation „{org.label}“ wurde gelöscht.", "success")
        return redirect(url_for(".index"))
