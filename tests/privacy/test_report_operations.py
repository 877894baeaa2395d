"""Running the Lenkungskreis reports (issue 17, operational gaps), on the known data set of
``test_report_time`` (clock frozen on 15 April 2026, min_cell 5):

* a failed report file is made again by „Erneut erstellen“ (screen, CSRF) or the API, only by
  its requester, only when it failed;
* old report files go after ``[documents] report_file_days`` (the periodic job on the real
  queue, the clock frozen);
* a start-page ``statistic`` block counts a declared period and names it in its heading;
* the statistics page reached from a report counts by the report's declared date.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from server import clock
from server.config import ConfigError, load_settings
from server.jobs.periodic import PERIODIC, enqueue_due
from server.models import AuditEntry, Record, ReportDocument, User, database
from server.queue.connection import get_redis
from server.runtime import current_runtime
from tests.helpers import csrf_token, login
from tests.privacy.test_report_check import FIXTURE, line_of, run_check
from tests.privacy.test_report_time import REPORT, data_set  # noqa: F401 - the fixture

# a second report that counts by the first-contact date, and start blocks with periods
BY_CONTACT = """
[[reports]]
id = "erstkontakt"
title = "Fälle nach Erstkontakt"
workflow = "beratung"
date = "fall.erstkontakt"
roles = ["koordination"]

[[reports.measures]]
kind = "count"
title = "Nach Phase"
rows = "state"
"""

START = """
[[start]]
roles = ["koordination"]
widget = "statistic"
title = "Fälle im letzten Quartal"
workflow = "beratung"
rows = "state"
period = "quarter"

[[start]]
roles = ["koordination"]
widget = "statistic"
title = "Fälle im laufenden Quartal"
workflow = "beratung"
rows = "state"
period = "current_quarter"

[[start]]
roles = ["koordination"]
widget = "statistic"
title = "Fälle im Vorjahr"
workflow = "beratung"
rows = "state"
period = "year"

[[start]]
roles = ["koordination"]
widget = "statistic"
title = "Alle Fälle"
workflow = "beratung"
rows = "state"
"""


@pytest.fixture
def config_dir(config_dir):
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(REPORT + BY_CONTACT + START)
    with (config_dir / "forms" / "fall.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[fields]]\nname = "erstkontakt"\ntype = "date"\nlabel = "Erstkontakt"\n')
    return config_dir


def _set_roles(app, username: str, roles: list[str]) -> None:
    with app.app_context():
        User.update(roles=roles).where(User.username == username).execute()


def _failed_file(app, browser, work_jobs) -> str:
    """A real failure: the coordination loses its role before the job runs (the job checks
    again), then gets it back. Returns the status page's address."""
    query = "?zeitraum=quartal&quartal=2026-Q1&vergleich=1"
    page = browser.get("/statistik/berichte/quartal" + query).get_data(as_text=True)
    answer = browser.post(
        "/statistik/berichte/quartal/datei" + query,
        data={"csrf_token": csrf_token(page), "format": "xlsx"},
    )
    assert answer.status_code == 302
    _set_roles(app, "koordination", ["berater"])
    work_jobs()
    _set_roles(app, "koordination", ["koordination"])
    return answer.location


