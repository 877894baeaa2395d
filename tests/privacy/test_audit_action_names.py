"""Every action the code writes into the audit log has a German name on the audit screens.

The data protection officer reads the log as German sentences („Bericht angefordert“); an
action without a name shows only its code. The actions are collected from the source (every
call of ``audit``, ``audit_or_spool`` and ``DownloadAudit`` with a literal action), so a new
action without a name fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import server

CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")
WRITERS = {"audit", "audit_or_spool", "DownloadAudit"}


def _called_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def written_actions() -> set[str]:
    """The literal action codes passed to the audit writers anywhere in ``server/``."""
    found = set()
    for path in Path(server.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _called_name(node) not in WRITERS:
                continue
            arguments = [*node.args, *(k.value for k in node.keywords if k.arg == "action")]
            texts = [a.value for a in arguments if isinstance(a, ast.Constant)]
            codes = [t for t in texts if isinstance(t, str) and CODE.match(t)]
            if codes:
                found.add(codes[0])
    return found


def test_every_written_action_has_a_german_name(app):
    names = app.jinja_env.get_template("verbund/_audit.html").module.ACTIONS
    actions = written_actions()
    # the collection itself works: actions of several areas are found
    assert {"record.read", "report.request", "form.save", "login"} <= actions
    assert sorted(actions - set(names)) == []


def test_the_audit_log_shows_a_report_request_in_german(app, office):
    from server.services.audit import audit
    from tests.helpers import login

    with app.app_context():
        audit("report.request", None, object_type="report_document", object_id=7)
    browser = app.test_client()
    login(browser, "dpo")
    page = browser.get("/datenschutz/protokoll/?action=report").get_data(as_text=True)
    assert 'id="treffer">1<' in page
    assert "Bericht angefordert" in page and "Berichtsdatei 7" in page


def test_the_audit_log_counts_up_to_a_cap_and_asks_to_narrow(app, office, monkeypatch):
    """The log grows by every page anyone opens: the screen counts up to a cap (here 3)
    and then says „Mehr als 3 Einträge – bitte … eingrenzen“; a narrower filter counts
    exactly again."""
    from server.services.audit import audit
    from server.web.privacy import views
    from tests.helpers import login

    with app.app_context():
        for n in range(5):
            audit("report.request", None, object_type="report_document", object_id=n)
    monkeypatch.setattr(views, "COUNT_LIMIT", 3)
    browser = app.test_client()
    login(browser, "dpo")
    page = browser.get("/datenschutz/protokoll/?action=report").get_data(as_text=True)
    assert 'Mehr als <span id="treffer">3</span> Einträge – bitte nach Person' in page
    assert page.count("Bericht angefordert") >= 5  # the page still lists what it holds
    narrow = browser.get("/datenschutz/protokoll/?action=login").get_data(as_text=True)
    assert "Mehr als" not in narrow and 'id="treffer">' in narrow
