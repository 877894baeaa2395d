"""The data-protection settings of config.toml are checked like every other setting."""

from __future__ import annotations

import pytest

from server.config import ConfigError, load_settings

ROLES = '[roles.dpo]\nlabel = "DPO"\nscope = "none"\n'


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text,message",
    [
        (
            '[privacy]\naudit_roles = ["gibtsnicht"]\n' + ROLES,
            "die Rolle „gibtsnicht“ gibt es nicht",
        ),
        ('[privacy]\naudit_roles = "dpo"\n' + ROLES, "muss eine Liste sein"),
        ("[privacy]\nmin_cell = -1\n" + ROLES, "darf nicht negativ sein"),
        ('[sessions]\nidle_minutes = "30"\n', "muss eine ganze Zahl sein"),
        ("[security]\ntrust_proxy = 1\n", "muss wahr oder falsch sein"),
        ("[security]\nlogin_tries = 3\n", "unbekannter Schlüssel „login_tries“"),
    ],
)
def test_mistakes_name_the_line_and_the_problem(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), environ={})
    assert message in str(caught.value)
    assert "config.toml:" in str(caught.value)


def test_defaults_and_the_environment(tmp_path):
    settings = load_settings(write(tmp_path, ROLES), environ={"VERBUND_PSEUDONYM_KEY": "k1"})
    assert settings.section("privacy")["pseudonym_key"] == "k1"
    assert settings.section("privacy")["min_cell"] == 5
    assert settings.section("sessions") == {"idle_minutes": 30, "lifetime_hours": 10}
    assert settings.section("security")["second_factor_roles"] == []


def test_the_shipped_kim_configuration_is_valid():
    from pathlib import Path

    from server.runtime import Runtime

    root = Path(__file__).parent.parent.parent
    runtime = Runtime(load_settings(root / "config.toml", environ={}))
    defs, problems = runtime.load()
    assert not [p for p in problems if not p.warning], problems
    workflow = defs.workflows["case_management"]
    assert {r.state for r in workflow.retention} == {"closed", "not_admitted", "withdrawn"}
    assert [c.id for c in workflow.consents] == ["fallarbeit"]
    assert "dpo" in defs.roles
