"""Server-side SVG charts: valid SVG, every value written out, labels escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from server.web.charts import bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_is_valid_svg_with_values_and_escaped_labels():
    svg = str(
        bar_chart(
            [("Sprache & <Bildung>", 12), ("Wohnen", 3), ("Aufenthalt", None)],
            "Barrieren nach Kategorie",
        )
    )
    root = ET.fromstring(svg)  # raises if the markup is not well-formed
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Sprache & <Bildung>" in texts and "12" in texts and "x" in texts
    bars = [int(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert bars[0] > bars[1] > bars[2] == 0  # longer bars for larger values, none if hidden


def test_empty_chart_says_so():
    root = ET.fromstring(str(bar_chart([], "Fälle nach Phase")))
    assert "Keine Daten." in [t.text for t in root.iter(f"{SVG}text")]
