"""`python -m reporting` runs the funder-report command line."""

from .cli import main

main()
