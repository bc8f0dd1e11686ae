"""Small pieces every command module shares: error exits, closing sources, expanding directories."""

from __future__ import annotations

import typer

from pia_graph.fileio import expand_directories

__all__ = ["close_source", "expand_directories", "fail"]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr and return the exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def close_source(source: object) -> None:
    """Close a store or endpoint if it has anything to close."""
    close = getattr(source, "close", None)
    if callable(close):
        close()
