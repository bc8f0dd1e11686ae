"""Pushing the store to a real Oxigraph server: replace semantics, resume, interruption, atomicity."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from pia_graph.store import Store
from pia_graph.store.remote import default_state_path, push_graph_store, push_update, update_request

from .conftest import OxigraphServer, assessment_iri, small_assessment

pytestmark = pytest.mark.server

GRAPHS = 12
PUSHERS = {"graph-store": (push_graph_store, "store_url"), "update": (push_update, "update_url")}


def build_store(path: Path, version: int = 1, count: int = GRAPHS) -> None:
    with Store(path) as store:
        for index in range(count):
            store.replace_graph(assessment_iri(index), small_assessment(index, version))


def server_matches_store(server: OxigraphServer, store_path: Path) -> None:
    with Store(store_path) as store:
        expected = {iri: store.graph(iri) for iri in store.named_graphs()}
        total = len(store)
    for iri, graph in expected.items():
        assert isomorphic(server.graph_ntriples(str(iri)), graph), iri
    assert server.quad_count() == total


@pytest.mark.parametrize("protocol", sorted(PUSHERS))
def test_push_twice_replaces_instead_of_duplicating(oxigraph: OxigraphServer, tmp_path: Path, protocol: str) -> None:
    push, attribute = PUSHERS[protocol]
    url = getattr(oxigraph, attribute)
    store_path = tmp_path / "store"
    build_store(store_path)
    with Store(store_path) as store:
        first = push(store, url)
        assert first.ok and len(first.pushed) == GRAPHS
        second = push(store, url)  # no state file: everything is sent again
        assert second.ok and len(second.pushed) == GRAPHS
    server_matches_store(oxigraph, store_path)

    build_store(store_path, version=2, count=GRAPHS)  # every graph changes content
    with Store(store_path) as store:
        assert push(store, url).ok
    server_matches_store(oxigraph, store_path)
    stale = oxigraph.csv('SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o FILTER (CONTAINS(STR(?o), " v1 ")) } }')
    assert stale == []


def test_state_file_skips_unchanged_graphs(oxigraph: OxigraphServer, tmp_path: Path) -> None:
    store_path = tmp_path / "store"
    state = default_state_path(store_path)
    assert state == tmp_path / "store.push-state.json"
    build_store(store_path)
    with Store(store_path) as store:
        assert len(push_graph_store(store, oxigraph.store_url, state_path=state).pushed) == GRAPHS
        again = push_graph_store(store, oxigraph.store_url, state_path=state)
        assert (len(again.pushed), len(again.unchanged)) == (0, GRAPHS)
        store.replace_graph(assessment_iri(3), small_assessment(3, version=7))
        changed = push_graph_store(store, oxigraph.store_url, state_path=state)
        assert changed.pushed == [str(assessment_iri(3))] and len(changed.unchanged) == GRAPHS - 1
        # a different target does not inherit what the first one accepted
        other = push_update(store, oxigraph.update_url, state_path=state)
        assert len(other.pushed) == GRAPHS
        forced = push_graph_store(store, oxigraph.store_url, state_path=state, full=True)
        assert len(forced.pushed) == GRAPHS
    recorded = json.loads(state.read_text(encoding="utf-8"))
    assert set(recorded["targets"]) == {f"graph-store {oxigraph.store_url}", f"update {oxigraph.update_url}"}
    server_matches_store(oxigraph, store_path)


def test_prune_removes_graphs_gone_from_the_store(oxigraph: OxigraphServer, tmp_path: Path) -> None:
    store_path = tmp_path / "store"
    state = default_state_path(store_path)
    build_store(store_path, count=4)
    with Store(store_path) as store:
        assert push_update(store, oxigraph.update_url, state_path=state).ok
        store.remove_graph(assessment_iri(2))
        kept = push_update(store, oxigraph.update_url, state_path=state)
        assert kept.stale == [str(assessment_iri(2))] and not kept.pruned
        assert len(oxigraph.graph_ntriples(str(assessment_iri(2)))) > 0
        pruned = push_update(store, oxigraph.update_url, state_path=state, prune=True)
        assert pruned.pruned == [str(assessment_iri(2))]
    assert len(oxigraph.graph_ntriples(str(assessment_iri(2)))) == 0
    server_matches_store(oxigraph, store_path)


@pytest.mark.parametrize("protocol", sorted(PUSHERS))
def test_interrupted_push_leaves_no_half_graph_and_resumes(oxigraph: OxigraphServer, make_proxy,
                                                           tmp_path: Path, protocol: str) -> None:
    """The proxy passes 5 requests, then sends the 6th upstream with half its body and drops it."""
    push, attribute = PUSHERS[protocol]
    path = getattr(oxigraph, attribute).removeprefix(oxigraph.base)
    store_path = tmp_path / "store"
    state = default_state_path(store_path)
    build_store(store_path, version=1)
    with Store(store_path) as store:
        assert push(store, oxigraph.base + path).ok  # the server holds version 1 of everything
    build_store(store_path, version=2)
    proxy = make_proxy(oxigraph.base, fail_after=5, fault="cut")
    with Store(store_path) as store:
        report = push(store, proxy.base + path, state_path=state, retries=1)
    assert not report.ok and len(report.pushed) == 5
    assert report.failed[0][0] == str(assessment_iri(5))
    assert "connection" in report.aborted and report.aborted.startswith(f"{'PUT' if protocol == 'graph-store' else 'POST'} {proxy.base}{path}")
    assert report.not_attempted == GRAPHS - 6
    assert proxy.behaviour.requests == 7  # five good ones, the cut one, one retry: bounded
    # each graph on the server is one whole version: new for the first five, old for the rest
    for index in range(GRAPHS):
        on_server = oxigraph.graph_ntriples(str(assessment_iri(index)))
        expected_version = 2 if index < 5 else 1
        assert isomorphic(on_server, small_assessment(index, expected_version)), index
    recorded = json.loads(state.read_text(encoding="utf-8"))["targets"]
    assert len(next(iter(recorded.values()))) == 5

    proxy.behaviour.fail_after = None  # the network is back
    with Store(store_path) as store:
        resumed = push(store, proxy.base + path, state_path=state)
    assert resumed.ok and len(resumed.unchanged) == 5 and len(resumed.pushed) == GRAPHS - 5
    server_matches_store(oxigraph, store_path)


@pytest.mark.parametrize("protocol", sorted(PUSHERS))
def test_parallel_push_replaces_and_resumes_after_faults(oxigraph: OxigraphServer, make_proxy, tmp_path: Path,
                                                         protocol: str) -> None:
    push, attribute = PUSHERS[protocol]
    path = getattr(oxigraph, attribute).removeprefix(oxigraph.base)
    store_path = tmp_path / "store"
    state = default_state_path(store_path)
    build_store(store_path, version=1)
    with Store(store_path) as store:
        assert len(push(store, oxigraph.base + path, parallel=4).pushed) == GRAPHS
    build_store(store_path, version=2)
    proxy = make_proxy(oxigraph.base, fail_after=5, fault="cut")
    with Store(store_path) as store:
        report = push(store, proxy.base + path, state_path=state, retries=0, parallel=3)
    assert report.aborted is not None and len(report.pushed) == 5
    assert 1 <= len(report.failed) <= 3 and report.not_attempted == GRAPHS - 5 - len(report.failed)
    for index in range(GRAPHS):  # every graph whole: the new version exactly where it was accepted
        version = 2 if str(assessment_iri(index)) in report.pushed else 1
        assert isomorphic(oxigraph.graph_ntriples(str(assessment_iri(index))), small_assessment(index, version))
    proxy.behaviour.fail_after = None
    with Store(store_path) as store:
        resumed = push(store, proxy.base + path, state_path=state, parallel=3)
    assert resumed.ok and len(resumed.unchanged) == 5 and len(resumed.pushed) == GRAPHS - 5
    server_matches_store(oxigraph, store_path)


def test_server_stopped_midway_then_resumed(tmp_path: Path) -> None:
    server = OxigraphServer(tmp_path / "db").start()
    store_path = tmp_path / "store"
    state = default_state_path(store_path)
    build_store(store_path)
    seen: list[str] = []

    def stop_after_four(iri: str, outcome: str) -> None:
        seen.append(outcome)
        if len(seen) == 4:
            server.stop()

    try:
        with Store(store_path) as store:
            report = push_update(store, server.update_url, state_path=state, progress=stop_after_four,
                                 retries=0)
        assert len(report.pushed) == 4 and report.aborted is not None
        assert f"POST {server.update_url}: cannot connect" in report.aborted
        server.start()  # same port, same database directory
        with Store(store_path) as store:
            resumed = push_update(store, server.update_url, state_path=state)
        assert resumed.ok and len(resumed.unchanged) == 4 and len(resumed.pushed) == GRAPHS - 4
        server_matches_store(server, store_path)
    finally:
        server.stop()


def test_one_update_request_is_atomic_on_oxigraph(oxigraph: OxigraphServer, tmp_path: Path) -> None:
    """The documented guarantee: a request that fails in its last operation changes nothing."""
    store_path = tmp_path / "store"
    build_store(store_path, count=1)
    with Store(store_path) as store:
        assert push_update(store, oxigraph.update_url).ok
    iri = assessment_iri(0)
    replacement = small_assessment(0, version=9).serialize(format="nt", encoding="utf-8")
    failing = update_request(iri, replacement) + f"; CREATE GRAPH <{iri}>".encode()  # graph exists: error
    request = urllib.request.Request(oxigraph.update_url, data=failing,
                                     headers={"Content-Type": "application/sparql-update"})
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=30)
    assert isomorphic(oxigraph.graph_ntriples(str(iri)), small_assessment(0, version=1))


def test_graph_store_put_of_a_bad_body_keeps_the_old_graph_on_oxigraph(oxigraph: OxigraphServer,
                                                                       tmp_path: Path) -> None:
    store_path = tmp_path / "store"
    build_store(store_path, count=1)
    with Store(store_path) as store:
        assert push_graph_store(store, oxigraph.store_url).ok
    iri = str(assessment_iri(0))
    body = small_assessment(0, version=9).serialize(format="nt", encoding="utf-8") + b'<urn:bad> <urn:p "oops .\n'
    request = urllib.request.Request(f"{oxigraph.store_url}?graph={iri}", data=body, method="PUT",
                                     headers={"Content-Type": "application/n-triples"})
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=30)
    assert isomorphic(oxigraph.graph_ntriples(iri), small_assessment(0, version=1))


def test_refused_graph_is_counted_and_the_rest_go_on(oxigraph: OxigraphServer, make_proxy,
                                                    tmp_path: Path) -> None:
    """A graph the server refuses (400) is reported as failed; the other graphs are still pushed."""
    store_path = tmp_path / "store"
    build_store(store_path, count=4)
    refused = str(assessment_iri(1))
    proxy = make_proxy(oxigraph.base, refuse_graph=refused)
    with Store(store_path) as store:
        report = push_graph_store(store, f"{proxy.base}/store", state_path=default_state_path(store_path))
    assert report.aborted is None and not report.ok
    assert [iri for iri, _ in report.failed] == [refused]
    assert "HTTP 400 Bad Request: refused graph" in report.failed[0][1]
    assert len(report.pushed) == 3
    assert len(oxigraph.graph_ntriples(refused)) == 0


def test_push_cli_summary_and_exit_codes(oxigraph: OxigraphServer, tmp_path: Path, clean_env: Path) -> None:
    from .conftest import cli_env

    store_path = tmp_path / "store"
    build_store(store_path, count=5)
    command = [str(Path(sys.executable).with_name("pia-graph")), "push", "--store", str(store_path)]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120,
                              env=cli_env(clean_env))

    first = run("--graph-store", oxigraph.store_url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("pushed 5, unchanged (skipped) 0, failed 0 of 5 graphs → "
                                   f"{oxigraph.store_url} (graph-store,")
    second = run("--graph-store", oxigraph.store_url)
    assert second.returncode == 0 and second.stdout.startswith("pushed 0, unchanged (skipped) 5, failed 0")
    both = run("--graph-store", oxigraph.store_url, "--update", oxigraph.update_url)
    assert both.returncode == 2 and "exactly one of" in both.stderr
    down = run("--update", "http://127.0.0.1:9/update", "--retries", "0")
    assert down.returncode == 1
    assert "error: push stopped: POST http://127.0.0.1:9/update: cannot connect" in down.stderr
    assert "run the same command again to resume" in down.stderr
    missing = run("--update", oxigraph.update_url, "--store", str(tmp_path / "nothing-here"))
    assert missing.returncode == 2 and "no store here" in missing.stderr
