"""Every route, walked with people of each scope and of another organisation.

The table below must name every route of the app: a new route fails this test until
somebody decides who may reach it. Records someone may not read are 404 on every path;
lists never show them; anonymous visitors get the login (screens) or 401 (API).
"""

from __future__ import annotations

import io

import pytest

from server.models import ApiToken, Organisation, Reminder, User
from server.runtime import current_runtime
from server.services.notifications.create import notify
from server.services.records.deadlines import create_reminders
from tests.helpers import csrf_token, login

ANTRAG = {
    "verein": "Geheimverein Nord",
    "email": "g@example.org",
    "beginn": "2027-01-01",
    "zweck": "Zweck",
    "betrag": 5,
    "posten": [{"posten": "P", "betrag": 5}],
}

# endpoint -> kind: "record" (about one record: readers pass, others 404), "list" (may be
# reached by everybody logged in; must not show unreadable records), "public", "admin"
# (role admin only, else 403; walked like "list" here, in detail in tests/admin/test_access.py),
# or the ``[privacy]`` key naming the roles that may use a data-protection screen (others: 403),
# or "own" (belongs to one person, "owner" here: everybody else gets 404)
ADMIN_ROUTES = {
    f"{view}.{name}": "admin"
    for view, names in {
        "admin_users": ("index", "create", "edit", "reset_password", "end_sessions"),
        "admin_organisations": ("index", "create", "edit", "delete"),
        "admin_tokens": ("index", "create", "revoke"),
        "admin_config": (
            "index",
            "new",
            "edit",
            "save",
            "preview",
            "diagram",
            "diagram_svg",
            "delete",
        ),
        "admin_revisions": ("index", "show", "rollback", "file", "restore_file"),
        # the form and workflow builders (issue 15); live_check: the draft checked as JSON
        "admin_builder": ("index", "show", "change", "live_check"),
        "admin_workflow_builder": ("index", "show", "change", "live_check"),
        "admin_jobs": ("index", "retry", "retry_all"),
        "admin_audit": ("index",),
        "api": (
            "get_config_form",
            "put_config_form",
            "get_config_workflow",
            "put_config_workflow",
            "list_config_revisions",
            "get_config_revision",
        ),
    }.items()
    for name in names
}
ROUTES = {
    **ADMIN_ROUTES,
    "admin.index": "list",
    "admin.static": "public",
    "static": "public",
    "auth.index": "public",
    "auth.login": "public",
    "a11y.index": "public",  # the accessibility statement (BITV 2.0 § 7)
    "auth.logout": "list",
    "api.openapi": "public",
    "metrics.metrics": "public",  # by address or token, not by login (tests/jobs)
    "api.list_workflows": "list",
    "api.get_workflow": "list",
    "api.get_form": "list",
    "api.list_records": "list",
    "api.post_record": "list",
    "api.get_deadlines": "list",
    "api.get_record": "record",
    "api.put_form": "record",
    "api.post_transition": "record",
    "api.post_handover": "record",
    "api.post_document": "record",
    "api.get_document": "record",
    "api.get_document_file": "record",
    "api.get_document_pdf": "record",
    "deadlines.index": "list",
    "deadlines.reminder_read": "record",
    # one's own notifications: the person they belong to, everyone else 404
    "notifications.index": "list",
    "notifications.read_all": "list",
    "notifications.settings": "list",
    "notifications.open": "own",
    "notifications.read": "own",
    "documents.index": "list",
    "documents.status": "record",
    "documents.download": "record",
    "documents.download_pdf": "record",
    "records.index": "list",
    "records.list_records": "list",
    "records.create": "list",
    "records.confirm_create": "list",  # "Fall neu anlegen?": asks, creates nothing
    "records.record": "record",
    "records.save": "record",
    "records.copy": "record",  # table rows copied from another form of the record
    "records.transition": "record",
    "records.handover": "record",
    "records.request_document": "record",
    "api.post_file": "record",
    "api.get_file": "record",
    "api.get_file_content": "record",
    "files.index": "list",
    "files.download": "record",
    "form_history.index": "list",
    "form_history.history": "record",
    "record_history.index": "list",
    "record_history.history": "record",  # the "Verlauf" of the record page, read on demand
    "api.retry_document": "record",
    "documents.retry": "record",
    **{
        f"word_templates.{name}": "admin"
        for name in ("index", "detail", "download", "restore", "take_file", "upload")
    },
    "auth.code": "public",
    "auth.second_factor": "list",
    "api.get_consents": "record",
    "api.post_consent": "record",
    "api.post_withdrawal": "record",
    "consents.index": "list",
    "consents.give": "record",
    "consents.withdraw": "record",
    "privacy_audit.index": "audit_roles",
    "privacy_audit.export": "audit_roles",
    "privacy_access.index": "subject_access_roles",
    "privacy_access.export": "subject_access_roles",
    "privacy_retention.index": "hold_roles",
    "privacy_retention.hold": "hold_roles",
    "privacy_retention.anonymise": "hold_roles",
    "statistics.index": "statistics_roles",
    "statistics.table_export": "statistics_roles",
    "statistics.microdata_export": "statistics_roles",
    "reports.index": "statistics_roles",
    "reports.show": "statistics_roles",
    # the report as a Word/Excel file (issue 17): a holder's own files, others 404
    "reports.request_file": "statistics_roles",
    "reports.file_status": "statistics_roles",
    "reports.download": "statistics_roles",
    "reports.retry_file": "statistics_roles",
    "api.post_report_file": "statistics_roles",
    "api.get_report_file": "statistics_roles",
    "api.get_report_file_bytes": "statistics_roles",
    "api.retry_report_file_route": "statistics_roles",
    "privacy_roles.index": "any_privacy_role",
    "privacy_roles.decide": "any_privacy_role",
}

