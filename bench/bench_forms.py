"""Benchmark: a 200-field form through Verbund's engine against hand-written WTForms.

Both sides get the same fields (text, textarea, email, integer, decimal, date, boolean,
select, multiselect, and two tables of three columns with three rows), the same submitted
values and the same Bootstrap-like markup, in the same process, measured alternately:

* render   — the engine: what the record page does for one form (input values, show_if
  state, browser conditions) and the ``form_fields`` macro of ``_fields.html``;
  WTForms: building the form from the values and rendering it with a template.
* validate — the engine: ``raw_from_formdata`` + ``validate_form``; WTForms: building the
  form from the submitted MultiDict and ``validate()``.

Run: ``.venv/bin/python bench/bench_forms.py [repetitions]``. Prints medians; the goal is at
most 1.5 times WTForms' time for render + validate.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    validators,
    widgets,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.forms import raw_from_formdata, validate_form  # noqa: E402
from server.forms.conditions import browser_spec  # noqa: E402
from server.forms.links import size_label  # noqa: E402
from server.forms.validation import visible_fields  # noqa: E402
from server.schema import parse_form  # noqa: E402
from server.web.values import input_values  # noqa: E402

KINDS = ["text", "textarea", "email", "integer", "decimal", "date", "boolean", "select", "multi"]
FIELDS = 200
TABLES = 2
CHOICES = [("a", "Alpha"), ("b", "Beta"), ("c", "Gamma"), ("d", "Delta"), ("e", "Epsilon")]


def field_kinds() -> list[tuple[str, str]]:
    """(name, kind) of the 200 fields: the two tables, then the scalar kinds in turn."""
    out = [(f"tabelle_{t}", "table") for t in range(TABLES)]
    for n in range(FIELDS - TABLES):
        out.append((f"feld_{n:03d}", KINDS[n % len(KINDS)]))
    return out


# ---- the engine's form, written as an office would write it --------------------------------


def form_toml() -> str:
    choices = ", ".join(f'{{ value = "{v}", label = "{label}" }}' for v, label in CHOICES)
    parts = ['title = "Zweihundert Felder"\n']
    for index, (name, kind) in enumerate(field_kinds()):
        label = f"Feld {index + 1} ({kind})"
        part = f'[[fields]]\nname = "{name}"\nlabel = "{label}"\n'
        part += {
            "text": 'type = "text"\nmax_length = 200\n',
            "textarea": 'type = "textarea"\nmax_length = 2000\n',
            "email": 'type = "email"\n',
            "integer": 'type = "integer"\nmin = 0\nmax = 100000\n',
            "decimal": 'type = "decimal"\nmin = 0\nmax = 1000000\n',
            "date": 'type = "date"\nmin = 2000-01-01\nmax = 2099-12-31\n',
            "boolean": 'type = "boolean"\n',
            "select": f'type = "select"\nchoices = [{choices}]\n',
            "multi": f'type = "multiselect"\nchoices = [{choices}]\nmax_items = 3\n',
            "table": (
                'type = "table"\nmax_rows = 50\n'
                '[[fields.columns]]\nname = "posten"\ntype = "text"\nlabel = "Posten"\n'
                "required = true\n"
                '[[fields.columns]]\nname = "betrag"\ntype = "decimal"\nlabel = "Betrag"\n'
                '[[fields.columns]]\nname = "datum"\ntype = "date"\nlabel = "Datum"\n'
            ),
        }[kind]
        if index % 10 == 3 and kind != "boolean":
            part += "required = true\n"
        parts.append(part)
    return "\n".join(parts)


def submitted() -> MultiDict:
    """A filled-in form as the browser posts it, names as the record page writes them."""
    data = MultiDict()
    for name, kind in field_kinds():
        key = f"zwei-{name}"
        if kind == "table":
            for row in range(3):
                data[f"{key}-{row}-posten"] = f"Posten {row}"
                data[f"{key}-{row}-betrag"] = f"{row}12.50"
                data[f"{key}-{row}-datum"] = f"2024-0{row + 1}-15"
            continue
        value = {
            "text": "Ein kurzer Text",
            "textarea": "Zeile eins\nZeile zwei",
            "email": "person@example.org",
            "integer": "4711",
            "decimal": "1234.5",
            "date": "2024-05-17",
            "boolean": "y",
            "select": "c",
            "multi": ["a", "d"],
        }[kind]
        if isinstance(value, list):
            data.setlist(key, value)
        else:
            data[key] = value
    return data


def engine_setup():
    form, problems = parse_form("zwei", form_toml(), "forms/zwei.toml")
    assert form is not None, problems
    env = Environment(
        loader=FileSystemLoader(str(ROOT / "server" / "templates")),
        autoescape=select_autoescape(["html"]),
    )
    env.filters["filesize"] = size_label
    template = env.from_string(
        "{% import 'verbund/_fields.html' as fields %}"
        "{{ fields.form_fields(form, values, errors, false, {}, extras, hidden) }}"
    )
    values = validate_form(form, raw_from_formdata(form, submitted(), "zwei-")).values
    return form, template, values


def engine_render(form, template, values) -> str:
    shown = input_values(form, values)
    hidden = visible_fields(form, values)[1]
    browser_spec(form)
    return template.render(form=form, values=shown, errors={}, extras={}, hidden=hidden)


def engine_validate(form, formdata):
    result = validate_form(form, raw_from_formdata(form, formdata, "zwei-"))
    assert result.ok, result.errors
    return result


# ---- the same form written by hand with WTForms ----------------------------------------------


class Row(Form):
    posten = StringField("Posten", [validators.InputRequired()])
    betrag = DecimalField("Betrag", [validators.Optional()])
    datum = DateField("Datum", [validators.Optional()])


def wtforms_field(kind: str, label: str, required: bool):
    """One field as a developer would declare it with WTForms."""
    need = [validators.InputRequired() if required else validators.Optional()]
    if kind == "text":
        return StringField(label, need + [validators.Length(max=200)])
    if kind == "textarea":
        return TextAreaField(label, need + [validators.Length(max=2000)])
    if kind == "email":
        return StringField(label, need + [validators.Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")])
    if kind == "integer":
        return IntegerField(label, need + [validators.NumberRange(0, 100000)])
    if kind == "decimal":
        return DecimalField(label, need + [validators.NumberRange(0, 1000000)])
    if kind == "date":
        return DateField(label, need)
    if kind == "boolean":
        return BooleanField(label)
    if kind == "select":
        return SelectField(label, need, choices=[("", "–"), *CHOICES])
    if kind == "multi":
        return SelectMultipleField(
            label,
            [validators.Optional(), validators.Length(max=3)],
            choices=CHOICES,
            widget=widgets.ListWidget(prefix_label=False),
            option_widget=widgets.CheckboxInput(),
        )
    return FieldList(FormField(Row), label=label, min_entries=1, max_entries=50)


def wtforms_class() -> type[Form]:
    attrs = {
        name: wtforms_field(kind, f"Feld {index + 1} ({kind})", index % 10 == 3)
        for index, (name, kind) in enumerate(field_kinds())
    }
    return type("ZweihundertFelder", (Form,), attrs)


WTFORMS_TEMPLATE = """\
{% for field in form %}
<div class="form-group">
  {{ field.label }}
  {% if field.type == "FieldList" %}
    <table class="table table-sm">{% for row in field %}<tr>
      {% for cell in row %}<td>{{ cell(class_="form-control") }}
        {% for e in cell.errors %}<div class="invalid-feedback d-block">{{ e }}</div>{% endfor %}
      </td>{% endfor %}</tr>{% endfor %}</table>
  {% elif field.type == "BooleanField" %}{{ field(class_="form-check-input") }}
  {% else %}{{ field(class_="form-control") }}{% endif %}
  {% for e in field.errors %}<div class="invalid-feedback d-block">{{ e }}</div>{% endfor %}
