"""Calculated fields (``compute``) and per-row conditions in tables: what ``verbund check``
says about them (``path:line: message``) and what the server computes and requires."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from textwrap import dedent

import pytest

from server import clock
from server.forms import validate_form
from server.schema import parse_form
from server.schema.compute import compute_problem

PLAN = Path(__file__).resolve().parents[1] / "forms" / "compute_form.toml"


@pytest.fixture
def plan():
    form, problems = parse_form("plan", PLAN.read_text(), "forms/plan.toml")
    assert problems == [] and form is not None
    return form


@pytest.fixture(autouse=True)
def today():
    before = clock.frozen_at()
    clock.freeze(dt.date(2026, 12, 3))
    yield
    clock.freeze(before)


def rows(*hours: str) -> list[dict]:
    return [{"service": f"Leistung {n}", "hours": h} for n, h in enumerate(hours)]


# ---- what the server computes ------------------------------------------------------------


def test_a_total_of_decimal_hours_is_exact(plan):
    values = validate_form(plan, {"plan": rows("0,1", "0,2", "1.234,5")}).values
    assert values["total_hours"] == "1234.8"  # not 1234.8000000000002
    assert values["services"] == 3


def test_a_value_the_client_sent_for_a_computed_field_is_ignored(plan):
    result = validate_form(plan, {"plan": rows("2"), "total_hours": "999", "services": "7"})
    assert result.ok
    assert result.values["total_hours"] == "2" and result.values["services"] == 1


def test_empty_cells_are_skipped_by_sum_and_an_empty_table_sums_to_zero(plan):
    values = validate_form(plan, {"plan": [{"service": "x", "external": "on", "provider": "y"}]})
    assert values.errors["plan.0.hours"]  # required in this row (the service is named)
    assert validate_form(plan, {}).values["total_hours"] == "0"
    assert validate_form(plan, {}).values["services"] == 0


@pytest.mark.parametrize(
    ("birth", "age"),
    [
        ("03.12.1990", 36),  # the birthday is today (Berlin)
        ("04.12.1990", 35),  # tomorrow
        ("29.02.2008", 18),
        ("04.12.2026", None),  # not born yet: no age
        ("", None),
    ],
)
def test_age_counts_full_years_until_today_in_berlin(plan, birth, age):
    assert validate_form(plan, {"birth_date": birth}).values["age"] == age


def test_age_follows_the_berlin_date_not_utc(plan):
    # 23:30 UTC on 2 December is already 3 December in Berlin
    clock.freeze(dt.datetime(2026, 12, 2, 23, 30, tzinfo=dt.UTC))
    assert validate_form(plan, {"birth_date": "03.12.2000"}).values["age"] == 26


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        ("01.12.2026", "05.01.2027", 35),
        ("05.01.2027", "01.12.2026", -35),
        ("28.02.2024", "01.03.2024", 2),  # a leap year
        ("01.12.2026", "", None),
    ],
)
def test_days_between_two_dates(plan, start, end, days):
    assert validate_form(plan, {"start": start, "end": end}).values["duration"] == days


def test_rounding_is_commercial_and_division_exact_to_the_cent(plan):
    values = validate_form(
        plan,
        {"plan": rows("1,5"), "rate": "42,335", "start": "01.12.2026", "end": "22.12.2026"},
    ).values
    assert values["cost"] == "63.5"  # 63.5025 -> 63.50 (half away from zero at the third)
    assert values["per_week"] == "0.5"  # 1.5 h over 3 weeks
    values = validate_form(plan, {"plan": rows("1"), "rate": "0,005"}).values
    assert values["cost"] == "0.01"  # 0.005 rounds up, not to the even 0.00


def test_a_division_by_zero_leaves_the_value_empty(plan):
    values = validate_form(plan, {"plan": rows("3"), "start": "01.12.2026", "end": "01.12.2026"})
    assert values.ok and values.values["per_week"] is None


def test_an_integer_field_takes_the_rounded_result():
    form, problems = parse_form(
        "r",
        dedent(
            """\
            title = "R"
            [[fields]]
            name = "a"
            type = "decimal"
            label = "A"
            [[fields]]
            name = "b"
            type = "integer"
            label = "B"
            compute = "a * 2"
            [[fields]]
            name = "c"
            type = "decimal"
            label = "C"
            compute = "b / 3"
            """
        ),
        "forms/r.toml",
    )
    assert problems == []
    values = validate_form(form, {"a": "1,25"}).values
    assert values["b"] == 3  # 2.5 rounds away from zero
    assert values["c"] == "1"  # computed fields read computed fields before them
    assert validate_form(form, {"a": "-1,25"}).values["b"] == -3
    assert validate_form(form, {"a": "1"}).values["c"] == "0.6666666667"


# ---- conditions inside tables --------------------------------------------------------------


def test_a_column_is_required_only_in_rows_where_its_condition_holds(plan):
    result = validate_form(
        plan,
        {"plan": [{"service": "Sprachkurs", "hours": ""}, {"hours": "2"}, {"service": "B"}]},
    )
    assert set(result.errors) == {"plan.0.hours", "plan.2.hours"}
    assert result.errors["plan.0.hours"] == [
        "Zeile 1, Spalte „Stunden“: bitte ausfüllen (in dieser Zeile eine Pflichtangabe)."
    ]
    assert result.errors["plan.2.hours"][0].startswith("Zeile 3, Spalte „Stunden“:")


def test_a_cell_its_row_hides_is_neither_checked_nor_stored(plan):
    raw = {"plan": [{"service": "A", "hours": "1", "provider": "Träger X"}]}
    result = validate_form(plan, raw)
    assert result.ok and result.values["plan"][0]["provider"] is None  # not external
    raw["plan"][0]["external"] = "on"
    result = validate_form(plan, raw)
    assert result.values["plan"][0]["provider"] == "Träger X"
    raw["plan"][0]["provider"] = ""
    assert validate_form(plan, raw).errors == {
        "plan.0.provider": [
            "Zeile 1, Spalte „Träger“: bitte ausfüllen (in dieser Zeile eine Pflichtangabe)."
        ]
    }


# ---- verbund check -------------------------------------------------------------------------

HEAD = 'title = "T"\n'


def field(name: str, type_: str, extra: str = "") -> str:
    return f'[[fields]]\nname = "{name}"\ntype = "{type_}"\nlabel = "{name.upper()}"\n{extra}'


def problems_of(text: str) -> list[str]:
    form, problems = parse_form("t", text, "forms/t.toml")
    assert form is None
    return [str(p) for p in problems]


def test_check_names_an_unknown_field_with_path_and_line():
    text = HEAD + field("a", "integer", 'compute = "b + 1"\n')
    assert problems_of(text) == [
        "forms/t.toml:6: Feld „a“: „compute“: Ausdruck „b + 1“: „b“ ist kein Feld dieses Formulars"
    ]


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("d + 1", "bei „+“: „d“ ist ein Datum, nötig ist eine Zahl"),
        ("sum(tb.x)", "„sum(…)“ braucht die Spalte einer Tabelle mit Zahlen"),
        ("sum(n)", "„sum(…)“ braucht die Spalte"),
        ("count(n)", "„count(…)“ zählt Zeilen"),
        ("age(n)", "bei „age(…)“: „n“ ist eine Zahl, nötig ist ein Datum"),
        ("days(d)", "„days(…)“ braucht 2 Angabe(n)"),
        ("round(n, 11)", "n muss eine ganze Zahl von 0 bis 10 sein"),
        ("t", "das Ergebnis muss eine Zahl sein, ist aber ein Text"),
        ("tb.y", "die Tabelle „tb“ hat keine Spalte „y“"),
        ("n.upper()", "nur die Funktionen"),
        ("n ** 2", "„Pow“ ist hier nicht möglich"),
        ("1 if n", "braucht ein „else …“"),
        ("n if tb == 1 else 0", "Vergleich: „tb“ ist eine Tabelle"),
        ("n +", "endet zu früh"),
    ],
)
def test_check_explains_type_mismatches(source, fragment):
    fields = (
        field("n", "integer")
        + field("d", "date")
        + field("t", "text")
        + field("tb", "table")
        + '[[fields.columns]]\nname = "x"\ntype = "text"\nlabel = "X"\n'
    )
    text = HEAD + fields + field("c", "decimal", f"compute = {source!r}\n".replace("'", '"'))
    messages = problems_of(text)
    assert len(messages) == 1 and fragment in messages[0], messages


def test_check_refuses_cycles_between_computed_fields():
    text = (
        HEAD
        + field("a", "integer", 'compute = "b + 1"\n')
        + field("b", "integer", 'compute = "a * 2"\n')
    )
    assert problems_of(text) == [
        "forms/t.toml:6: Feld „a“: berechnete Felder hängen im Kreis voneinander ab: a → b → a"
    ]
    text = HEAD + field("a", "integer", 'compute = "a + 1"\n')
    assert "darf sich nicht auf das Feld selbst beziehen" in problems_of(text)[0]


@pytest.mark.parametrize("key", ["required = true", "default = 3", "min = 0"])
def test_check_refuses_input_keys_on_a_computed_field(key):
    text = HEAD + field("n", "integer") + field("a", "integer", f'compute = "n"\n{key}\n')
    (message,) = problems_of(text)
    assert message.startswith("forms/t.toml:11: Feld „a“: „") and "passt nicht zu „compute“" in (
        message
    )


def test_check_refuses_compute_on_other_types_and_in_columns():
    text = HEAD + field("n", "integer") + field("a", "text", 'compute = "n"\n')
    assert "„compute“ geht nur bei Typ integer, decimal" in problems_of(text)[0]
    text = (
        HEAD
        + field("tb", "table")
        + ('[[fields.columns]]\nname = "x"\ntype = "integer"\nlabel = "X"\ncompute = "1"\n')
    )
    assert (
        "Schlüssel „compute“ ist hier nicht erlaubt (nicht in Tabellenspalten)"
        in (problems_of(text)[0])
    )


def test_check_refuses_a_show_if_reading_a_computed_field():
    text = HEAD + field("n", "integer") + field("a", "integer", 'compute = "n"\n')
    text += field("b", "text", 'show_if = "a > 3"\n')
    assert "kann das berechnete Feld „a“ nicht lesen" in problems_of(text)[0]


@pytest.mark.parametrize(
    ("key", "source", "fragment"),
    [
        ("required_if", "nope", "nennt „nope“, das keine Spalte dieser Tabelle ist"),
        ("show_if", "y", "darf sich nicht auf die Spalte selbst beziehen"),
        ("show_if", "x + 1", "in „show_if“ nicht möglich: Rechnen (+)"),
        ("required_if", "x ==", "endet zu früh"),
    ],
)
def test_check_row_conditions_name_columns_of_the_row(key, source, fragment):
    text = HEAD + field("tb", "table")
    text += '[[fields.columns]]\nname = "x"\ntype = "integer"\nlabel = "X"\n'
    text += f'[[fields.columns]]\nname = "y"\ntype = "text"\nlabel = "Y"\n{key} = "{source}"\n'
    (message,) = problems_of(text)
    assert message.startswith(f"forms/t.toml:14: Spalte „y“ von Feld „tb“: „{key}“: "), message
    assert fragment in message


def test_required_if_belongs_to_columns_only():
    text = HEAD + field("a", "text", 'required_if = "a"\n')
    assert "„required_if“ ist hier nicht erlaubt (nur in Tabellenspalten)" in problems_of(text)[0]


def test_compute_problem_accepts_the_documented_examples(plan):
    for source in (
        "sum(plan.hours)",
        "count(plan)",
        "count(plan.hours)",
        "age(birth_date)",
        "days(start, end)",
        "round(total_hours * rate, 2)",
        "start.year - 1990",
        "total_hours * 0.5 if services > 2 else none",
    ):
        # the form is called like its table "plan": then it has no prefix (a bare name wins)
        assert compute_problem(source, "", plan.fields) is None, source


def test_a_computation_over_its_budget_leaves_the_field_empty(plan, caplog):
    from server.schema.expression_budget import budget

    raw = {"plan": rows(*["1"] * 1000), "rate": "2"}
    assert validate_form(plan, raw).values["total_hours"] == "1000"
    with budget("die ganze Speicherung", seconds=0):  # no time left at all
        result = validate_form(plan, raw)
    assert result.ok  # the save still goes through, the value stays empty
    assert result.values["total_hours"] is None and result.values["cost"] is None
    assert "Feld total_hours bleibt leer" in caplog.text
    assert "Leistung" not in caplog.text  # the log names the form and field, not the data


def test_check_refuses_row_conditions_in_a_circle():
    text = HEAD + field("tb", "table")
    text += '[[fields.columns]]\nname = "x"\ntype = "text"\nlabel = "X"\nshow_if = "y"\n'
    text += '[[fields.columns]]\nname = "y"\ntype = "text"\nlabel = "Y"\nshow_if = "x"\n'
    assert problems_of(text) == [
        "forms/t.toml:10: Spalte „x“ von Feld „tb“: „show_if“-Bedingungen hängen im Kreis "
        "voneinander ab: x → y → x"
    ]
