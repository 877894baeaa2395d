"""Small edits of a tomlkit document that leave everything else byte for byte as it was.

tomlkit keeps comments, blank lines and the spelling of every value; these helpers add what
it lacks for a form builder: putting a new key where a person would look for it (after its
neighbours in a fixed order, not at the end behind the blank line that separates tables),
swapping two ``[[…]]`` tables while the comments *between* tables stay in their place (a
banner such as ``# --- Einwilligung ---`` belongs to the gap, not to the field above it),
and writing new inline tables and arrays in the style the file already uses.
"""

from __future__ import annotations

import json
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.items import AoT, Array, Comment, InlineTable, Item, Table, Whitespace

# the order keys of a field are written in when the builder adds one
KEY_ORDER = (
    "name",
    "section",
    "type",
    "label",
    "help",
    "required",
    "default",
    "show_if",
    "personal",
)


def _is_trivia(item: Any) -> bool:
    return isinstance(item, (Whitespace, Comment))


def _split(container: Container) -> tuple[list, list]:
    """The key/value items of a table and the comments and blank lines that trail them."""
    body = list(container.body)
    end = len(body)
    while end and body[end - 1][0] is None and _is_trivia(body[end - 1][1]):
        end -= 1
    return body[:end], body[end:]


def _rebuilt(items: list, like: Table) -> Table:
    container = Container(True)
    for key, item in items:
        container.append(key, item)
    return Table(container, like.trivia, like.is_aot_element(), like.is_super_table())


def swap_tables(aot: AoT, first: int, second: int) -> None:
    """Exchange the contents of tables ``first`` and ``second`` of an array of tables.

    The trailing comments and blank lines of each table stay at their position, so the text
    between two tables (a section banner) does not travel with the field above it.
    """
    a, b = aot.body[first], aot.body[second]
    a_items, a_trail = _split(a.value)
    b_items, b_trail = _split(b.value)
    _put(aot, first, _rebuilt(b_items + a_trail, a))
    _put(aot, second, _rebuilt(a_items + b_trail, b))


def _put(aot: AoT, index: int, table: Table) -> None:
    # an AoT keeps its tables twice (its body and the list it is); both must agree
    aot.body[index] = table
    list.__setitem__(aot, index, table)


def insert_table(aot: AoT, after: int, table: Table) -> int:
    """Insert ``table`` after position ``after`` (-1: at the start) and return its position.

    The new table takes over the gap that followed ``after`` (a banner stays in front of
    the table it introduced); ``after`` gets a blank line instead.
    """
    blank = [(None, Whitespace("\n"))]
    items, _ = _split(table.value)
    if not aot.body:
        aot.append(_rebuilt(items, table))
        return 0
    if after < 0:
        aot.insert(0, _rebuilt(items + blank, table))
        return 0
    before = aot.body[after]
    before_items, before_trail = _split(before.value)
    _put(aot, after, _rebuilt(before_items + blank, before))
    aot.insert(after + 1, _rebuilt(items + before_trail, table))
    return after + 1


def delete_table(aot: AoT, index: int) -> None:
    """Delete table ``index``; comments in the gap after it stay in front of the next one."""
    _, trail = _split(aot.body[index].value)
    if index > 0:
        before = aot.body[index - 1]
        before_items, before_trail = _split(before.value)
        if _has_comment(trail) or index == len(aot.body) - 1:
            keep = (before_trail if _has_comment(before_trail) else []) + trail
            _put(aot, index - 1, _rebuilt(before_items + keep, before))
    elif _has_comment(trail) and len(aot.body) > 1:
        # no table before it: the comments go to the top of the next table
        nxt = aot.body[1]
        _put(aot, 1, _rebuilt(trail + list(nxt.value.body), nxt))
    del aot[index]


def _has_comment(items: list) -> bool:
    return any(isinstance(item, Comment) for _, item in items)


def set_key(table: Table | InlineTable, key: str, value: Any, order=KEY_ORDER) -> None:
    """Set ``key`` to ``value``; a new key goes after the nearest key before it in ``order``
    (or after the last key/value), never behind the table's trailing blank lines."""
    if key in table:
        table[key] = value
        return
    container = table.value
    items, trail = _split(container)
    keys = [k.key for k, _ in items if k is not None]
    if not keys or not isinstance(table, Table):
        table[key] = value
        return
    rank = order.index(key) if key in order else len(order)
    after = keys[-1]
    earlier = [k for k in keys if k in order and order.index(k) < rank]
    if earlier and key in order:
        after = earlier[-1]
    _insert_after(container, after, key, tomlkit.item(value))
    # a Table is also a dict of its values: keep it in step, or deleting the key later fails
    dict.__setitem__(table, key, container[key])


def _insert_after(container, after: str, key: str, item: Any) -> None:
    """Put ``key`` right behind the line of ``after``. tomlkit has no public insert; its
    private ``_insert_after`` went away in 0.15.3, ``_insert_at`` is in every version we
    allow (>=0.13), and appending covers ``after`` being the container's last entry."""
    position = max(i for i, (k, _) in enumerate(container.body) if k is not None and k.key == after)
    if position + 1 < len(container.body):
        container._insert_at(position + 1, key, item)  # noqa: SLF001 - no public insert
    else:
        container.append(key, item)


def remove_key(table: Table | InlineTable, key: str) -> None:
    """Remove ``key`` (and its line) if present."""
    if key in table:
        del table[key]


def choice_item(value: str, label: str, like: Item | None) -> Item:
    """A choice ``{ value = "…", label = "…" }`` spelled like ``like`` (spaces inside braces)."""
    spaced = like is None or like.as_string().startswith("{ ")
    inner = f"value = {_string(value)}, label = {_string(label)}"
    source = "{ " + inner + " }" if spaced else "{" + inner + "}"
    return tomlkit.parse(f"x = {source}\n")["x"]


def _string(text: str) -> str:
    # a JSON string without non-ASCII escapes is a valid TOML basic string
    return json.dumps(text, ensure_ascii=False)


def empty_array(multiline: bool = True) -> Array:
    """``[]`` that grows one element per line, indented by four spaces."""
    array = tomlkit.array()
    array.multiline(multiline)
    return array


def string_value(text: str) -> Item:
    """A TOML basic string (``"…"``) for ``text``."""
    return tomlkit.string(text)