</div>
{% endfor %}
"""


def wtforms_formdata(formdata: MultiDict) -> MultiDict:
    """The same submission under WTForms' names (FieldList rows are name-N-column)."""
    out = MultiDict()
    for key, value in formdata.items(multi=True):
        out.add(key.removeprefix("zwei-"), value)
    return out


def wtforms_render(cls, template, data) -> str:
    return template.render(form=cls(data=data))


def wtforms_validate(cls, formdata):
    form = cls(formdata=formdata)
    assert form.validate(), form.errors
    return form


# ---- measuring ---------------------------------------------------------------------------------


def median_ms(fn, repetitions: int, inner: int = 5) -> float:
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - start) / inner * 1000)
    return statistics.median(times)


def main() -> int:
    repetitions = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    form, template, values = engine_setup()
    formdata = submitted()
    cls = wtforms_class()
    wt_template = Environment(autoescape=True).from_string(WTFORMS_TEMPLATE)
    wt_formdata = wtforms_formdata(formdata)
    wt_data = wtforms_validate(cls, wt_formdata).data

    cases = {
        "render": (
            lambda: engine_render(form, template, values),
            lambda: wtforms_render(cls, wt_template, wt_data),
        ),
        "validate": (
            lambda: engine_validate(form, formdata),
            lambda: wtforms_validate(cls, wt_formdata),
        ),
    }
    for ours, theirs in cases.values():  # warm-up: caches, compiled templates
        ours(), theirs()
    results: dict[str, list[float]] = {name: [] for name in cases}
    # alternate in rounds so that drift of the machine hits both sides alike
    for _ in range(3):
        for name, (ours, theirs) in cases.items():
            results[name].append(median_ms(ours, repetitions // 3 or 1))
            results[name].append(median_ms(theirs, repetitions // 3 or 1))
    print(f"Verbund form engine vs hand-written WTForms — {FIELDS} fields, medians")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {repetitions} repetitions x 5 runs per side"
    )
    total_ours = total_theirs = 0.0
    for name in cases:
        ours = statistics.median(results[name][0::2])
        theirs = statistics.median(results[name][1::2])
        total_ours += ours
        total_theirs += theirs
        print(
            f"  {name:<9} engine {ours:7.2f} ms   WTForms {theirs:7.2f} ms   {ours / theirs:.2f}x"
        )
    ratio = total_ours / total_theirs
    print(
        f"  {'total':<9} engine {total_ours:7.2f} ms   WTForms {total_theirs:7.2f} ms"
        f"   {ratio:.2f}x"
    )
    print(f"  goal: at most 1.50x — {'met' if ratio <= 1.5 else 'NOT met'}")
    ours_html = engine_render(form, template, values)
    theirs_html = wtforms_render(cls, wt_template, wt_data)
    print(f"  markup: engine {len(ours_html) // 1024} KB, WTForms {len(theirs_html) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
