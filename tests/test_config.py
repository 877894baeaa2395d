"""config.toml: defaults, paths relative to the file, VERBUND_* overrides, clear errors."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from server.config import ConfigError, ensure_secret_key, load_settings

ENV_DB = "postgresql://verbund:geheim@db.example/verbund"
ENV_REDIS = "redis://redis.example:6379/2"


def write_config(directory: Path, text: str = "", name: str = "config.toml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path, environ: dict[str, str] | None = None, **kw):
    return load_settings(path, environ=environ or {}, **kw)


# --- defaults and paths ------------------------------------------------------------------


def test_an_empty_file_gives_the_embedded_defaults(tmp_path):
    settings = load(write_config(tmp_path / "office"))
    base = (tmp_path / "office").resolve()
    assert settings.config_path == base / "config.toml"
    assert settings.database_url == f"sqlite:///{base / 'instance' / 'verbund.db'}"
    assert settings.redis_url == ""  # embedded Redis
    assert settings.secret_key == ""
    assert settings.forms_dir == base / "forms"
    assert settings.workflows_dir == base / "workflows"
    assert settings.exports_dir == base / "exports"
    assert settings.instance_dir == base / "instance"
    assert settings.roles == {}
    assert settings.section("queue")["job_timeout"] == 120


def test_relative_paths_are_resolved_against_the_config_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the working directory must not matter
    path = write_config(
        tmp_path / "etc" / "verbund",
        '[database]\nurl = "sqlite:///daten/v.db"\n[paths]\nforms = "../formulare"\n',
    )
    settings = load(path)
    base = (tmp_path / "etc" / "verbund").resolve()
    assert settings.database_url == f"sqlite:///{base / 'daten' / 'v.db'}"
    assert settings.forms_dir == (tmp_path / "etc" / "formulare").resolve()
    assert settings.relative(base / "forms" / "intake.toml") == "forms/intake.toml"


@pytest.mark.parametrize(
    "url",
    ["sqlite:////var/lib/verbund/v.db", "sqlite:///:memory:", ENV_DB],
)
def test_absolute_memory_and_server_urls_are_kept(tmp_path, url):
    path = write_config(tmp_path, f'[database]\nurl = "{url}"\n')
    assert load(path).database_url == url


def test_config_path_from_verbund_config(tmp_path, monkeypatch):
    path = write_config(tmp_path / "elsewhere", '[server]\nname = "Sportamt"\n')
    monkeypatch.setenv("VERBUND_CONFIG", str(path))
    monkeypatch.chdir(tmp_path)
    assert load_settings().section("server")["name"] == "Sportamt"


def test_roles_are_read(tmp_path):
    path = write_config(tmp_path, '[roles.clerk]\nlabel = "Sachbearbeitung"\nscope = "all"\n')
    assert load(path).roles == {"clerk": {"label": "Sachbearbeitung", "scope": "all"}}


# --- overrides ---------------------------------------------------------------------------


def test_environment_wins_over_the_file(tmp_path):
    path = write_config(
        tmp_path,
        '[database]\nurl = "sqlite:///a.db"\n[queue]\nredis_url = "redis://file:6379/0"\n'
        '[server]\nsecret_key = "aus-der-datei"\n',
    )
    environ = {
        "VERBUND_DATABASE_URL": ENV_DB,
        "VERBUND_REDIS_URL": ENV_REDIS,
        "VERBUND_SECRET_KEY": "aus-der-umgebung",
    }
    settings = load(path, environ)
    assert (settings.database_url, settings.redis_url, settings.secret_key) == (
        ENV_DB,
        ENV_REDIS,
        "aus-der-umgebung",
    )


def test_empty_environment_variables_do_not_override(tmp_path):
    path = write_config(tmp_path, '[queue]\nredis_url = "redis://file:6379/0"\n')
    environ = {"VERBUND_REDIS_URL": "", "VERBUND_DATABASE_URL": ""}
    settings = load(path, environ)
    assert settings.redis_url == "redis://file:6379/0"
    assert settings.database_url.endswith("/instance/verbund.db")


def test_a_relative_sqlite_url_from_the_environment_is_resolved_too(tmp_path):
    path = write_config(tmp_path)
    settings = load(path, {"VERBUND_DATABASE_URL": "sqlite:///env.db"})
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'env.db'}"


def test_environ_argument_replaces_os_environ(tmp_path, monkeypatch):
    monkeypatch.setenv("VERBUND_REDIS_URL", ENV_REDIS)
    assert load(write_config(tmp_path), {}).redis_url == ""


def test_overrides_are_merged_deeply(tmp_path):
    path = write_config(
        tmp_path,
        '[queue]\nredis_url = "redis://file:6379/0"\njob_timeout = 30\n'
        '[roles.clerk]\nlabel = "Sachbearbeitung"\n',
    )
    settings = load(
        path,
        {"VERBUND_REDIS_URL": ENV_REDIS},
        overrides={"queue": {"redis_url": "unix:///tmp/r.sock"}, "roles": {"head": {"label": "L"}}},
    )
    assert settings.redis_url == "unix:///tmp/r.sock"
    assert settings.section("queue")["job_timeout"] == 30  # the file's, untouched
    assert settings.section("queue")["queue_name"] == "verbund"  # the default, untouched
    assert set(settings.roles) == {"clerk", "head"}


def test_loading_does_not_change_the_defaults(tmp_path):
    first = load(
        write_config(tmp_path / "a", "[roles.x]\nlabel = 'X'\n"), {"VERBUND_REDIS_URL": "r"}
    )
    second = load(write_config(tmp_path / "b"))
    assert first.roles and second.roles == {}
    assert second.redis_url == ""


# --- errors ------------------------------------------------------------------------------


def test_a_missing_file_is_a_german_config_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        load(tmp_path / "fehlt.toml")
    assert (
        str(info.value)
        == f"{(tmp_path / 'fehlt.toml').resolve()}: Konfigurationsdatei nicht gefunden"
    )


def test_a_toml_syntax_error_is_a_config_error_naming_the_file(tmp_path):
    path = write_config(tmp_path, '[server]\nname = "x"\n[database\n')
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(info.value).startswith(str(path.resolve()))


def test_a_toml_syntax_error_is_german_with_path_and_line(tmp_path):
    path = write_config(tmp_path, '[server]\nname = "x"\n[database\n')
    with pytest.raises(ConfigError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(f"{path.resolve()}:3: ")
    assert "„]“ am Ende der Tabellenüberschrift fehlt" in message


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes('\ufeff[server]\nname = "Sportamt"\n'.encode())
    assert load(path).section("server")["name"] == "Sportamt"


def test_a_file_not_in_utf8_is_a_config_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes('[server]\nname = "Vereinsförderung"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load(path)


@pytest.mark.parametrize(
    "text",
    [
        "[database]\nurl = 5\n",
        'database = "x"\n',
        'paths = "x"\n',
        "[paths]\nforms = 3\n",
        '[database]\nprepared_statements = "nein"\n',
    ],
)
def test_values_of_the_wrong_type_are_config_errors(tmp_path, text):
    with pytest.raises(ConfigError):
        load(write_config(tmp_path, text))


# --- secret key --------------------------------------------------------------------------


def test_a_configured_secret_key_is_used_and_nothing_written(tmp_path):
    settings = load(write_config(tmp_path), {"VERBUND_SECRET_KEY": "k" * 40})
    assert ensure_secret_key(settings) == "k" * 40
    assert not (tmp_path / "instance").exists()


def test_a_secret_key_is_created_once_and_kept(tmp_path):
    settings = load(write_config(tmp_path))
    key = ensure_secret_key(settings)
    key_file = tmp_path / "instance" / "secret_key"
    assert len(key) >= 32 and key_file.read_text().strip() == key
    assert ensure_secret_key(load(write_config(tmp_path))) == key  # a restart keeps sessions
    other = load(write_config(tmp_path / "other"))
    assert ensure_secret_key(other) != key


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_secret_key_file_is_private(tmp_path):
    ensure_secret_key(load(write_config(tmp_path)))
    mode = stat.S_IMODE((tmp_path / "instance" / "secret_key").stat().st_mode)
    assert mode & 0o077 == 0


def test_an_empty_key_file_never_gives_an_empty_secret_key(tmp_path):
    settings = load(write_config(tmp_path))
    settings.instance_dir.mkdir()
    (settings.instance_dir / "secret_key").write_text("")
    assert ensure_secret_key(settings) != ""
