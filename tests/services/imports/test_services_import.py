"""`verbund init --services` and `verbund import services`: the KIM service directory as data,
made into records of the workflow `service_directory` through the record services."""

from __future__ import annotations

import csv as csvlib

import openpyxl

from server.models import AuditEntry, FormSave, Record, User

SHIPPED = "data/kim-angebote.csv"


def services() -> dict[str, Record]:
    query = Record.select().where(Record.workflow == "service_directory")
    return {r.data["service"]["name"]: r for r in query}


def test_a_production_init_loads_the_shipped_service_directory(kim, verbund, tmp_path):
    # `verbund` already ran `init`; a second installation is set up with the directory
    code, output = verbund("init", "--services", str(kim / SHIPPED))
    assert code == 0, output
    assert "15 neu" in output
    loaded = services()
    assert len(loaded) == 15
    sprach = loaded["Pool Sprach- und Kulturmittler*innen"]
    assert sprach.state == "active" and sprach.title == "Pool Sprach- und Kulturmittler*innen"
    assert sprach.data["service"]["category"] == "sprache"  # label „Sprache und Verständigung“
    assert set(sprach.data["service"]["languages"]) == {"ar", "fa", "ps", "ti", "uk", "ru", "tr"}
    assert sprach.owner.username == "admin"
    assert FormSave.select().count() == 15  # through save_form: history and audit
    assert AuditEntry.select().where(AuditEntry.action == "form.save").count() == 15
    assert not User.get(User.username == "admin").has_role("coordination")  # nothing stored
    # importing the same file again changes nothing, not even a version
    code, output = verbund("import", "services", str(kim / SHIPPED))
    assert "0 neu, 0 geändert, 15 unverändert" in output, output
    assert FormSave.select().count() == 15


def test_reimport_updates_by_name_and_archives(kim, verbund):
    assert verbund("import", "services", str(kim / SHIPPED))[0] == 0
    rows = list(csvlib.reader((kim / SHIPPED).open(encoding="utf-8"), delimiter=";"))
    header = rows[0]
    atrium = next(r for r in rows if r[0].startswith("Atrium"))
    atrium[header.index("Träger")] = "Gesundheitsamt, LVR und Caritas"
    atrium[header.index("Status")] = "Archiviert"
    new = ["Beratung für Geflüchtete aus der Ukraine", "Diakonie", "migrationsberatung"]
    new += ["sb03", "Ukrainisch; Russisch", "", "", "https://diakonie.example/ua", "", ""]
    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    workbook.active.append(atrium)
    workbook.active.append(new)
    xlsx = kim / "angebote.xlsx"
    workbook.save(xlsx)
    code, output = verbund("import", "services", str(xlsx), "--dry-run")
    assert code == 0 and "Zeile 2: „Atrium" in output and "Zeile 3: neu" in output, output
    assert services()["Atrium – Anlaufstelle bei Traumatisierung"].state == "active"
    code, output = verbund("import", "services", str(xlsx))
    assert "1 neu, 1 geändert, 0 unverändert" in output, output
    after = services()
    atrium_record = after["Atrium – Anlaufstelle bei Traumatisierung"]
    assert atrium_record.state == "archived"
    assert atrium_record.data["service"]["provider"] == "Gesundheitsamt, LVR und Caritas"
    assert atrium_record.data["service"]["contact"] == "Anmeldung, 0211 89-21004"
    ukraine = after["Beratung für Geflüchtete aus der Ukraine"]
    assert set(ukraine.data["service"]["languages"]) == {"uk", "ru"}
    assert ukraine.data["service"]["district"] == "sb03"
    assert len(after) == 16


def test_bad_service_lines_are_all_named_and_nothing_is_written(kim, verbund):
    path = kim / "angebote.csv"
    path.write_text(
        "Name des Angebots,Bereich,E-Mail,Webseite,Status\n"
        "Schuldnerberatung,Finanzen und Verbraucherschutz,info@schulden.example,,Aktiv\n"
        "Sprachcafé,Kaffee,keine-mail,,\n"
        ",sprache,,,\n"
        "schuldnerberatung,finanzen,,ftp://alt,Verschollen\n",
        encoding="utf-8",
    )
    code, output = verbund("import", "services", str(path))
    assert code == 1
    shown = str(path)
    lines = output.splitlines()
    assert any(line.startswith(f"{shown}:3: ") and "Bereich" in line for line in lines), output
    assert any(line.startswith(f"{shown}:3: ") and "E-Mail" in line for line in lines), output
    assert any(line.startswith(f"{shown}:4: ") and "Name des Angebots" in line for line in lines)
    assert any(line.startswith(f"{shown}:5: ") and "Webseite" in line for line in lines), output
    assert f"{shown}:5: Status „Verschollen“ gibt es nicht" in output
    assert f"{shown}:5: „schuldnerberatung“ steht schon in Zeile 2" in output
    assert not services()
    path.write_text("Name des Angebots;Öffnungszeiten\nX;immer\n", encoding="utf-8")
    code, output = verbund("import", "services", str(path))
    assert code == 1 and f"{shown}:1: unbekannte Spalte „Öffnungszeiten“" in output
