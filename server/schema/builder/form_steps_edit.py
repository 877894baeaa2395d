"""Keeping a stepped form's ``[[steps]]`` whole when the builder moves a field.

A form with steps needs every field in exactly one step (``schema/form_steps.py``): named in
a step's ``fields`` or under a heading a step lists in ``sections``. Moving a field swaps it
with its neighbour while the headings stay at their positions (``FormModel.move_field``), so
a move across a step's border can leave a field in no step, or in two. After the swap
:func:`follow_move` puts the moved field in the step of the field it passed – as adding a
field puts it in its neighbour's step – and the neighbour, if the swap took it out of its
section, in the step of the field now before it.
"""

from __future__ import annotations

from tomlkit.items import AoT, Array

from .toml_edit import set_key

STEP_ORDER = ("title", "fields", "sections")


class _Steps:
    """The form's steps and fields as they are after the swap."""

    def __init__(self, doc):
        self.steps = doc["steps"]
        self.order = [str(t.get("name", "")) for t in doc["fields"]]
        self.section: dict[str, str] = {}
        current = ""
        for table in doc["fields"]:
            current = str(table.get("section", "")) or current
            self.section[str(table.get("name", ""))] = current
        self.by_section = {
            str(name): index
            for index, step in enumerate(self.steps)
            for name in (step.get("sections") or [])
        }

    def lists(self) -> list[tuple[int, Array]]:
        return [
            (i, s["fields"]) for i, s in enumerate(self.steps) if isinstance(s.get("fields"), Array)
        ]

    def section_step(self, name: str) -> int | None:
        return self.by_section.get(self.section.get(name, "")) if self.section.get(name) else None

    def step_of(self, name: str) -> int | None:
        found = self.section_step(name)
        if found is None:
            found = next((i for i, names in self.lists() if name in names), None)
        return found

    def leave_lists(self, name: str) -> None:
        for _, names in self.lists():
            while name in names:
                del names[list(names).index(name)]

    def join(self, name: str, step: int, partner: str, after: bool) -> None:
        """Name ``name`` in step ``step``'s ``fields``, next to ``partner`` if it is there."""
        self.leave_lists(name)
        table = self.steps[step]
        if not isinstance(table.get("fields"), Array):
            set_key(table, "fields", [name], STEP_ORDER)
            return
        names = table["fields"]
        position = len(names)
        if partner in names:
            position = list(names).index(partner) + (1 if after else 0)
        names.insert(position, name)


def follow_move(doc, moved: str, other: str, step: int) -> None:
    """Fix the steps after ``moved`` was swapped with ``other`` (``step`` -1 up, +1 down)."""
    if not isinstance(doc.get("steps"), AoT) or not isinstance(doc.get("fields"), AoT):
        return
    steps = _Steps(doc)
    # the moved field: into the step of the field it passed
    if steps.section_step(moved) is not None:
        steps.leave_lists(moved)
    else:
        target = steps.step_of(other)
        if target is not None and target != steps.step_of(moved):
            steps.join(moved, target, other, after=step > 0)
    # the neighbour: its section may have changed under it (headings stay in place)
    if steps.section_step(other) is not None:
        steps.leave_lists(other)
    elif steps.step_of(other) is None:
        index = steps.order.index(other)
        before = steps.order[index - 1] if index > 0 and steps.order[index - 1] != moved else ""
        partner = before or moved
        target = steps.step_of(partner)
        if target is not None:
            steps.join(other, target, partner, after=True)
