"""Convert Word files to PDF with LibreOffice, when it is installed (`soffice --headless`).

LibreOffice is not a Python package and is not required: without it, --pdf says so plainly.
Each conversion uses a private LibreOffice profile (so a running LibreOffice does not block
it) and writes into a temporary folder first, so a failed conversion leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import ReportingError, option
from .outputs import refuse_overwrite, write_file

#: Seconds allowed per document (LibreOffice lays out about 40 pages a second here).
TIMEOUT = 900


class PdfUnavailable(ReportingError):
    """Raised when --pdf is asked for but LibreOffice is not installed."""


def find_soffice() -> str | None:
    """The LibreOffice program: $FUNDER_REPORT_SOFFICE, else soffice or libreoffice on PATH."""
    configured = os.environ.get("FUNDER_REPORT_SOFFICE")
    if configured:
        return configured if shutil.which(configured) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(documents: list[Path], force: bool = False) -> list[Path]:
    """Write a .pdf beside each .docx; return the PDFs written. A PDF a person changed (or
    one this tool did not write) is replaced only with `force`."""
    for document in documents:
        refuse_overwrite(document.with_suffix(".pdf"), force)
    program = find_soffice()
    if program is None:
        raise PdfUnavailable(
            "LibreOffice is not installed, so no PDF was made (the .docx and .xlsx files were written).",
            f"Install it (e.g. `apt install libreoffice-writer`) and build again with {option('pdf')}, or open "
            "the .docx in Word and use File > Save As > PDF.")
    written = []
    with tempfile.TemporaryDirectory(prefix="funder-report-pdf-") as work:
        profile = Path(work, "profile").as_uri()
        for document in documents:
            try:
                done = subprocess.run(
                    [program, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                     "--convert-to", "pdf", "--outdir", work, str(document)],
                    capture_output=True, text=True, timeout=TIMEOUT, check=False)
            except subprocess.TimeoutExpired:
                raise ReportingError(f"LibreOffice took more than {TIMEOUT} s to convert {document}.") from None
            except OSError as exc:
                raise ReportingError(f"LibreOffice could not be started ({exc}).") from None
            made = Path(work, document.stem + ".pdf")
            if done.returncode != 0 or not made.is_file():
                detail = " ".join((done.stderr or done.stdout).split())[:300]
                raise ReportingError(f"LibreOffice could not convert {document} to PDF ({detail}).")
            written.append(write_file(document.with_suffix(".pdf"), made.read_bytes(), force))
    return written
