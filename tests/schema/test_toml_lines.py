"""The line locator: every problem in a TOML file must point at the line a person has to fix."""

from __future__ import annotations

import tomllib
from textwrap import dedent

import pytest

from server.schema.toml_lines import decode_error_location, line_map, parse_toml

FORM = dedent(
    '''\
    # a comment with [[fields]] in it
    title = "Intake"
    description = """
    [[fields]]
    name = "not a field"
    """

    [[fields]]
    name = "first"          # line 9
    type = "text"

    [[fields]]
    name = "agencies"       # line 13
    type = "table"
    choices = [
        # a comment ] that does not close the array
        "a]",
        {value = "b", label = "B, still b"},
    ]
    help = \'\'\'
    type = "not the type"
    \'\'\'

    [[fields.columns]]
    name = "agency"         # line 25
    type = "text"

    [[fields.columns]]
    name = "contact"        # line 29
    type = "text"

    [[fields]]
    name = "third"          # line 33
    type = "select"
    choices = [{value = "x", label = "X"}, {value = "y", label = "Y"}]
    '''
)


def test_key_paths_map_to_their_lines():
    lines = line_map(FORM)
    assert lines.line("title") == 2
    assert lines.line("description") == 3
    assert lines.line("fields", 0) == 8
    assert lines.line("fields", 0, "name") == 9
    assert lines.line("fields", 1, "type") == 14
    assert lines.line("fields", 1, "help") == 20
    assert lines.line("fields", 2, "name") == 33


def test_multiline_strings_and_arrays_do_not_confuse_it():
    lines = line_map(FORM)
    # the [[fields]] inside the """ string is text, so there are exactly three fields
    assert lines.exact("fields", 3) is None
    # the type = inside the ''' string is not the type of field 1
    assert lines.line("fields", 1, "type") == 14
    assert lines.line("fields", 1, "choices") == 15
    assert lines.line("fields", 1, "choices", 0) == 17
    assert lines.line("fields", 1, "choices", 1, "label") == 18


def test_arrays_of_tables_inside_arrays_of_tables():
    lines = line_map(FORM)
    assert lines.line("fields", 1, "columns", 0) == 24
    assert lines.line("fields", 1, "columns", 0, "name") == 25
    assert lines.line("fields", 1, "columns", 1, "name") == 29


def test_inline_tables_map_to_the_line_of_their_key():
    lines = line_map(FORM)
    assert lines.line("fields", 2, "choices", 1, "value") == 35
    assert lines.line("fields", 2, "choices", 1) == 35


def test_unknown_paths_fall_back_to_the_nearest_ancestor_then_line_1():
    lines = line_map(FORM)
    assert lines.line("fields", 1, "columns", 1, "nope") == 28
    assert lines.line("fields", 2, "max_length") == 32
    assert lines.line("no_such_key") == 1
    assert lines.line() == 1


def test_dotted_and_quoted_keys_and_tables():
    text = dedent(
        """\
        [roles.case_manager]
        label = "CM"
        "scope" = "own"

        [roles.admin]
        scope.deep = 1
        """
    )
    tomllib.loads(text)  # it is valid TOML
    lines = line_map(text)
    assert lines.line("roles", "case_manager") == 1
    assert lines.line("roles", "case_manager", "scope") == 3
    assert lines.line("roles", "admin", "scope", "deep") == 6


def test_a_broken_text_never_raises():
    for text in ('a = "unterminated', "[[fields", "x = [1, 2", '"""', "= 1", "a.b. = {"):
        line_map(text).line("a")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('title = "x"\n\n[[fields]]\nname = "a"\nname = "b"\n', 5),
        ('title = "x"\ntype = text\n', 2),
        # "at end of document": the last line that has text, not the empty one after it
        ('title = "x"\n[[fields]]\nchoices = [1,\n', 3),
    ],
)
def test_syntax_error_position(text, line):
    with pytest.raises(tomllib.TOMLDecodeError) as info:
        tomllib.loads(text)
    assert decode_error_location(info.value, text)[0] == line


def test_parse_toml_reports_one_german_problem():
    data, _, problem = parse_toml('title = "x"\nrequired = ja\n')
    assert data is None
    assert problem is not None
    assert problem[0] == 2
    assert problem[1].startswith("TOML-Syntaxfehler: ungültiger Wert")
