"""The workflow diagram: well-formed SVG, every state and transition, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from server.admin.diagram import workflow_svg
from server.schema import parse_workflow

SVG = "{http://www.w3.org/2000/svg}"

WORKFLOW = """
title = "Prüfung <intern> & Co"
initial = "neu"

[[states]]
id = "neu"
label = "Neu & <ungeprüft>"

[[states]]
id = "pruefung"
label = "In Prüfung bei der Fachstelle für besondere Fälle"

[[states]]
id = "fertig"
label = "Fertig"
final = true

[[states]]
id = "verwaist"
label = "Verwaist"
final = true

[[transitions]]
from = ["neu"]
to = "pruefung"
label = "Prüfen"

[[transitions]]
from = ["pruefung"]
to = "neu"
label = "Zurück"

[[transitions]]
from = ["neu", "pruefung"]
to = "fertig"
label = "Abschließen"

[[transitions]]
from = "*"
to = "fertig"
label = "Abbrechen"
"""


def parsed():
    workflow, problems = parse_workflow("pruefung", WORKFLOW, "workflows/pruefung.toml")
    assert workflow is not None, problems
    return workflow


def test_svg_is_well_formed_and_has_every_state():
    root = ET.fromstring(workflow_svg(parsed()))
    assert root.tag == f"{SVG}svg"
    groups = root.findall(f"{SVG}g")
    assert [g.get("data-state") for g in groups] == ["neu", "pruefung", "fertig", "verwaist"]
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Neu & <ungeprüft>" in texts  # escaped in the markup, intact as text
    for label in ("Prüfen", "Zurück", "Abschließen", "Abbrechen", "aus jedem offenen Zustand"):
        assert label in texts
    assert root.find(f"{SVG}script") is None and "href" not in workflow_svg(parsed())


def test_every_transition_is_an_arrow_and_final_states_have_a_double_border():
    root = ET.fromstring(workflow_svg(parsed()))
    arrows = [
        p
        for p in root.iter(f"{SVG}path")
        if p.get("marker-end") and p.find(f"{SVG}title") is not None
    ]
    titles = sorted(p.find(f"{SVG}title").text for p in arrows)
    # „Abschließen“ starts in two states: two arrows, one label
    assert titles == ["Abbrechen", "Abschließen", "Abschließen", "Prüfen", "Zurück"]
    dashed = [p for p in arrows if p.get("stroke-dasharray")]
    assert [p.find(f"{SVG}title").text for p in dashed] == ["Abbrechen"]
    final = [g for g in root.findall(f"{SVG}g") if g.get("data-state") in ("fertig", "verwaist")]
    assert all(len(g.findall(f"{SVG}rect")) == 2 for g in final)


def test_the_main_line_reads_left_to_right():
    root = ET.fromstring(workflow_svg(parsed()))
    x = {g.get("data-state"): float(g.find(f"{SVG}rect").get("x")) for g in root.findall(f"{SVG}g")}
    assert x["neu"] < x["pruefung"] < x["fertig"]
    assert x["verwaist"] > x["fertig"]  # unreachable states stand last
