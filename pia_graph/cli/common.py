"""Small pieces every command module shares: error exits, closing sources, expanding directories."""

from __future__ import annotations

import re

import typer

from pia_graph.fileio import expand_directories

__all__ = ["PROGRESS_LOG_SECONDS", "close_source", "expand_directories", "fail", "for_terminal"]

# without a terminal (a log, a cron job) there is no live progress: a line this often instead
PROGRESS_LOG_SECONDS = 30.0

# C0 controls other than tab and line feed, DEL, and C1: text read from a hostile document must
# not drive the terminal it is printed on
_TERMINAL_CONTROLS = re.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]")


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr and return the exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def close_source(source: object) -> None:
    """Close a store or endpoint if it has anything to close."""
    close = getattr(source, "close", None)
    if callable(close):
        close()


def for_terminal(text: str) -> str:
    """``text`` without the control characters a terminal would act on (tab and line feed stay)."""
    return _TERMINAL_CONTROLS.sub("", text)
