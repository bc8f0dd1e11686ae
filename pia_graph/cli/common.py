"""Small pieces every command module shares: error exits, closing sources, expanding directories."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import typer

from pia_graph.errors import InputError


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr and return the exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def close_source(source: object) -> None:
    """Close a store or endpoint if it has anything to close."""
    close = getattr(source, "close", None)
    if callable(close):
        close()


def expand_directories(paths: Iterable[Path], suffixes: tuple[str, ...]) -> tuple[list[Path], list[InputError]]:
    """Inputs in the order given; a directory adds the files below it with one of ``suffixes``
    (sorted), or is a problem when it holds none. Other paths pass through for their reader to check."""
    files: list[Path] = []
    problems: list[InputError] = []
    for path in paths:
        if path.is_dir():
            found = sorted(child for child in path.rglob("*")
                           if child.suffix.lower() in suffixes and child.is_file())
            if not found:
                problems.append(InputError(path, f"directory holds no {_either(suffixes)} files"))
            files.extend(found)
        else:
            files.append(path)
    return files, problems


def _either(words: tuple[str, ...]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
