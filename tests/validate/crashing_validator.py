"""A validating worker that dies on one input, as a crashing PDF parser would."""

from __future__ import annotations

import os
from pathlib import Path

from pia_graph.validate.files import _validate_in_worker
from pia_graph.validate.report import PortableReport


def crash_on_marked(path: Path, keep_graph: bool) -> PortableReport | str:
    if path.name == "crash.json":
        os._exit(3)  # no exception, no cleanup: the process is simply gone
    return _validate_in_worker(path, keep_graph)
