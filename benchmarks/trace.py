"""Follow one datum from an input cell to the Word paragraph and the Excel cell (issue 11), and
the page's build form to the Request it makes (issue 22).

Builds a return from a one-entry workbook whose Geographic Reach cell holds "Regional", and
records every call into funder-report's own code that is handed the datum itself: as an
argument, or as a field of an argument (a field view, a cell). Calls handed a whole row (a
dict of every value) are not the datum's path and are not counted. It prints the calls in
order with the module changes between them, and checks that no call runs back into the view
builder once rendering has started.

    python benchmarks/trace.py
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

DATUM = "Regional"
#: Modules that build views: a renderer calling into one of these is data flowing backwards.
VIEW_BUILDERS = {"reporting.returns", "reporting.selection", "reporting.sheets", "reporting.fieldtypes"}
RENDERERS = {"reporting.docx_body", "reporting.docx_writer", "reporting.xlsx_writer", "reporting.wordml"}


def holds(value: object) -> bool:
    """Whether `value` is the datum, or an object (a view, a cell) with the datum as a field."""
    if isinstance(value, str):
        return value == DATUM
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(getattr(value, f.name, None) == DATUM for f in dataclasses.fields(value))
    return False


def main() -> int:
    from reporting.pipeline import build
    from reporting.schema import load_schema

    from conftest import write_input

    schema = load_schema()  # the schema lists "Regional" too: load it before tracing

    calls: list[tuple[str, str]] = []

    def profile(frame, event, arg):
        if event != "call":
            return
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("reporting"):
            return
        code = frame.f_code
        arguments = [frame.f_locals.get(name) for name in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]]
        if any(holds(a) for a in arguments):
            calls.append((module, code.co_qualname))

    with tempfile.TemporaryDirectory() as work:
        source = write_input(
            Path(work, "one.xlsx"),
            {
                "Engagement Activities": [
                    {
                        "Description": "Open day",
                        "Form Of Engagement Activity": "A talk or presentation",
                        "Part Of Official Scheme?": "No",
                        "Geographic Reach": DATUM,
                        "Primary Audience": "Schools",
                        "Year(s) Of Engagement Activity": "2019",
                        "Results and Impact": "Many came.",
                    }
                ]
            },
        )
        sys.setprofile(profile)
        try:
            result = build([source], Path(work, "out"), schema=schema, processes=1)
        finally:
            sys.setprofile(None)
        assert result.outputs, result.findings.summary()

    changes = sum(1 for a, b in zip(calls, calls[1:]) if a[0] != b[0])
    print(
        f'"{DATUM}" (Geographic Reach) from the workbook to the return: {len(calls)} calls, {changes} changes of module'
    )
    rendering = False
    backwards = []
    for module, name in calls:
        rendering = rendering or module in RENDERERS
        if rendering and module in VIEW_BUILDERS:
            backwards.append(f"{module}.{name}")
        print(f"  {module}.{name}")
    if backwards:
        print(f"Calls back into the view builder after rendering began: {backwards}")
        return 1
    print("One way: no call from a renderer back into the view builder.")
    return web_hops()


def web_hops() -> int:
    """Follow the page's build form to the Request: every call of the page's code (reporting.web)
    handed the form itself, from the view that received it to the Request made."""
    from werkzeug.datastructures import ImmutableMultiDict

    from reporting.request import Request
    from reporting.web import work

    form = ImmutableMultiDict({"year": "2019", "public": "1"})
    hops: list[str] = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_globals.get("__name__", "").startswith("reporting.web"):
            code = frame.f_code
            names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
            if any(frame.f_locals.get(name) is form for name in names):
                hops.append(f"{frame.f_globals['__name__']}.{code.co_qualname}")

    with tempfile.TemporaryDirectory() as work_dir:
        sys.setprofile(profile)
        try:
            request = work.build_request([], work_dir, form, pdf_available=False)
        finally:
            sys.setprofile(None)
    assert isinstance(request, Request) and request.period is not None and request.public
    print(f"The page's build form to the Request: {len(hops)} hop{'s' if len(hops) != 1 else ''} ({', '.join(hops)})")
    return 0 if len(hops) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
