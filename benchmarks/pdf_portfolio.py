"""Time `build --pdf` of a whole portfolio (issue 12: the 562-award spin-outs export in under
3 minutes on the 2-core machine): import the GtR CSV export, build every return, convert
every Word return to PDF with one LibreOffice per core.

    python benchmarks/pdf_portfolio.py [CSV] [--processes N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from reporting import build, import_to_workbook
from reporting.pdf import convert

CSV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "gtr-export-spinouts-2017.csv"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("csv", nargs="?", type=Path, default=CSV)
    parser.add_argument("--processes", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        workbook = Path(work, "portfolio.xlsx")
        import_to_workbook(args.csv, workbook)
        start = time.perf_counter()
        result = build([workbook], Path(work, "out"), processes=args.processes)
        built = time.perf_counter() - start
        documents = [p for p in result.outputs if p.suffix == ".docx"]
        start = time.perf_counter()
        pdfs = convert(documents, processes=args.processes)
        converted = time.perf_counter() - start
        print(
            f"{len(documents)} returns: build {built:.1f} s, PDF {converted:.1f} s "
            f"({converted / len(pdfs):.2f} s a document), total {built + converted:.1f} s"
        )


if __name__ == "__main__":
    main()
