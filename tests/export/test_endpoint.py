"""`pia-graph export --endpoint` against a real Oxigraph server on loopback (union default graph)."""

from __future__ import annotations

import csv
import io
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pia_graph.cli import app

from .sample_graphs import sample_graphs

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def endpoint(tmp_path: Path):
    candidate = Path(sys.executable).with_name("oxigraph")
    executable = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if executable is None:
        pytest.fail("the `oxigraph` server (PyPI package oxigraph, in the test extras) is not installed")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([executable, "serve", "--location", str(tmp_path / "db"), "--bind",
                                f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        for iri, graph in sample_graphs():
            body = graph.serialize(format="nt", encoding="utf-8")
            request = urllib.request.Request(f"{base}/store?graph={urllib.parse.quote(str(iri), safe='')}",
                                             data=body, method="PUT",
                                             headers={"Content-Type": "application/n-triples"})
            urllib.request.urlopen(request, timeout=10).read()
        yield f"{base}/query"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_export_from_endpoint_matches_embedded_store(endpoint: str, sample, tmp_path: Path):
    from pia_graph.export.flowgraph import flow_graph
    from pia_graph.export.writers import render

    done = CliRunner().invoke(app, ["export", "--endpoint", endpoint, "-f", "csv"])
    assert done.exit_code == 0, done.output
    remote_rows = list(csv.DictReader(io.StringIO(done.stdout.lstrip("\ufeff"))))
    local_rows = list(csv.DictReader(io.StringIO(render(flow_graph(sample), "csv").decode("utf-8-sig"))))
    assert remote_rows == local_rows and len(remote_rows) == 7
    done = CliRunner().invoke(app, ["analyze", "--endpoint", endpoint, "-f", "json", "--recipient", "年金"])
    assert done.exit_code == 0, done.output
    assert '"bodies": 2' in done.stdout
