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

from ..models import Organisation, Record, User, transaction
from ..services.accounts.people import ORG_RE
from ..services.audit import audit
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
            name = (form.name.data or "").strip().lower()
            if Organisation.select().where(Organisation.name == name).exists():
                form.name.errors.append(f"Die Organisation „{name}“ gibt es schon.")
            else:
                with transaction():
                    org = Organisation.create(name=name, label=(form.label.data or "").strip())
                    audit(
                        "organisation.create",
                        current_user(),
                        object_type="organisation",
                        object_id=org.name,
                    )
                flash(f"Organisation „{org.label}“ wurde angelegt.", "success")
                return redirect(url_for(".index"))
        status = 422 if form.errors else 200
        return self.render("verbund/admin/organisation_form.html", form=form, org=None), status

    def _org(self, org_id: int) -> Organisation:
        org = Organisation.get_or_none(Organisation.id == org_id)
        if org is None:
            abort(404)
        return org

    @expose("/<int:org_id>", methods=["GET", "POST"])
    def edit(self, org_id: int):
        org = self._org(org_id)
        form = OrganisationForm(obj=org)
        if request.method == "POST":
            form.name.data = org.name  # the short name never changes
        if form.validate_on_submit():
            with transaction():
                Organisation.update(label=(form.label.data or "").strip()).where(
                    Organisation.id == org.id
                ).execute()
                audit(
                    "organisation.update",
                    current_user(),
                    object_type="organisation",
                    object_id=org.name,
                )
            flash("Die Organisation wurde gespeichert.", "success")
            return redirect(url_for(".index"))
        status = 422 if form.errors else 200
        users = User.select().where(User.organisation == org.id).count()
        records = Record.select().where(Record.organisation == org.id).count()
        return self.render(
            "verbund/admin/organisation_form.html",
            form=form,
            org=org,
            in_use=users + records,
        ), status

    @expose("/<int:org_id>/delete", methods=["POST"])
    def delete(self, org_id: int):
        org = self._org(org_id)
        with transaction():
            users = User.select().where(User.organisation == org.id).count()
            records = Record.select().where(Record.organisation == org.id).count()
            if users or records:
                flash(
                    f"„{org.label}“ kann nicht gelöscht werden: {users} Person(en) und "
                    f"{records} Datensatz/-sätze gehören dazu.",
                    "error",
                )
                return redirect(url_for(".edit", org_id=org.id))
            org.delete_instance()
            audit(
                "organisation.delete",
                current_user(),
                object_type="organisation",
                object_id=org.name,
            )
        flash(f"Organisation „{org.label}“ wurde gelöscht.", "success")
        return redirect(url_for(".index"))