# who holds the roles of each [privacy] key in the fixture (config.toml defaults)
PRIVACY_HOLDERS = {
    "audit_roles": {"sysadmin", "dpo"},
    "subject_access_roles": {"dpo"},
    "hold_roles": {"dpo"},
    "statistics_roles": {"dpo"},
    "any_privacy_role": {"sysadmin", "dpo"},  # the grants screen (Rollenfreigaben)
}

# (user name, roles, organisation, may read the record of "owner")
PEOPLE = [
    ("owner", ["applicant"], "club-a", True),
    ("colleague", ["applicant"], "club-a", False),
    ("head_a", ["head"], "club-a", True),
    ("head_b", ["head"], "club-b", False),
    ("clerk", ["clerk"], "amt", True),
    ("sysadmin", ["admin"], "amt", False),
    ("dpo", ["dpo"], "amt", False),
]


@pytest.fixture
def config_dir(config_dir):
    """The fixture office with a data-protection officer's role, and its receipt also as
    PDF/A (so the PDF download routes have a file to guard)."""
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[roles.dpo]\nlabel = "Datenschutz"\nscope = "none"\n')
        # a declared report, so that its page is walked with figures (issue 17)
        fh.write(
            '\n[[reports]]\nid = "antraege"\ntitle = "Anträge"\nworkflow = "foerderung"\n'
            '[[reports.measures]]\nkind = "count"\ntitle = "Nach Stand"\nrows = "state"\n'
            '[[reports.measures]]\nkind = "phases"\ntitle = "Phasen"\n'
        )
    workflow = config_dir / "workflows" / "foerderung.toml"
    text = workflow.read_text("utf-8")
    template = 'template = "eingang.docx"\n'
    assert template in text
    workflow.write_text(text.replace(template, template + 'formats = ["docx", "pdf"]\n'), "utf-8")
    return config_dir


@pytest.fixture
def world(app, api, work_jobs):
    """A submitted record of "owner" with a finished document and a reminder."""
    clients = {name: api(name, roles, org) for name, roles, org, _ in PEOPLE}
    owner = clients["owner"]
    rid = owner.post("/records", json={"workflow": "foerderung"}).json["id"]
    upload = owner.client.post(
        f"/api/v1/records/{rid}/files",
        data={"file": (io.BytesIO(b"Nachweis des Geheimvereins"), "nachweis.txt")},
        headers=owner._headers(),
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.json
    owner.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    owner.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    doc = owner.post(f"/records/{rid}/documents", json={"document": "eingang"}).json["id"]
    work_jobs()
    from server import clock

    clock.freeze(clock.today().replace(year=clock.today().year + 1))
    create_reminders()
    clock.freeze(None)
    reminder = Reminder.get().id
    [notification] = notify(
        current_runtime(app).settings,
        "handed_over",
        [owner.user],
        f"{rid}:1",
        f"Antrag Nr. {rid} wurde Ihnen übergeben",
        record_id=rid,
    )
    return {
        "notification": notification,
        "clients": clients,
        "record": rid,
        "document": doc,
        "reminder": reminder,
        "upload": upload.json["id"],
    }


def url_for_rule(rule, world) -> str:
    values = {
        "workflow_id": "foerderung",
        "record_id": world["record"],
        "form_id": "antrag",
        "request_id": world["document"],
        "reminder_id": world["reminder"],
        "notification_id": world["notification"],
        "upload_id": world["upload"],
        "template": "eingang.docx",
        "filename": "verbund.css",
        "path": "x",
        # administration (the walk posts to these as "sysadmin": never at their own account)
        "user_id": User.get(User.username == "owner").id,
        "org_id": Organisation.get(Organisation.name == "club-b").id,
        "token_id": ApiToken.select().first().id,
        "revision_id": 1,
        "part": "forms",
        "config_id": "antrag",
        "name": "antrag",
        "queue_name": "verbund",
        "job_id": "document-1",
        "purpose": "teilnahme",
        "grant_id": 1,
        "field": "posten",  # records.copy: a table of the fixture form
        "report_id": "antraege",  # the report declared in config_dir below
        "file_id": 1,
    }
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


def api_body(endpoint):
    return {
        "api.put_form": {"data": ANTRAG, "version": 3},
        "api.post_transition": {"to": "entwurf", "version": 3},
        "api.post_handover": {"organisation": "amt", "version": 3},
        "api.post_document": {"document": "eingang"},
        "api.post_record": {"workflow": "foerderung"},
        "api.post_consent": {"purpose": "teilnahme", "given_at": "2026-01-05"},
        "api.post_withdrawal": {"withdrawn_at": "2026-01-06"},
    }.get(endpoint)


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ROUTES), (
        f"new: {sorted(endpoints - set(ROUTES))}, gone: {sorted(set(ROUTES) - endpoints)}"
    )


