"""The accessibility statement (BITV 2.0 § 7): open without login, its feedback contact from
config.toml, and linked in the footer of every page, error pages included."""

from __future__ import annotations

from server import create_app
from tests.helpers import login


def test_statement_is_public_and_names_no_contact_until_one_is_configured(client):
    page = client.get("/barrierefreiheit/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1" in html and "Erklärung zur Barrierefreiheit" in html
    assert "WCAG" in html and "noch nicht eingetragen" in html
    assert 'lang="de"' in html


def test_contact_and_review_date_come_from_config(config_dir, redis_url, database_overrides):
    path = config_dir / "config.toml"
    section = '\n[accessibility]\ncontact = "barrieren@example.org"\nreviewed = "01.12.2026"\n'
    path.write_text(path.read_text(encoding="utf-8") + section, encoding="utf-8")
    app = create_app(str(path), {"queue": {"redis_url": redis_url}, **database_overrides})
    html = app.test_client().get("/barrierefreiheit/").get_data(as_text=True)
    assert '<a href="mailto:barrieren@example.org">barrieren@example.org</a>' in html
    assert "zuletzt am 01.12.2026 überprüft" in html


def test_every_page_links_the_statement_in_its_footer(client, make_user):
    make_user("sb", ["clerk"])
    link = '<a href="/barrierefreiheit/">Erklärung zur Barrierefreiheit</a>'
    assert link in client.get("/auth/login").get_data(as_text=True)
    login(client, "sb")
    assert link in client.get("/").get_data(as_text=True)
    missing = client.get("/records/gibtsnicht/1")
    assert missing.status_code == 404 and link in missing.get_data(as_text=True)
