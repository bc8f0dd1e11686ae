"""Credentials from the environment and ~/.netrc, through an authenticating proxy in front of Oxigraph.

The password must never show up in stdout, stderr, log records or exception messages, even when
the server refuses it or echoes it back.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from pia_graph.errors import RemoteError
from pia_graph.store import Store
from pia_graph.store.remote import RemoteEndpoint, push_graph_store, push_update, resolve_credentials

from .conftest import OxigraphServer, assessment_iri, cli_env, small_assessment

pytestmark = pytest.mark.server

USER = "auditor"
PASSWORD = "s3cret-パス-%40-never-print"
TOKEN = "tok-0123456789-never-print"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    with Store(path) as store:
        for index in range(3):
            store.replace_graph(assessment_iri(index), small_assessment(index))
    return path


def write_netrc(home: Path, host: str, login: str, password: str) -> Path:
    path = home / ".netrc"
    path.write_text(f"machine {host}\n  login {login}\n  password {password}\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def assert_secret_free(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text and TOKEN not in text
        assert "czNjcmV0" not in text  # base64 of the password's start, as sent in the header


def test_environment_basic_credentials(oxigraph: OxigraphServer, make_proxy, store_path: Path,
                                       clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = make_proxy(oxigraph.base, basic=(USER, PASSWORD))
    with Store(store_path) as store:
        with pytest.raises(RemoteError) as refused:
            RemoteEndpoint(f"{proxy.base}/query").select("SELECT * WHERE { ?s ?p ?o }")
        assert refused.value.status == 401 and "credentials missing" in str(refused.value)
        monkeypatch.setenv("PIA_GRAPH_USER", USER)
        monkeypatch.setenv("PIA_GRAPH_PASSWORD", PASSWORD)
        assert push_update(store, f"{proxy.base}/update").ok
    rows = RemoteEndpoint(f"{proxy.base}/query").select(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(rows[0]["n"]) == oxigraph.quad_count() > 0


def test_environment_token(oxigraph: OxigraphServer, make_proxy, store_path: Path, clean_env: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = make_proxy(oxigraph.base, token=TOKEN)
    monkeypatch.setenv("PIA_GRAPH_TOKEN", TOKEN)
    with Store(store_path) as store:
        assert push_graph_store(store, f"{proxy.base}/store").ok
    assert proxy.behaviour.authorizations[-1] == f"Bearer {TOKEN}"


def test_netrc_credentials_match_the_host(oxigraph: OxigraphServer, make_proxy, store_path: Path,
                                          clean_env: Path) -> None:
    proxy = make_proxy(oxigraph.base, basic=(USER, PASSWORD))
    write_netrc(clean_env, "127.0.0.1", USER, PASSWORD)
    with Store(store_path) as store:
        assert push_graph_store(store, f"{proxy.base}/store").ok
    assert RemoteEndpoint(f"{proxy.base}/query").assessment_graphs() == [assessment_iri(i) for i in range(3)]
    # an entry for another host is not used
    write_netrc(clean_env, "sparql.example.org", USER, PASSWORD)
    assert resolve_credentials(f"{proxy.base}/query") is None


def test_netrc_readable_by_others_is_refused(clean_env: Path) -> None:
    path = write_netrc(clean_env, "127.0.0.1", USER, PASSWORD)
    path.chmod(0o644)
    with pytest.raises(RemoteError, match="chmod 600") as caught:
        resolve_credentials("http://127.0.0.1/sparql")
    assert_secret_free(str(caught.value))


def test_half_set_environment_is_an_error(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIA_GRAPH_USER", USER)
    with pytest.raises(RemoteError, match="set both PIA_GRAPH_USER and PIA_GRAPH_PASSWORD"):
        resolve_credentials("http://127.0.0.1/sparql")


def test_credentials_in_the_url_are_refused_and_not_echoed(clean_env: Path) -> None:
    with pytest.raises(RemoteError) as caught:
        RemoteEndpoint(f"http://{USER}:{PASSWORD}@127.0.0.1:9/query")
    assert "credentials in the URL are refused" in str(caught.value)
    assert "http://***@127.0.0.1:9/query" in str(caught.value)
    assert_secret_free(str(caught.value))


def test_wrong_password_never_printed_even_when_the_server_echoes_it(
        oxigraph: OxigraphServer, make_proxy, store_path: Path, clean_env: Path,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    proxy = make_proxy(oxigraph.base, basic=(USER, "the-right-one"), echo_authorization=True)
    monkeypatch.setenv("PIA_GRAPH_USER", USER)
    monkeypatch.setenv("PIA_GRAPH_PASSWORD", PASSWORD)
    caplog.set_level(logging.DEBUG)
    with Store(store_path) as store:
        report = push_graph_store(store, f"{proxy.base}/store", retries=2)
    assert report.aborted is not None and "HTTP 401" in report.aborted
    assert "credentials from environment not accepted" in report.aborted
    assert "you sent: Basic ***" in report.aborted  # the echoed header is scrubbed
    assert_secret_free(report.aborted, *(message for _, message in report.failed), caplog.text)
    with pytest.raises(RemoteError) as caught:
        RemoteEndpoint(f"{proxy.base}/query").select("SELECT * WHERE { ?s ?p ?o }")
    assert_secret_free(str(caught.value), repr(caught.value), caplog.text)
    assert PASSWORD not in repr(resolve_credentials(f"{proxy.base}/query"))


@pytest.mark.parametrize("source", ["environment", "netrc"])
def test_cli_never_prints_the_password(oxigraph: OxigraphServer, make_proxy, store_path: Path,
                                       clean_env: Path, source: str) -> None:
    good = make_proxy(oxigraph.base, basic=(USER, PASSWORD))
    wrong = make_proxy(oxigraph.base, basic=(USER, "another"), echo_authorization=True)
    if source == "environment":
        env = cli_env(clean_env, PIA_GRAPH_USER=USER, PIA_GRAPH_PASSWORD=PASSWORD)
    else:
        write_netrc(clean_env, "127.0.0.1", USER, PASSWORD)
        env = cli_env(clean_env)
    pia_graph = str(Path(sys.executable).with_name("pia-graph"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([pia_graph, *args], capture_output=True, text=True, timeout=120, env=env)

    ok = run("push", "--store", str(store_path), "--update", f"{good.base}/update")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("pushed 3,")
    refused = run("push", "--store", str(store_path), "--graph-store", f"{wrong.base}/store", "--full")
    assert refused.returncode == 1 and "HTTP 401" in refused.stderr
    in_url = run("push", "--store", str(store_path), "--update", f"http://{USER}:{PASSWORD}@127.0.0.1:9/update")
    assert in_url.returncode == 2 and "credentials in the URL are refused" in in_url.stderr
    for result in (ok, refused, in_url):
        assert_secret_free(result.stdout, result.stderr)


def test_validate_workers_authenticate_on_their_own(oxigraph: OxigraphServer, make_proxy, tmp_path: Path,
                                                    clean_env: Path) -> None:
    """`validate --endpoint -j 2`: each worker process reads the credentials and connects itself;
    a worker without them would report every graph of its batches as an error."""
    from pia_graph.validate.source import BATCH_GRAPHS

    proxy = make_proxy(oxigraph.base, basic=(USER, PASSWORD))
    env = cli_env(clean_env, PIA_GRAPH_USER=USER, PIA_GRAPH_PASSWORD=PASSWORD)
    with Store(tmp_path / "many") as store:
        for index in range(2 * BATCH_GRAPHS + 1):
            store.replace_graph(assessment_iri(index), small_assessment(index))
    pia_graph = str(Path(sys.executable).with_name("pia-graph"))
    pushed = subprocess.run([pia_graph, "push", "--store", str(tmp_path / "many"), "--update", f"{proxy.base}/update"],
                            capture_output=True, text=True, timeout=120, env=env)
    assert pushed.returncode == 0, pushed.stderr
    runs = [subprocess.run([pia_graph, "validate", "--endpoint", f"{proxy.base}/query", "--format", "json", "-j", jobs],
                           capture_output=True, text=True, timeout=300, env=env) for jobs in ("1", "2")]
    for run in runs:
        assert run.returncode in (0, 1), run.stderr
        assert_secret_free(run.stdout, run.stderr)
    one, workers = (json.loads(run.stdout) for run in runs)
    assert len(one["assessments"]) == 2 * BATCH_GRAPHS + 1 and one["errors"] == []
    assert workers == one