@pytest.mark.parametrize("name,roles,org,reads", PEOPLE)
def test_api_routes_answer_by_scope(app, world, name, roles, org, reads):
    client = world["clients"][name]
    listing = client.get("/records").json
    ids = [r["id"] for r in listing["items"]]
    assert (world["record"] in ids) == reads
    titles = [d["title"] for d in client.get("/deadlines").json["items"]]
    assert ("Geheimverein Nord" in titles) == reads
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or ROUTES[rule.endpoint] != "record":
            continue
        url = url_for_rule(rule, world).removeprefix("/api/v1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            call = {"GET": client.get, "POST": client.post, "PUT": client.put}[method]
            body = api_body(rule.endpoint)
            if rule.endpoint == "api.post_file":
                file = (io.BytesIO(b"x"), "x.txt")
                response = client.client.post(
                    "/api/v1" + url,
                    data={"file": file},
                    headers=client._headers(),
                    content_type="multipart/form-data",
                )
            elif body is None:
                response = call(url)
            else:
                response = call(url, json=body)
            where = f"{name} {method} {url}"
            if reads:
                assert response.status_code != 404, where
            else:
                assert response.status_code == 404, f"{where}: {response.status_code}"
                assert "Geheimverein" not in response.get_data(as_text=True), where


@pytest.mark.parametrize("name,roles,org,reads", PEOPLE)
def test_screen_routes_answer_by_scope(app, world, name, roles, org, reads):
    browser = app.test_client()
    login(browser, name)
    token = csrf_token(browser.get("/").get_data(as_text=True))
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") or ROUTES[rule.endpoint] == "public":
            continue
        url = url_for_rule(rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.endpoint == "auth.logout":
                continue  # would end this walk
            if method == "GET":
                response = browser.get(url)
            else:
                response = browser.post(url, data={"csrf_token": token, "version": "3"})
            page = response.get_data().decode("utf-8", "replace")  # a .docx is bytes
            where = f"{name} {method} {url}: {response.status_code}"
            assert response.status_code < 500, where
            if ROUTES[rule.endpoint] in PRIVACY_HOLDERS:
                holds = name in PRIVACY_HOLDERS[ROUTES[rule.endpoint]]
                assert (response.status_code == 403) != holds, where
                assert "Geheimverein" not in page, where
            elif ROUTES[rule.endpoint] == "record":
                if rule.endpoint == "deadlines.reminder_read":
                    reads_here = name == "owner"  # a reminder belongs to one person
                else:
                    reads_here = reads
                assert (response.status_code == 404) != reads_here, where
            elif ROUTES[rule.endpoint] == "own":
                assert (response.status_code == 404) != (name == "owner"), where
            elif ROUTES[rule.endpoint] == "admin":
                assert (response.status_code == 403) == (name != "sysadmin"), where
            if ROUTES[rule.endpoint] != "record" and method == "GET":
                assert ("Geheimverein Nord" in page) == (
                    reads
                    and rule.endpoint in ("admin.index", "records.list_records", "deadlines.index")
                ), where


def test_anonymous_visitors_get_login_or_401(app, world, client):
    for rule in app.url_map.iter_rules():
        if ROUTES[rule.endpoint] == "public":
            continue
        url = url_for_rule(rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            where = f"{method} {url}"
            if rule.endpoint.startswith("api."):
                assert response.status_code == 401, where
            elif method == "GET":
                assert response.status_code == 302 and "/auth/login" in response.location, where
            else:
                assert response.status_code in (302, 400), where  # login or CSRF refusal
                assert "Geheimverein" not in response.get_data(as_text=True), where


def test_every_read_of_a_record_is_in_the_audit_log(app, world):
    """Each GET route about a record writes an entry naming it (a read, or a download)."""
    from server.models import AuditEntry

    def entries():
        return AuditEntry.select().where(AuditEntry.record_id == world["record"]).count()

    browser = app.test_client()
    login(browser, "owner")
    owner = world["clients"]["owner"]
    for rule in app.url_map.iter_rules():
        if ROUTES[rule.endpoint] != "record" or "GET" not in rule.methods:
            continue
        url = url_for_rule(rule, world)
        before = entries()
        if rule.endpoint.startswith("api."):
            response = owner.get(url.removeprefix("/api/v1"))
        else:
            response = browser.get(url)
        assert response.status_code == 200, url
        assert entries() == before + 1, f"{rule.endpoint}: no audit entry for a read"
