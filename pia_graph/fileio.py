"""File handling shared by the stages: atomic output (a temporary file in the same directory,
then a rename) and expanding input directories.

A reader (or a crash) never sees a half-written file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from pia_graph.errors import InputError


@contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; rename it over ``path`` on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    binary = "b" in mode
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp creates 0600; a written file should get the mode any other new file would get
        # (or keep the mode of the file it replaces)
        os.fchmod(fd, _mode_for(target))
        with os.fdopen(fd, mode, encoding=None if binary else encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_current_umask()


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_open(path, "w") as handle:
        handle.write(text)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    with atomic_open(path, "wb", encoding=None) as handle:
        handle.write(data)


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
