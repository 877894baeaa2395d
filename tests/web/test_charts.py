"""Server-side SVG charts: valid SVG, every value written out, labels escaped, a narrow
drawing for small screens beside the wide one."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from server.web.charts import bar_chart, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _drawings(markup) -> dict[str, ET.Element]:
    """The wide and the narrow drawing of a chart, by their wrapper's class."""
    root = ET.fromstring(str(markup))  # raises if the markup is not well-formed
    assert root.get("class") == "verbund-chart-pair"
    found = {span.get("class").split("-")[-1]: span.find(f"{SVG}svg") for span in root}
    assert set(found) == {"wide", "narrow"}
    return found


def test_bar_chart_is_valid_svg_with_values_and_escaped_labels():
    markup = bar_chart(
        [("Sprache & <Bildung>", 12), ("Wohnen", 3), ("Aufenthalt", None)],
        "Barrieren nach Kategorie",
    )
    for kind, svg in _drawings(markup).items():
        texts = [t.text for t in svg.iter(f"{SVG}text")]
        assert "Sprache & <Bildung>" in texts and "12" in texts and "x" in texts, kind
        bars = [int(r.get("width")) for r in svg.iter(f"{SVG}rect")]
        assert bars[0] > bars[1] > bars[2] == 0, kind  # longer for larger values, none if hidden
        assert svg.get("aria-label") == "Barrieren nach Kategorie"


def test_the_narrow_drawing_fits_a_small_screen_and_keeps_long_labels_and_titles():
    label = "Wohnungssuche ohne Unterstützung durch das Amt"  # 46 letters
    title = "Barrieren nach Kategorie (für die Systemebene gemeldet)"
    drawings = _drawings(bar_chart([(label, 4)], title))
    narrow, wide = drawings["narrow"], drawings["wide"]
    assert int(narrow.get("width")) == 300 and int(wide.get("width")) == 520
    texts = [t.text for t in narrow.iter(f"{SVG}text")]
    # the title wraps onto lines instead of running off; the label gets the whole width
    assert len([t for t in texts if t and t in title]) == 2
    assert any(t.startswith("Wohnungssuche ohne Unterstützung durch das") for t in texts)
    for rect in narrow.iter(f"{SVG}rect"):
        assert float(rect.get("x")) + float(rect.get("width")) <= 300


def test_stacked_chart_both_drawings_with_totals_and_legend():
    markup = stacked_bar_chart(
        [("Frau Kaya", [3, 2]), ("Herr Novak", [0, 4])], ["Aufnahme", "Monitoring"], "Team"
    )
    for kind, svg in _drawings(markup).items():
        texts = [t.text for t in svg.iter(f"{SVG}text")]
        assert {"5", "4", "Aufnahme", "Monitoring", "Frau Kaya"} <= set(texts), kind
        assert float(svg.get("width")) == (300 if kind == "narrow" else 620)


def test_empty_chart_says_so():
    for svg in _drawings(bar_chart([], "Fälle nach Phase")).values():
        assert "Keine Daten." in [t.text for t in svg.iter(f"{SVG}text")]