def test_a_failed_file_is_made_again_by_its_button(app, data_set, work_jobs):  # noqa: F811
    browser = app.test_client()
    login(browser, "koordination")
    url = _failed_file(app, browser, work_jobs)
    failed = browser.get(url).get_data(as_text=True)
    assert "fehlgeschlagen" in failed and "nicht mehr zugänglich" in failed
    assert "Erneut erstellen" in failed
    file_id = int(url.rsplit("/", 1)[1])

    # without the form's token nothing happens
    refused = browser.post(url + "/erneut")
    assert refused.status_code == 400
    with app.app_context():
        assert ReportDocument.get_by_id(file_id).status == "failed"

    # others: the file is the requester's (404), no statistics role (403)
    dpo = app.test_client()
    login(dpo, "dpo")
    dpo_page = dpo.get("/statistik/").get_data(as_text=True)
    assert dpo.post(url + "/erneut", data={"csrf_token": csrf_token(dpo_page)}).status_code == 404
    counsellor = app.test_client()
    login(counsellor, "berater")
    home = counsellor.get("/").get_data(as_text=True)
    answer = counsellor.post(url + "/erneut", data={"csrf_token": csrf_token(home)})
    assert answer.status_code == 403

    again = browser.post(url + "/erneut", data={"csrf_token": csrf_token(failed)})
    assert again.status_code == 302 and again.location.endswith(url)
    waiting = browser.get(url).get_data(as_text=True)
    assert "wird erneut erstellt" in waiting and "wartet auf die Erstellung" in waiting
    assert "Erneut erstellen" not in waiting
    work_jobs()
    done = browser.get(url).get_data(as_text=True)
    assert "fertig" in done and "herunterladen" in done
    assert browser.get(url + "/herunterladen").status_code == 200
    with app.app_context():
        row = ReportDocument.get_by_id(file_id)
        assert (row.status, row.error, row.attempts) == ("finished", "", 1)
        assert ReportDocument.select().count() == 1  # the same file, not a second one
        assert AuditEntry.select().where(AuditEntry.action == "report.retry").count() == 1

    # pressed once more on the finished file: a German message, nothing made, no error page
    twice = browser.post(
        url + "/erneut", data={"csrf_token": csrf_token(done)}, follow_redirects=True
    )
    assert twice.status_code == 200
    assert "Nur eine fehlgeschlagene Datei kann erneut erstellt werden." in twice.get_data(
        as_text=True
    )


def test_a_failed_file_is_made_again_through_the_api(app, data_set, office, work_jobs):  # noqa: F811
    coordination = office["koordination"]
    answer = coordination.post(
        "/reports/quartal/files",
        json={"format": "docx", "zeitraum": "quartal", "quartal": "2026-Q1"},
    )
    location = answer.headers["Location"].removeprefix("/api/v1")
    _set_roles(app, "koordination", ["berater"])
    work_jobs()
    _set_roles(app, "koordination", ["koordination"])
    assert coordination.get(location).json["status"] == "failed"
    assert office["dpo"].post(location + "/retry").status_code == 404
    assert office["berater"].post(location + "/retry").status_code == 403
    again = coordination.post(location + "/retry")
    assert again.status_code == 202 and again.json["status"] == "queued"
    assert again.headers["Location"] == "/api/v1" + location
    work_jobs()
    assert coordination.get(location).json["status"] == "finished"
    not_failed = coordination.post(location + "/retry")
    assert not_failed.status_code == 409
    assert "fehlgeschlagene" in not_failed.json["error"]


def _file(user, status: str, days_old: float) -> int:
    requested = clock.now().replace(tzinfo=None) - dt.timedelta(days=days_old)
    return ReportDocument.create(
        report="quartal",
        format="xlsx",
        status=status,
        requested_by=user,
        requested_at=requested,
        content=b"PK" if status == "finished" else None,
        filename="quartal.xlsx",
    ).id


def _run_cleanup(app, work_jobs) -> None:
    """The periodic job as the worker runs it: enqueued from the PERIODIC table, on Redis."""
    job = tuple(p for p in PERIODIC if p.name == "old-report-files")
    assert job, "the cleanup is in the PERIODIC table"
    settings = current_runtime(app).settings
    # the once-per-interval key lives in Redis by real time: the next interval, now
    get_redis(settings).delete("verbund:periodic:old-report-files")
    assert enqueue_due(settings, job) == ["old-report-files"]
    work_jobs()


