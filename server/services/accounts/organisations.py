"""Organisations (the city office, the welfare associations …): create, rename, delete.

The short name is fixed once created (it appears in audit entries, the CLI and the API); the
label can change. An organisation is deleted only while no person and no record belongs to
it – counted inside the deleting transaction, so nobody joins it in between.
"""

from __future__ import annotations

from ...models import Organisation, Record, User, transaction
from ..audit import audit
from ..errors import Conflict, Invalid, NotFound
from .people import ORG_RE


def create_organisation(name: str, label: str, actor: User | None) -> Organisation:
    """A new organisation; Invalid (key ``name``) for a bad or taken short name."""
    name = (name or "").strip().lower()
    if not ORG_RE.match(name):
        raise Invalid(
            "Ungültiger Kurzname.",
            {"name": ["Kleinbuchstaben, Ziffern, - und _ (höchstens 64 Zeichen)."]},
        )
    with transaction():
        if Organisation.select().where(Organisation.name == name).exists():
            message = f"Die Organisation „{name}“ gibt es schon."
            raise Invalid(message, {"name": [message]})
        org = Organisation.create(name=name, label=(label or "").strip())
        audit("organisation.create", actor, object_type="organisation", object_id=org.name)
    return org


def rename_organisation(org: Organisation, label: str, actor: User | None) -> None:
    """A new label (the short name stays)."""
    with transaction():
        Organisation.update(label=(label or "").strip()).where(Organisation.id == org.id).execute()
        audit("organisation.update", actor, object_type="organisation", object_id=org.name)


def members(org: Organisation) -> tuple[int, int]:
    """(people, records) that belong to ``org``."""
    users = User.select().where(User.organisation == org.id).count()
    records = Record.select().where(Record.organisation == org.id).count()
    return users, records


def delete_organisation(org: Organisation, actor: User | None) -> None:
    """Delete ``org``; Conflict (naming what belongs to it) while it is in use."""
    with transaction():
        users, records = members(org)
        if users or records:
            raise Conflict(
                f"„{org.label}“ kann nicht gelöscht werden: {users} Person(en) und "
                f"{records} Datensatz/-sätze gehören dazu."
            )
        org.delete_instance()
        audit("organisation.delete", actor, object_type="organisation", object_id=org.name)


def get_organisation(org_id: int) -> Organisation:
    org = Organisation.get_or_none(Organisation.id == org_id)
    if org is None:
        raise NotFound("Diese Organisation gibt es nicht.")
    return org
