"""The start page per role (``[[start]]``) for an office that is not KIM, and its checks.

The fixture office (Vereinsförderung) configures its own start page: the engine serves any
office's start page, and every mistake in ``[[start]]`` is reported with its line.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from server.cli import main
from server.config import ConfigError, load_settings
from server.documents.references import title_visible
from server.schema.definitions import WorkflowDef
from tests.helpers import login

START = """
[[start]]
roles = ["applicant"]
widget = "records"
title = "Meine Anträge"
workflow = "foerderung"
mine = true

[[start]]
roles = ["clerk"]
widget = "by_state"
title = "Anträge nach Stand"
workflow = "foerderung"

[[start]]
roles = ["clerk", "head"]
widget = "by_owner"
workflow = "foerderung"

[[start]]
roles = ["clerk"]
widget = "by_owner"
title = "Die meisten Anträge"
workflow = "foerderung"
limit = 1
"""

ANTRAG = {
    "verein": "Ruderclub Rhein",
    "email": "rc@rhein.example",
    "beginn": "2027-01-01",
    "zweck": "Boote",
    "betrag": 5,
    "posten": [{"posten": "Boot", "betrag": 5}],
}


@pytest.fixture
def config_dir(config_dir):
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(START)
    return config_dir


def test_each_role_sees_its_blocks_and_only_what_it_may_read(app, api):
    owner = api("verein1", ["applicant"], "club-a")
    api("verein2", ["applicant"], "club-b")
    api("sb", ["clerk"], "amt")
    record = owner.post("/records", json={"workflow": "foerderung"}).get_json()
    owner.put(f"/records/{record['id']}/forms/antrag", json={"data": ANTRAG, "version": 1})

    def page(username):
        client = app.test_client()
        login(client, username)
        return client.get("/").get_data(as_text=True)

    mine = page("verein1")
    assert "Meine Anträge" in mine and "Ruderclub Rhein" in mine
    assert 'data-widget="by_state"' not in mine
    other = page("verein2")
    assert "Meine Anträge" in other and "Ruderclub Rhein" not in other
    clerk = page("sb")
    assert "Anträge nach Stand" in clerk and "<svg" in clerk
    assert "verein1" in clerk or "Verein" in clerk  # the owner in the per-person chart


def test_the_per_person_chart_shows_the_people_with_the_most_records_and_sums_the_rest(
    app, api, make_user
):
    busy, quiet = api("verein1", ["applicant"], "club-a"), api("verein2", ["applicant"], "club-b")
    for client in (busy, busy, quiet):
        assert client.post("/records", json={"workflow": "foerderung"}).status_code == 201
    make_user("sb", ["clerk"], "amt")
    client = app.test_client()
    login(client, "sb")
    page = client.get("/").get_data(as_text=True)
    everyone, limited = page.split('data-widget="by_owner"')[1:3]
    assert "verein1" in everyone and "verein2" in everyone
    assert "Dazu" not in everyone  # no limit given: a team of two is shown whole
    limited = limited[limited.index("Die meisten Anträge") :]
    table = limited[limited.index("<table") : limited.index("</table>")]
    assert "verein1" in table and "verein2" not in table
    assert "Dazu 1 weitere Person mit zusammen 1 Datensatz" in limited


def test_a_list_block_links_to_all_with_the_number_of_the_persons_records(app, api):
    mine, other = api("verein1", ["applicant"], "club-a"), api("verein2", ["applicant"], "club-b")
    for client, times in ((mine, 12), (other, 3)):
        for _ in range(times):
            assert client.post("/records", json={"workflow": "foerderung"}).status_code == 201
    client = app.test_client()
    login(client, "verein1")
    page = client.get("/").get_data(as_text=True)
    block = page[page.index('data-widget="records"') :]
    # ten listed (the block's default), the link names all twelve of hers, not the club's three
    assert block[: block.index("</table>")].count("<tr") == 11  # the heading and ten rows
    assert "Alle 12 anzeigen" in block


def test_a_role_without_blocks_gets_the_standard_start_page(app, make_user):
    make_user("chefin", ["admin"], "amt")
    client = app.test_client()
    login(client, "chefin")
    page = client.get("/").get_data(as_text=True)
    assert 'data-widget="deadlines"' in page and 'data-widget="workflows"' in page


@pytest.mark.parametrize(
    "entry, message",
    [
        ('roles = ["clerk"]\nwidget = "torte"', "unbekanntes widget „torte“"),
        ('roles = ["clerk"]\nwidget = "records"', "widget „records“ braucht „workflow“"),
        ('roles = ["kaiser"]\nwidget = "recent"', "die Rolle „kaiser“ gibt es nicht"),
        ('roles = ["clerk"]\nwidget = "recent"\nfarbe = "rot"', "unbekannter Schlüssel „farbe“"),
        ('roles = ["clerk"]\nwidget = "recent"\nlimit = "10"', "„limit“ muss eine ganze Zahl"),
        ('roles = ["clerk"]\nwidget = "recent"\nrows = "state"', "„rows“ gilt nicht für"),
        ('widget = "recent"', "„roles“ fehlt"),
    ],
)
def test_mistakes_in_start_are_refused_with_their_line(tmp_path, entry, message):
    config = tmp_path / "config.toml"
    config.write_text('[roles.clerk]\nlabel = "SB"\n\n[[start]]\n' + entry + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    text = str(caught.value)
    assert message in text
    assert "config.toml:" in text and "[[start]] Nr. 1" in text


def test_verbund_check_reports_what_start_names_but_does_not_exist(config_dir):
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            '\n[[start]]\nroles = ["clerk"]\nwidget = "upcoming"\nworkflow = "foerderung"\n'
            'date = "antrag.verein"\n'
            '\n[[start]]\nroles = ["clerk"]\nwidget = "statistic"\nworkflow = "foerderung"\n'
            'rows = "antrag.nichts"\n'
            '\n[[start]]\nroles = ["clerk"]\nwidget = "records"\nworkflow = "gibtsnicht"\n'
            '\n[[start]]\nroles = ["clerk"]\nwidget = "register"\n'
        )
    result = CliRunner().invoke(main, ["--config", str(config_dir / "config.toml"), "check"])
    assert result.exit_code == 1
    out = result.output
    assert "„antrag.verein“ ist kein Datumsfeld" in out
    assert "„antrag.nichts“ ist kein Merkmal der Statistik" in out
    assert "die Rolle „clerk“ steht nicht in [privacy] statistics_roles" in out
    assert "den Ablauf „gibtsnicht“ gibt es nicht" in out
    assert "es ist kein Beschlussregister ([register]) eingerichtet" in out
    lines = [line for line in out.splitlines() if "[[start]]" in line]
    assert lines and all(line.startswith("config.toml:") for line in lines)


def _workflow(wid, read_scope=None, read_roles=()):
    return WorkflowDef(
        id=wid, title=wid, initial="a", states=(), read_scope=read_scope, read_roles=read_roles
    )


def test_documents_print_a_title_only_where_every_reader_may_read_the_target():
    from types import SimpleNamespace

    workflows = {
        "directory": _workflow("directory", "all"),
        "meetings": _workflow("meetings", "all", ("secretary", "lead")),
        "cases": _workflow("cases"),
    }
    defs = SimpleNamespace(workflows=workflows)
    case = _workflow("cases")
    minutes = _workflow("minutes", "all", ("secretary",))
    assert title_visible(defs, case, "directory")  # a directory everybody reads
    assert not title_visible(defs, case, "meetings")  # case readers may not read meetings
    assert title_visible(defs, minutes, "meetings")  # minutes readers all read meetings
    assert not title_visible(defs, minutes, "cases")  # a case never shows its name
    assert not title_visible(defs, case, "nowhere")
