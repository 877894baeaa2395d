"""Seconds per PDF/A (LibreOffice) against the .docx render it is made from, in the same run.

    .venv/bin/python bench/bench_pdf.py [--n 5]

Both work on the KIM minutes of a 40-item meeting (``protokoll.docx``): the baseline renders
the .docx in this process (server/documents/render.py, German filters, table widths); the
measured step converts that .docx to PDF/A-2b as the document job does
(server/documents/pdf_export.py, one LibreOffice start per document, the profile kept). The
first conversion builds the profile and is printed apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5)
    args = parser.parse_args()

    from bench_documents import meeting_data

    from server.documents.pdf_export import convert_to_pdfa
    from server.documents.render import render_docx

    template = ROOT / "exports" / "protokoll.docx"
    # plain values (the filters pass what they cannot read unchanged): enough pages to convert
    context = {
        "meeting": meeting_data(),
        "record": {"id": 1, "state_label": "Protokoll in Arbeit"},
        "history": [],
        "now": "02.12.2026 15:00",
    }
    renders, conversions = [], []
    with tempfile.TemporaryDirectory() as instance:
        started = time.perf_counter()
        docx = render_docx(template, context)
        convert_to_pdfa(Path(instance), docx, "protokoll.docx", 300, 10**9)
        first = time.perf_counter() - started
        for _ in range(args.n):
            started = time.perf_counter()
            docx = render_docx(template, context)
            renders.append(time.perf_counter() - started)
            started = time.perf_counter()
            pdf = convert_to_pdfa(Path(instance), docx, "protokoll.docx", 300, 10**9)
            conversions.append(time.perf_counter() - started)
    render, convert = statistics.median(renders), statistics.median(conversions)
    print(f"minutes of a 40-item meeting, {args.n} rounds (medians):")
    print(f"  baseline .docx render   {render * 1000:8.0f} ms")
    print(f"  PDF/A via LibreOffice   {convert * 1000:8.0f} ms  ({convert / render:.0f} x render)")
    print(f"  first conversion (builds the profile) {first:.1f} s; PDF {len(pdf) // 1024} KB")


if __name__ == "__main__":
    main()
