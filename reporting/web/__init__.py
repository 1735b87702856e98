"""`funder-report serve`: a web page on which the people who fill in the workbooks check,
fix and build them (see app.py). Imported only by the serve command: the rest of the package
never loads Flask."""

from .app import Settings, create_app, is_loopback, serve

__all__ = ["Settings", "create_app", "is_loopback", "serve"]