def test_old_report_files_go_after_the_configured_days(app, data_set, work_jobs):  # noqa: F811
    with app.app_context():
        user = User.get(User.username == "koordination")
        kept = [
            _file(user, "finished", 29.9),
            _file(user, "failed", 1),
            _file(user, "queued", 45),  # still to be made: the sweep's, not the cleanup's
            _file(user, "started", 45),
        ]
        gone = [_file(user, "finished", 30.1), _file(user, "failed", 400)]
        _run_cleanup(app, work_jobs)
        left = {r.id for r in ReportDocument.select(ReportDocument.id)}
        assert left == set(kept)
        entry = AuditEntry.get(AuditEntry.action == "report.remove_old")
        assert entry.detail == {"count": len(gone), "days": 30}
        # a second run changes nothing
        clock.freeze(clock.now() + dt.timedelta(hours=2))
        _run_cleanup(app, work_jobs)
        assert {r.id for r in ReportDocument.select(ReportDocument.id)} == left
        # a day later the 29.9-day-old file is old enough
        clock.freeze(clock.now() + dt.timedelta(days=1))
        _run_cleanup(app, work_jobs)
        assert {r.id for r in ReportDocument.select(ReportDocument.id)} == set(kept[1:])


@pytest.fixture
def keep_for_ever(config_dir):
    text = (config_dir / "config.toml").read_text(encoding="utf-8")
    text = text.replace("[privacy]\n", "[documents]\nreport_file_days = 0\n\n[privacy]\n", 1)
    (config_dir / "config.toml").write_text(text, encoding="utf-8")
    return config_dir


def test_report_file_days_0_keeps_every_file(keep_for_ever, app, data_set, work_jobs):  # noqa: F811
    with app.app_context():
        old = _file(User.get(User.username == "koordination"), "finished", 5000)
        _run_cleanup(app, work_jobs)
        assert ReportDocument.get_or_none(id=old) is not None


