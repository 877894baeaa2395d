"""``verbund check`` for Word templates, and the same check for an uploaded template.

The data model a template is checked against comes from the definitions: every form of the
workflow with its fields (tables with their columns), ``record``, ``history`` and ``now``.
Problems are :class:`~server.schema.definitions.Problem` values, ``path:line: message``,
where the path names the template and the line is the paragraph (see :mod:`.lint`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ..schema.definitions import Definitions, FieldDef, FormDef, Problem, WorkflowDef
from ..schema.fieldtypes import field_type
from ..schema.loader import read_sources
from ..schema.toml_lines import parse_toml
from .context import HISTORY_KEYS, RECORD_KEYS
from .docx_check import MAX_RATIO, MAX_UNPACKED, unpack_problems
from .lint import ANY, Finding, Shape, lint_docx, object_shape
from .variants import variant_problems

TEMPLATE_NAMES = ("record", "history", "now")

# a template that is not a workflow's document: name -> (data names, hint for unknown names)
Special = Mapping[str, tuple[Mapping[str, Shape] | None, str]]


def field_shape(field: FieldDef, path: str) -> Shape:
    """What a template finds at ``path`` for ``field`` (the field type decides)."""
    return field_type(field.type).template_shape(field, path)


def form_shape(form: FormDef) -> Shape:
    members = {f.name: field_shape(f, f"{form.id}.{f.name}") for f in form.fields}
    return Shape("object", f"das Formular „{form.id}“", members, member_word="Feld")


def workflow_names(defs: Definitions, workflow: WorkflowDef) -> dict[str, Shape]:
    """Every name a template of ``workflow`` gets (see :mod:`.context`)."""
    names: dict[str, Shape] = {}
    for form_id in workflow.form_ids:
        form = defs.forms.get(form_id)
        names[form_id] = form_shape(form) if form is not None else ANY
    names["record"] = object_shape("record", RECORD_KEYS)
    names["history"] = Shape(
        "list", "history", item=object_shape("ein Eintrag von history", HISTORY_KEYS)
    )
    names["now"] = Shape("value", "now")
    return names


def workflow_hint(workflow: WorkflowDef) -> str:
    available = ", ".join((*workflow.form_ids, *TEMPLATE_NAMES))
    return (
        "ist weder ein Formular dieses Ablaufs noch record, history oder now "
        f"(verfügbar: {available})"
    )


def finding_text(template: str, finding: Finding) -> str:
    """A finding as a message that names the template and where in it the problem is."""
    where = f" ({finding.part})" if finding.part else ""
    snippet = " ".join(finding.snippet.split())
    if len(snippet) > 100:
        snippet = snippet[:99] + "…"
    shown = f", Absatz „{snippet}“" if snippet else ""
    return f"Vorlage „{template}“{where}{shown}: {finding.message}"


def template_problems(
    defs: Definitions,
    name: str,
    content: bytes,
    special: Special | None = None,
    unpack_limits: tuple[int, int] | None = None,
) -> list[tuple[int, str]]:
    """(paragraph, message) for every problem of template ``name`` with ``content``, against
    every workflow that uses it (or its special data model). Raises for non-Word files.

    A zip bomb (``unpack_limits``: unpacked bytes and ratio, default the standard limits) is
    refused before any part of it is parsed."""
    bombs = unpack_problems(content, *(unpack_limits or (MAX_UNPACKED, MAX_RATIO)))
    if bombs:
        return [(1, f"Vorlage „{name}“: {message}") for message in bombs]
    targets: list[tuple[Mapping[str, Shape] | None, str]] = []
    for workflow in defs.workflows.values():
        if any(d.template == name for d in workflow.documents):
            targets.append((workflow_names(defs, workflow), workflow_hint(workflow)))
    if special and name in special:
        targets.append(special[name])
    if not targets:  # used by nobody yet: only the syntax can be judged
        targets.append((None, ""))
    out: list[tuple[int, str]] = []
    for names, hint in targets:
        for finding in lint_docx(content, names, hint):
            item = (finding.paragraph, finding_text(name, finding))
            if item not in out:
                out.append(item)
    return out


def _display(path: Path, base_dir: str | os.PathLike | None) -> str:
    if base_dir is not None:
        try:
            return str(path.resolve().relative_to(Path(base_dir).resolve()))
        except ValueError:
            pass
    return str(path)


def check_templates(
    defs: Definitions,
    exports_dir: str | os.PathLike,
    base_dir: str | os.PathLike | None = None,
    revisions: Mapping[str, tuple[bytes, str]] | None = None,
    special: Special | None = None,
    workflows_dir: str | os.PathLike | None = None,
    unpack_limits: tuple[int, int] | None = None,
) -> list[Problem]:
    """Check every ``[[documents]]`` template (and the ``special`` ones): it exists, it is a
    .docx, its Jinja is well-formed and it names only data it gets.

    ``revisions`` maps template names to (content, shown path) of the current revision in
    the database; those are checked instead of the files in ``exports_dir``. With
    ``workflows_dir``, the templates of workflow files that did not parse (their own errors
    are reported elsewhere) are at least looked for, so one run names every problem.
    ``unpack_limits`` are the zip-bomb limits (see :func:`template_problems`).
    """
    revisions = revisions or {}
    problems: list[Problem] = []
    if workflows_dir is not None:
        for path, line, doc_id, template in unparsed_documents(defs, workflows_dir, base_dir):
            where = f"Dokument „{doc_id}“: Vorlage „{template}“"
            if not template.lower().endswith(".docx"):
                problems.append(Problem(path, line, f"{where} ist keine .docx-Datei"))
            elif template not in revisions and not (Path(exports_dir) / template).is_file():
                problems.append(Problem(path, line, f"{where} fehlt in exports/"))
    checked: set[str] = set()
    documents = [(wf, doc) for wf in defs.workflows.values() for doc in wf.documents]
    for wf, doc in documents:
        where = f"Dokument „{doc.id}“: Vorlage „{doc.template}“"
        if not doc.template.lower().endswith(".docx"):
            problems.append(Problem(wf.path, doc.line, f"{where} ist keine .docx-Datei"))
            continue
        file = Path(exports_dir) / doc.template
        if doc.template not in revisions and not file.is_file():
            problems.append(Problem(wf.path, doc.line, f"{where} fehlt in exports/"))
            continue
        if doc.template in checked:
            continue
        checked.add(doc.template)
        problems += _check_one(
            defs, doc.template, file, revisions, special, base_dir, wf, doc, unpack_limits
        )
    for name in sorted(set(special or {}) - checked):
        file = Path(exports_dir) / name
        if name in revisions or file.is_file():
            problems += _check_one(
                defs, name, file, revisions, special, base_dir, None, None, unpack_limits
            )
    # language variants (einwilligung.ar.docx) carry the same placeholders as the German one
    problems += variant_problems(
        Path(exports_dir), {doc.template for _wf, doc in documents}, lambda p: _display(p, base_dir)
    )
    return problems


def _check_one(defs, name, file, revisions, special, base_dir, wf, doc, limits) -> list[Problem]:
    if name in revisions:
        content, shown = revisions[name]
    else:
        content, shown = file.read_bytes(), _display(file, base_dir)
    try:
        found = template_problems(defs, name, content, special, limits)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the author's problem
        message = f"Vorlage „{name}“ ist keine lesbare Word-Datei (.docx): {type(exc).__name__}"
        if wf is not None:
            return [Problem(wf.path, doc.line, f"Dokument „{doc.id}“: {message}")]
        return [Problem(shown, 1, message)]
    return [Problem(shown, line, message) for line, message in found]


def check_revisions(
    defs: Definitions,
    revisions: Mapping[str, tuple[bytes, str]],
    special: Special | None = None,
    unpack_limits: tuple[int, int] | None = None,
) -> list[Problem]:
    """Check stored template revisions (name -> (bytes, shown path)) against ``defs``."""
    problems: list[Problem] = []
    for name, (content, shown) in sorted(revisions.items()):
        try:
            found = template_problems(defs, name, content, special, unpack_limits)
        except Exception as exc:  # noqa: BLE001 - a stored file that no longer reads
            problems.append(
                Problem(shown, 1, f"Vorlage „{name}“ ist keine lesbare Word-Datei: {exc}")
            )
            continue
        problems += [Problem(shown, line, message) for line, message in found]
    return problems


def unparsed_documents(
    defs: Definitions, workflows_dir: str | os.PathLike, base_dir: str | os.PathLike | None
) -> list[tuple[str, int, str, str]]:
    """(path, line, document id, template) of every ``[[documents]]`` entry in the workflow
    files that did not become a workflow (read as plain TOML, nothing else checked)."""
    sources, _unreadable = read_sources(workflows_dir, base_dir)
    found = []
    for workflow_id, (path, text) in sources.items():
        if workflow_id in defs.workflows:
            continue
        data, lines, _error = parse_toml(text)
        documents = (data or {}).get("documents")
        if not isinstance(documents, list):
            continue
        for index, doc in enumerate(documents):
            template = doc.get("template") if isinstance(doc, dict) else None
            if isinstance(template, str) and template:
                doc_id = doc.get("id") if isinstance(doc.get("id"), str) else str(index + 1)
                found.append((path, lines.line("documents", index, "template"), doc_id, template))
    return found
