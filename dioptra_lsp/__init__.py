"""dioptra-lint: a linter, dry-run executor and language server for Dioptra entry points."""

__version__ = "0.1.0"
