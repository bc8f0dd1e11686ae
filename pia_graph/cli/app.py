"""The typer application every command module registers on."""

from __future__ import annotations

import typer

from pia_graph import __version__

app = typer.Typer(
    name="pia-graph",
    help="Turn 特定個人情報保護評価書 (My Number PIAs) into a queryable, validated knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pia-graph {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """pia-graph command line."""
