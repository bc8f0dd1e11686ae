"""`pia-graph validate --endpoint URL` against a real Oxigraph server on loopback."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pia_graph.rdf import ontology_graph, record_to_graph

from .records import invented_record

CLI = Path(sys.executable).parent / "pia-graph"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    candidate = Path(sys.executable).with_name("oxigraph")
    executable = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not executable:
        pytest.fail("the `oxigraph` server (PyPI package oxigraph, test extras) is not installed")
    port = _free_port()
    process = subprocess.Popen([executable, "serve", "--location", str(tmp_path / "db"),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("oxigraph server did not start")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _put(base: str, iri: str, turtle: str) -> None:
    url = f"{base}/store?{urllib.parse.urlencode({'graph': iri})}"
    request = urllib.request.Request(url, data=turtle.encode("utf-8"), method="PUT",
                                     headers={"Content-Type": "text/turtle"})
    urllib.request.urlopen(request, timeout=30).close()


@pytest.mark.server
def test_validate_endpoint(endpoint: str) -> None:
    good_iri, good = record_to_graph(invented_record())
    bad_record = invented_record(methods=["情報提供ネットワークシステム"])
    bad_record["assessment"]["number"] = "9"
    bad_iri, bad = record_to_graph(bad_record)
    _put(endpoint, str(good_iri), good.serialize(format="turtle"))
    _put(endpoint, str(bad_iri), bad.serialize(format="turtle"))
    ontology = ontology_graph()
    _put(endpoint, str(ontology.identifier), ontology.serialize(format="turtle"))
    result = subprocess.run([str(CLI), "validate", "--endpoint", f"{endpoint}/query", "--format", "json"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert sorted(data["assessments"]) == sorted([str(good_iri), str(bad_iri)])
    assert {r["assessment"] for r in data["results"]} == {str(bad_iri)}
    assert any(r["shape"].endswith("LinkageContradictionShape") and r["source"]["first_line"] == 47
               for r in data["results"])


@pytest.mark.server
def test_validate_endpoint_in_worker_processes(endpoint: str) -> None:
    """Each worker opens its own connection to the endpoint; the report is the one process's."""
    from pia_graph.validate.source import BATCH_GRAPHS

    iris = []
    for number in range(2 * BATCH_GRAPHS + 1):
        record = invented_record(methods=[["紙"], ["情報提供ネットワークシステム"], ["電子メール"]][number % 3])
        record["assessment"]["number"] = str(200 + number)
        iri, graph = record_to_graph(record)
        _put(endpoint, str(iri), graph.serialize(format="turtle"))
        iris.append(str(iri))
    runs = [subprocess.run([str(CLI), "validate", "--endpoint", f"{endpoint}/query", "--format", "json", "-j", jobs],
                           capture_output=True, text=True, timeout=300) for jobs in ("1", "2")]
    for run in runs:
        assert run.returncode == 1, run.stderr
    one, workers = (json.loads(run.stdout) for run in runs)
    assert sorted(one["assessments"]) == sorted(iris) and not one["errors"]
    assert one["counts"]["Violation"] > 0 and one["counts"]["Warning"] > 0
    assert workers == one
