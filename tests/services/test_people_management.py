"""The administration's rules for people, organisations and tokens live in the services
(server/services/accounts/{management,organisations,tokens}.py), so the command line keeps
them too: nobody deactivates the last administrator, whichever door they use."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from server.cli import main
from server.models import ApiToken, AuditEntry, Organisation, User, UserSession
from server.services.accounts import management, organisations, tokens
from server.services.accounts.people import issue_token, open_session, user_for_token
from server.services.errors import Conflict, Invalid


@pytest.fixture
def cli(config_dir, database_overrides):
    url = database_overrides.get("database", {}).get("url", "")
    runner = CliRunner(env={"VERBUND_DATABASE_URL": url} if url else None)
    config = str(config_dir / "config.toml")
    return lambda *args: runner.invoke(main, ["--config", config, *args])


def test_the_command_line_cannot_deactivate_the_last_administrator(app, make_user, cli):
    chefin = make_user("chefin", ["admin"], "stadt")
    refused = cli("user", "deactivate", "chefin")
    assert refused.exit_code != 0
    assert "mindestens eine aktive Person mit der Rolle „admin“" in refused.output
    assert User.get_by_id(chefin.id).active

    make_user("vertretung", ["admin"], "stadt")
    open_session(User.get_by_id(chefin.id))
    secret = issue_token(User.get_by_id(chefin.id))
    done = cli("user", "deactivate", "chefin")
    assert done.exit_code == 0, done.output
    assert "1 Sitzung(en) beendet, 1 API-Token(s) widerrufen" in done.output
    assert not User.get_by_id(chefin.id).active
    assert user_for_token(secret) is None
    assert UserSession.get(UserSession.user == chefin.id).revoked_at is not None
    entry = AuditEntry.get(AuditEntry.action == "user.update")
    assert entry.detail["changed"] == ["active"] and entry.detail["tokens_revoked"] == 1

    # now "vertretung" is the last one: the rule holds for them as well
    assert cli("user", "deactivate", "vertretung").exit_code != 0
    assert User.get(User.username == "vertretung").active
    assert "gibt es nicht" in cli("user", "deactivate", "niemand").output


def test_removing_the_admin_role_keeps_one_administrator(app, make_user):
    chefin = make_user("chefin", ["admin"], "stadt")
    fields = management.PersonFields("Chefin", "", chefin.organisation_id, [], True)
    with pytest.raises(Invalid) as refused:
        management.update_person(chefin, fields, privacy={}, actor=chefin)
    assert refused.value.errors == {"roles": [management.LAST_ADMIN]}
    assert User.get_by_id(chefin.id).roles == ["admin"]
    assert not AuditEntry.select().where(AuditEntry.action == "user.update").exists()


def test_an_organisation_in_use_is_not_deleted_on_any_door(app, make_user):
    actor = make_user("chefin", ["admin"], "stadt")
    taken = Organisation.get(Organisation.name == "stadt")
    with pytest.raises(Conflict) as refused:
        organisations.delete_organisation(taken, actor)
    assert "1 Person(en)" in refused.value.message
    with pytest.raises(Invalid):
        organisations.create_organisation("stadt", "Doppelt", actor)
    empty = organisations.create_organisation("leer", "Leer", actor)
    organisations.delete_organisation(empty, actor)
    assert not Organisation.select().where(Organisation.name == "leer").exists()
    actions = [
        e.action for e in AuditEntry.select().where(AuditEntry.object_type == "organisation")
    ]
    assert actions == ["organisation.create", "organisation.delete"]


def test_a_token_is_revoked_once_and_only_for_active_people(app, make_user):
    actor = make_user("chefin", ["admin"], "stadt")
    owner = make_user("kasse", ["clerk"], "stadt")
    issued_for, secret = tokens.issue_token_for(owner.id, " Kasse ", privacy={}, actor=actor)
    assert issued_for.id == owner.id and user_for_token(secret).id == owner.id
    token = ApiToken.get(ApiToken.user == owner.id)
    assert token.label == "Kasse"
    assert tokens.revoke_token(token.id, actor)[1] is True
    assert tokens.revoke_token(token.id, actor)[1] is False  # already revoked: no second entry
    assert AuditEntry.select().where(AuditEntry.action == "token.revoke").count() == 1
    assert user_for_token(secret) is None
    User.update(active=False).where(User.id == owner.id).execute()
    with pytest.raises(Invalid) as refused:
        tokens.issue_token_for(owner.id, "", privacy={}, actor=actor)
    assert refused.value.errors == {"user": ["Bitte eine aktive Person wählen."]}