@pytest.mark.parametrize(
    "value, message",
    [
        ("-1", "[documents] report_file_days darf nicht negativ sein"),
        ('"30"', "[documents] report_file_days muss eine ganze Zahl sein"),
    ],
)
def test_a_wrong_report_file_days_is_refused_with_its_line(tmp_path, value, message):
    config = tmp_path / "config.toml"
    config.write_text(f"[documents]\nreport_file_days = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    assert "config.toml:2" in str(caught.value) and message in str(caught.value)


def _block(page: str, title: str) -> str:
    """The HTML of the start block whose heading begins with ``title``."""
    match = re.search(
        r'<section[^>]*aria-label="' + re.escape(title) + r'[^"]*".*?</section>', page, re.S
    )
    assert match, title
    return match.group(0)


def test_start_statistic_blocks_count_their_period_and_name_it(app, data_set):  # noqa: F811
    browser = app.test_client()
    login(browser, "koordination")
    page = browser.get("/").get_data(as_text=True)
    # „quarter“: the last complete one – 18 cases, 11 open and 7 closing
    last = _block(page, "Fälle im letzten Quartal – 1. Quartal 2026")
    assert "18 Datensätze" in last
    assert re.search(r"In Beratung</th><td[^>]*>11<", last) and re.search(r">7<", last)
    assert "zeitraum=quartal&amp;quartal=2026-Q1" in last  # the statistics link keeps it
    # „current_quarter“: 1 April in Berlin (22:30 UTC on 31 March) – one case, kept secret
    running = _block(page, "Fälle im laufenden Quartal – 2. Quartal 2026")
    assert "Gezählt ohne Personenbezug, angelegt im Zeitraum 2. Quartal 2026" in running
    assert ": x Datensätze" in running
    # „year“: 2025 in Berlin – the 13 cases of the 4th quarter (New Year's Eve 23:30 UTC is
    # already 2026 in Berlin)
    assert "13 Datensätze" in _block(page, "Fälle im Vorjahr – 2025")
    # no period: every case, the heading as before
    everything = _block(page, "Alle Fälle")
    assert 'aria-label="Alle Fälle"' in everything and "32 Datensätze" in everything


def test_a_wrong_start_period_is_refused_with_its_line(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        '[roles.clerk]\nlabel = "SB"\n\n[[start]]\nroles = ["clerk"]\nwidget = "statistic"\n'
        'workflow = "w"\nrows = "state"\nperiod = "monat"\n'
        '\n[[start]]\nroles = ["clerk"]\nwidget = "recent"\nperiod = "year"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    text = str(caught.value)
    assert "config.toml:9: [[start]] Nr. 1" in text
    assert "„period“ muss einer von quarter, year, current_quarter, current_year, all sein" in text
    assert "„period“ gilt nicht für widget „recent“" in text


def test_statistics_from_a_report_count_by_its_date(app, data_set):  # noqa: F811
    with app.app_context(), database.atomic():
        # the 13 cases opened in the 4th quarter had their first contact in February
        for record in Record.select().where(Record.created_at < dt.datetime(2025, 12, 31, 23)):
            data = {"fall": {**record.data["fall"], "erstkontakt": "2026-02-01"}}
            Record.update(data=data).where(Record.id == record.id).execute()
    browser = app.test_client()
    login(browser, "koordination")
    report = browser.get("/statistik/berichte/erstkontakt?zeitraum=quartal&quartal=2026-Q1")
    link = re.search(
        r'href="([^"]*bericht=erstkontakt[^"]*)">Freie Statistik nach demselben Datum',
        report.get_data(as_text=True),
    )
    assert link, "the report links to the statistics with its date"
    page = browser.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "gezählt nach dem Datum „Erstkontakt“ wie im Bericht „Fälle nach Erstkontakt“" in page
    assert 'name="bericht" value="erstkontakt"' in page  # kept when the form is sent again
    total = re.search(r'<tr><th scope="row">Summe</th>.*?>(\d+)</td></tr>', page, re.S)
    assert total and total.group(1) == "13"
    # without the report: by the day of creation, 18 in the same quarter
    plain = browser.get("/statistik/?workflow=beratung&rows=state&zeitraum=quartal&quartal=2026-Q1")
    text = plain.get_data(as_text=True)
    assert "gezählt nach dem Tag der Anlage" in text
    grand_total = re.search(r'<tr><th scope="row">Summe</th>.*?>(\d+)</td></tr>', text, re.S)
    assert grand_total.group(1) == "18"
    # the CSV of the page counts the same
    csv = browser.get(
        "/statistik/tabelle.csv?workflow=beratung&rows=state&bericht=erstkontakt"
        "&zeitraum=quartal&quartal=2026-Q1"
    ).get_data(as_text=True)
    assert csv.strip().splitlines()[-1].endswith(";13")
    # a report the person may not open, or none: 404 like the report page
    assert browser.get("/statistik/?workflow=beratung&bericht=gibtsnicht").status_code == 404
    dpo = app.test_client()
    login(dpo, "dpo")
    assert dpo.get("/statistik/?workflow=beratung&bericht=erstkontakt").status_code == 404


def _measures(count: int) -> str:
    return "".join(
        f'\n[[reports.measures]]\nkind = "count"\ntitle = "Kennzahl {n}"\nrows = "state"\n'
        for n in range(1, count + 1)
    )


def test_check_bounds_the_measures_of_a_report(tmp_path):
    office = tmp_path / "beratung"
    shutil.copytree(FIXTURE, office)
    config = office / "config.toml"
    head = '\n[[reports]]\nid = "{}"\ntitle = "Viel"\nworkflow = "beratung"\n'
    config.write_text(
        config.read_text(encoding="utf-8")
        + head.format("genug")
        + _measures(20)
        + head.format("zu-viel")
        + _measures(21),
        encoding="utf-8",
    )
    done = run_check(office)
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    start = line_of(config, 'id = "zu-viel"')
    # the line of the 21st measure's [[reports.measures]], two above its title
    line = line_of(config, 'title = "Kennzahl 21"', start) - 2
    found = [row for row in done.stdout.splitlines() if "Kennzahlen je Bericht" in row]
    assert found == [
        f"config.toml:{line}: [[reports]] „zu-viel“: höchstens 20 Kennzahlen je Bericht, "
        "hier 21: bitte auf mehrere Berichte verteilen"
    ], done.stdout
