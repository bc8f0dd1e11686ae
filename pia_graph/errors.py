"""Errors shared by every stage. The CLI turns them into one-line messages and exit code 2."""

from __future__ import annotations

from pathlib import Path


class PiaError(Exception):
    """Base class: a problem the user can act on, reported without a traceback."""


class InputError(PiaError):
    """An input file that cannot be read as an assessment (names the file and the problem)."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class StoreError(PiaError):
    """The store could not be opened, read or written."""


class QueryError(PiaError):
    """A query could not be parsed, bound or run (including refused updates and time-outs)."""


class RemoteError(PiaError):
    """A remote SPARQL endpoint answered with an error or did not answer in time."""
