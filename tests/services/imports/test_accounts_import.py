"""`verbund import organisations|users`: real CSV and XLSX files, all lines or none."""

from __future__ import annotations

import openpyxl

from server.models import AuditEntry, Organisation, User, UserSession
from server.services.accounts.people import open_session


def write_xlsx(path, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_organisations_from_a_csv_with_bom_semicolons_and_umlauts(kim, verbund):
    csv = kim / "organisationen.csv"
    csv.write_bytes(
        "\ufeffKurzname;Bezeichnung\r\n"
        "amt;Amt für Migration und Integration\r\n"
        "\r\n"
        "awo;AWO Düsseldorf\r\n"
        "jgd;Jüdische Gemeinde Düsseldorf\r\n".encode()
    )
    code, output = verbund("import", "organisations", str(csv))
    assert code == 0, output
    assert "3 neu, 0 geändert, 0 unverändert" in output
    assert Organisation.get(Organisation.name == "jgd").label == "Jüdische Gemeinde Düsseldorf"
    # the same file again changes nothing; a new label is an update
    assert "0 neu, 0 geändert, 3 unverändert" in verbund("import", "organisations", str(csv))[1]
    csv.write_text("kurzname;bezeichnung\namt;Amt für Migration und Integration (AMI)\n")
    assert "0 neu, 1 geändert, 0 unverändert" in verbund("import", "organisations", str(csv))[1]
    assert Organisation.get(Organisation.name == "amt").label.endswith("(AMI)")
    assert AuditEntry.select().where(AuditEntry.action == "import.organisations").count() == 2


def test_one_bad_line_and_nothing_is_imported(kim, verbund):
    before = Organisation.select().count()
    csv = kim / "org.csv"
    csv.write_text(
        "Kurzname,Bezeichnung\n"
        "drk,DRK Kreisverband\n"
        "Sport Amt,Sportamt\n"
        "DRK,Doppelt\n"
        "caritas,Caritasverband,zu viel\n",
        encoding="utf-8",
    )
    code, output = verbund("import", "organisations", str(csv))
    assert code == 1
    shown = str(csv)
    assert f"{shown}:5: 3 Werte, aber nur 2 Spalten in der Kopfzeile" in output
    csv.write_text("Kurzname,Bezeichnung\ndrk,DRK\nSport Amt,Sportamt\nDRK,Doppelt\n")
    code, output = verbund("import", "organisations", str(csv))
    assert code == 1
    assert f"{shown}:3: Kurzname „sport amt“: Kleinbuchstaben" in output
    assert f"{shown}:4: Kurzname „drk“ steht schon in Zeile 2" in output
    assert "nichts importiert" in output
    assert Organisation.select().count() == before  # not even drk of line 2


def test_users_from_excel_dry_run_then_import_then_again(kim, verbund):
    verbund_orgs(kim, verbund)
    xlsx = write_xlsx(
        kim / "personal.xlsx",
        [
            ["Benutzername", "Name", "E-Mail", "Rollen", "Organisation", "Aktiv"],
            [
                "cm.oezdemir",
                "Ayşe Özdemir",
                "a.oezdemir@stadt.example",
                "Case Manager*in",
                "amt",
                "ja",
            ],
            ["TL.Weiss", "Jörg Weiß", "", "team_lead, case_manager", "awo", None],
            [None, None, None, None, None, None],
            ["koordination", "Kim Koordination", None, "coordination", "amt", "x"],
        ],
    )
    code, output = verbund("import", "users", str(xlsx), "--dry-run")
    assert code == 0, output
    assert "Zeile 2: neu „cm.oezdemir“" in output and "Probelauf" in output
    assert not User.select().where(User.username == "cm.oezdemir").exists()

    code, output = verbund("import", "users", str(xlsx))
    assert code == 0 and "3 neu, 0 geändert, 0 unverändert" in output, output
    ayse = User.get(User.username == "cm.oezdemir")
    assert (ayse.display_name, ayse.roles, ayse.organisation.name) == (
        "Ayşe Özdemir",
        ["case_manager"],
        "amt",
    )
    assert ayse.password_hash == ""  # no local password: directory or `verbund user password`
    assert User.get(User.username == "tl.weiss").roles == ["team_lead", "case_manager"]
    assert "0 neu, 0 geändert, 3 unverändert" in verbund("import", "users", str(xlsx))[1]

    # she leaves: "Aktiv" nein deactivates her and ends her sessions
    open_session(ayse)
    write_xlsx(
        xlsx,
        [
            ["benutzername", "rollen", "organisation", "aktiv"],
            ["cm.oezdemir", "case_manager", "amt", "nein"],
        ],
    )
    code, output = verbund("import", "users", str(xlsx))
    assert "0 neu, 1 geändert" in output, output
    assert User.get(User.username == "cm.oezdemir").active is False
    assert UserSession.get(UserSession.user == ayse.id).revoked_at is not None
    assert User.get(User.username == "tl.weiss").active  # not in the file: untouched


def verbund_orgs(kim, verbund):
    csv = kim / "o.csv"
    csv.write_text("Kurzname;Bezeichnung\namt;Amt\nawo;AWO\n", encoding="utf-8")
    assert verbund("import", "organisations", str(csv))[0] == 0


def test_users_every_bad_line_is_named(kim, verbund):
    verbund_orgs(kim, verbund)
    csv = kim / "personen.csv"
    # what German Excel saves as "CSV (Trennzeichen-getrennt)": Windows-1252 and semicolons
    csv.write_bytes(
        "Benutzername;Name;E-Mail;Rollen;Organisation\r\n"
        "mueller;Jürgen Müller;j.mueller@stadt.example;Teamleitung;amt\r\n"
        "x;Zu Kurz;;case_manager;amt\r\n"
        "schmidt;Schmidt;keine-adresse;zauberer;amt\r\n"
        "Mueller;Noch einmal;;case_manager;caritas\r\n"
        "leer;Ohne Rolle;;;amt\r\n".encode("cp1252")
    )
    code, output = verbund("import", "users", str(csv))
    assert code == 1
    shown = str(csv)
    assert f"{shown}:3: Benutzername „x“" in output
    assert f"{shown}:4: E-Mail „keine-adresse“ ist ungültig" in output
    assert f"{shown}:4: unbekannte Rolle „zauberer“" in output
    assert f"{shown}:5: Organisation „caritas“ gibt es nicht" in output
    assert f"{shown}:5: Benutzername „mueller“ steht schon in Zeile 2" in output
    assert f"{shown}:6: Rollen fehlen" in output
    assert "Traceback" not in output
    assert not User.select().where(User.username == "mueller").exists()
    # the good line alone goes in, and the umlauts of Windows-1252 arrive intact
    csv.write_bytes(
        "Benutzername;Name;E-Mail;Rollen;Organisation\r\n"
        "mueller;Jürgen Müller;j.mueller@stadt.example;Teamleitung;amt\r\n".encode("cp1252")
    )
    assert verbund("import", "users", str(csv))[0] == 0
    assert User.get(User.username == "mueller").display_name == "Jürgen Müller"


def test_an_import_cannot_lock_out_the_administration(kim, verbund):
    verbund_orgs(kim, verbund)
    Organisation.get_or_create(name="verwaltung", defaults={"label": "Verwaltung"})
    csv = kim / "admin.csv"
    csv.write_text("Benutzername;Rollen;Organisation;Aktiv\nadmin;admin;amt;nein\n")
    code, output = verbund("import", "users", str(csv))
    assert code == 1 and "niemand mehr die Rolle „admin“" in output
    assert User.get(User.username == "admin").active


def test_unreadable_files_get_a_sentence_not_a_traceback(kim, verbund):
    for name, content, words in (
        ("leer.csv", b"", "die Datei ist leer"),
        ("kaputt.xlsx", b"PK\x03\x04 kein Excel", "keine lesbare Excel-Datei"),
        ("liste.txt", b"a;b", "nur .csv- und .xlsx-Dateien"),
    ):
        path = kim / name
        path.write_bytes(content)
        code, output = verbund("import", "users", str(path))
        assert code == 1 and words in output, output
    code, output = verbund("import", "users", str(kim / "fehlt.csv"))
    assert code == 1 and "nicht gefunden" in output
    csv = kim / "spalten.csv"
    csv.write_text("Benutzername;Lieblingsfarbe\nanna;blau\n")
    code, output = verbund("import", "users", str(csv))
    assert f"{csv}:1: unbekannte Spalte „Lieblingsfarbe“" in output
    assert f"{csv}:1: Spalte „rollen“ fehlt" in output
