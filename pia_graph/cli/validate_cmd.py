"""Commands of this group register on the shared app."""

from pia_graph.cli.app import app  # noqa: F401
