"""A worker for ingest's process pool that dies on one input, as a crashing extractor would."""

from __future__ import annotations

import os


def crash_on_marked(path_text: str, sha: str) -> tuple[str, str, str | None, str | None, None]:
    if path_text.endswith("crash.txt"):
        os._exit(3)  # no exception, no cleanup: the process is simply gone
    return path_text, f"https://example.org/{sha}", f"<https://example.org/{sha}> <https://example.org/p> 1 .", None, None
