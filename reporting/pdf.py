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
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import parallel
from .errors import ReportingError, option
from .outputs import refuse_overwrite, write_file
from .pdf_alt import figure_texts, with_figure_texts

#: Seconds allowed per document (LibreOffice lays out about 40 pages a second here).
TIMEOUT = 600


class PdfUnavailable(ReportingError):
    """Raised when --pdf is asked for but LibreOffice is not installed."""


def find_soffice() -> str | None:
    """The LibreOffice program: $FUNDER_REPORT_SOFFICE, else soffice or libreoffice on PATH."""
    configured = os.environ.get("FUNDER_REPORT_SOFFICE")
    if configured:
        return configured if shutil.which(configured) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


#: LibreOffice's PDF export: tagged (structure for screen readers; the language comes from
#: the document's en-GB styles), as JSON filter options (LibreOffice 7.4 and later).
PDF_FILTER = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'
#: The template's fonts and their free metric-compatible equivalents (same widths, so the
#: pages break where Word breaks them).
FONTS = {"Calibri": "Carlito", "Cambria": "Caladea"}


def missing_fonts() -> list[str]:
    """The template's fonts that neither they nor their equivalent are installed for
    LibreOffice (fontconfig's choice for the name), each with what to install."""
    if shutil.which("fc-match") is None:
        return []
    missing = []
    for font, equivalent in FONTS.items():
        try:
            chosen = subprocess.run(
                ["fc-match", "-f", "%{family}", font], capture_output=True, text=True, timeout=20, check=False
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            return []
        if font.casefold() not in chosen.casefold() and equivalent.casefold() not in chosen.casefold():
            missing.append(f"{font} (or {equivalent}; LibreOffice would use {chosen.split(',')[0] or 'another font'})")
    return missing


def convert(
    documents: list[Path],
    force: bool = False,
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write a tagged .pdf beside each .docx; return the PDFs written.

    The documents are split between `processes` LibreOffice processes (default: one per core),
    each converting its share in one run; `progress(done, total)` is called as PDFs appear. A
    PDF a person changed (or one this tool did not write) is replaced only with `force`; the
    PDFs are put in place only when all are made."""
    for document in documents:
        refuse_overwrite(document.with_suffix(".pdf"), force)
    program = find_soffice()
    if program is None:
        raise PdfUnavailable(
            "LibreOffice is not installed, so no PDF was made (the .docx and .xlsx files were written).",
            f"Install it (e.g. `apt install libreoffice-writer`) and build again with {option('pdf')}, or open "
            "the .docx in Word and use File > Save As > PDF.",
        )
    if not documents:
        return []
    with tempfile.TemporaryDirectory(prefix="funder-report-pdf-") as work:
        made: dict[Path, Path] = {}
        logs: list[Path] = []
        # A LibreOffice that stops part-way (it can crash on one document) leaves the rest of
        # its batch undone: those are tried again, each batch in a fresh process, and a last
        # time one process a document when few are left (so one bad document stops only itself).
        cores = processes or parallel.cores()
        for attempt in range(3):
            pending = [d for d in documents if d not in made]
            if not pending:
                break
            alone = attempt == 2 and len(pending) <= 2 * cores
            batches = [[d] for d in pending] if alone else _batches(pending, cores)
            made.update(
                _run_batches(program, batches, Path(work), f"{attempt}-", len(documents), len(made), progress, logs)
            )
        for document in documents:
            if document not in made:
                detail = " ".join(" ".join(log.read_text(errors="replace").split()[-40:]) for log in logs[-1:])
                raise ReportingError(f"LibreOffice could not convert {document} to PDF ({detail[-300:]}).")
        return [
            write_file(
                document.with_suffix(".pdf"),
                with_figure_texts(made[document].read_bytes(), figure_texts(document)),
                force,
            )
            for document in documents
        ]


def _run_batches(
    program: str,
    batches: list[list[Path]],
    work: Path,
    tag: str,
    total: int,
    done_before: int,
    progress: Callable[[int, int], None] | None,
    logs: list[Path],
) -> dict[Path, Path]:
    """Convert each batch in its own LibreOffice process at once; the PDFs made, by document."""
    running = []
    try:
        for number, batch in enumerate(batches):
            folder = work / f"batch{tag}{number}"
            folder.mkdir()
            profile = (work / f"profile{tag}{number}").as_uri()  # one profile per process
            log = work / f"log{tag}{number}.txt"
            logs.append(log)
            try:
                with log.open("w") as handle:  # a file, not a pipe: a pipe left unread fills up
                    process = subprocess.Popen(
                        [
                            program,
                            f"-env:UserInstallation={profile}",
                            "--headless",
                            "--norestore",
                            "--convert-to",
                            PDF_FILTER,
                            "--outdir",
                            str(folder),
                            *map(str, batch),
                        ],
                        stdout=handle,
                        stderr=subprocess.STDOUT,
                    )
            except OSError as exc:
                raise ReportingError(f"LibreOffice could not be started ({exc}).") from None
            running.append((process, folder, batch))
        _wait(running, total, done_before, progress)
    finally:
        for process, _, _ in running:
            if process.poll() is None:
                process.kill()
                process.wait()
    return {
        document: folder / (document.stem + ".pdf")
        for _, folder, batch in running
        for document in batch
        if (folder / (document.stem + ".pdf")).is_file()
    }


def _batches(documents: list[Path], processes: int) -> list[list[Path]]:
    """Split the documents between processes; two of the same name never share a batch (each
    batch writes into one folder)."""
    batches: list[list[Path]] = [[] for _ in range(max(1, min(processes, len(documents))))]
    for index, document in enumerate(documents):
        batch = batches[index % len(batches)]
        if any(other.stem == document.stem for other in batch):
            batches.append([document])
        else:
            batch.append(document)
    return [b for b in batches if b]


def _wait(running: Any, total: int, done_before: int, progress: Callable[[int, int], None] | None) -> None:
    """Wait for every LibreOffice process, reporting PDFs made; give up after TIMEOUT s a document."""
    deadline = time.monotonic() + TIMEOUT * max(len(batch) for _, _, batch in running)

    def report() -> None:
        if progress:
            progress(done_before + sum(len(list(folder.glob("*.pdf"))) for _, folder, _ in running), total)

    while any(process.poll() is None for process, _, _ in running):
        if time.monotonic() > deadline:
            raise ReportingError(f"LibreOffice took more than {TIMEOUT} s a document to convert to PDF.")
        report()
        time.sleep(0.2)
    report()
