"""`verbund check` and the start refuse a broken ``[ldap]`` section, naming file and line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server.config import ConfigError, load_settings
from server.directory_settings import DirectorySettings

FIXTURE = Path(__file__).parent / "fixtures" / "foerderung"

BROKEN = """
[ldap]
url = "http://dc1.stadt.example"
bind_dn = "das ist kein DN"
bind_password = "geheim"
user_base = "ou=leute,dc=stadt,dc=example"
user_filter = "(uid=nobody)"
group_filter = "(member={dn}"
timeout = 600

[[ldap.groups]]
group = "cn=kim,ou=gruppen,dc=stadt,dc=example"
roles = ["clerk", "zauberer"]
organisation = "Sport Amt"

[[ldap.groups]]
roles = []
farbe = "blau"
"""


@pytest.fixture
def office(tmp_path) -> Path:
    target = tmp_path / "office"
    shutil.copytree(FIXTURE, target)
    return target


def test_verbund_check_names_every_ldap_mistake_with_its_line(office):
    config = office / "config.toml"
    before = len(config.read_text(encoding="utf-8").splitlines())
    config.write_text(config.read_text(encoding="utf-8") + BROKEN, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "--config", str(config), "check"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()

    def at(offset: int, words: str) -> None:
        wanted = f"config.toml:{before + offset}: "
        assert any(line.startswith(wanted) and words in line for line in lines), (
            wanted,
            words,
            lines,
        )

    at(3, "url muss wie „ldaps://")
    at(4, "kein gültiger DN")
    at(5, "VERBUND_LDAP_BIND_PASSWORD")
    at(7, "user_filter muss {username} enthalten")
    at(8, "kein gültiger LDAP-Filter")
    at(9, "timeout muss zwischen 1 und 60")
    at(13, "die Rolle „zauberer“ gibt es nicht in [roles]")
    at(14, "„organisation“ ist ein Kurzname")
    at(17, "„roles“ muss eine nicht leere Liste")
    at(18, "unbekannter Schlüssel „farbe“")
    assert any("„group“ (der DN der Gruppe) fehlt" in line for line in lines)
    assert "Traceback" not in result.stderr


def test_a_good_section_loads_and_the_password_comes_from_the_environment(office):
    config = office / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[ldap]\nurl = "ldaps://dc1.stadt.example"\n'
        'bind_dn = "CN=svc-verbund,OU=Dienste,DC=stadt,DC=example"\n'
        'user_base = "OU=Mitarbeitende,DC=stadt,DC=example"\n'
        'user_filter = "(&(objectClass=user)(sAMAccountName={username}))"\n'
        '[[ldap.groups]]\ngroup = "CN=KIM,OU=Gruppen,DC=stadt,DC=example"\n'
        'roles = ["clerk"]\norganisation = "sportamt"\n',
        encoding="utf-8",
    )
    settings = load_settings(config, environ={"VERBUND_LDAP_BIND_PASSWORD": "aus-der-umgebung"})
    directory = DirectorySettings.from_section(settings.section("ldap"))
    assert directory.enabled and directory.bind_password == "aus-der-umgebung"
    assert directory.groups[0].roles == ("clerk",)
    assert directory.groups[0].organisation == "sportamt"
    # without a url there is no directory login at all (the default)
    assert not DirectorySettings.from_section(
        load_settings(FIXTURE / "config.toml").section("ldap")
    ).enabled


def test_the_start_refuses_a_broken_section_too(office):
    config = office / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + BROKEN, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert "VERBUND_LDAP_BIND_PASSWORD" in str(caught.value)
