"""The `pia-graph` command line: a thin layer over the pipeline packages.

Each command group lives in its own module and registers itself on ``app``.
"""

from __future__ import annotations

from pia_graph.cli import (  # noqa: F401  (imported for their command registrations)
    export_cmd,
    extract_cmd,
    graph_cmd,
    query_cmd,
    remote_cmd,
    validate_cmd,
)
from pia_graph.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
