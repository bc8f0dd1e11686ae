"""RemoteEndpoint against a real Oxigraph server: bindings, refusals, errors, paging, TLS."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef, namespace
from rdflib.compare import isomorphic

from pia_graph import vocab
from pia_graph.errors import QueryError, RemoteError
from pia_graph.store import Store
from pia_graph.store.base import SparqlSource
from pia_graph.store.remote import (
    RemoteEndpoint,
    RemoteQueryError,
    bind_values,
    push_graph_store,
    refuse_updates,
)

from .conftest import OxigraphServer, assessment_iri, small_assessment

pytestmark = pytest.mark.server

HOSTILE_VALUES = [
    'x" } ; DROP ALL ; #',
    "x' } ; DROP ALL ; #",
    'a\nb"',
    'end with quote"',
    '"""} DROP ALL {"""',
    "back\\slash } \\\" ; CLEAR ALL",
    "> } ; INSERT DATA { <urn:x> <urn:y> <urn:z> } #",
    "改行\r\nタブ\t終わり",
]


@pytest.fixture
def loaded(oxigraph: OxigraphServer, tmp_path: Path) -> OxigraphServer:
    with Store(tmp_path / "store") as store:
        for index in range(3):
            store.replace_graph(assessment_iri(index), small_assessment(index))
        report = push_graph_store(store, oxigraph.store_url)
    assert report.ok and len(report.pushed) == 3
    return oxigraph


def test_is_a_sparql_source(loaded: OxigraphServer) -> None:
    assert isinstance(RemoteEndpoint(loaded.query_url), SparqlSource)


@pytest.mark.parametrize("hostile", HOSTILE_VALUES)
def test_hostile_literal_is_bound_as_a_value(loaded: OxigraphServer, hostile: str) -> None:
    endpoint = RemoteEndpoint(loaded.query_url)
    before = loaded.quad_count()
    rows = endpoint.select("SELECT ?v WHERE { BIND (?x AS ?v) }", {"x": Literal(hostile)})
    assert rows == [{"v": Literal(hostile)}]
    # the bound value restricts patterns too, and matches nothing here
    assert endpoint.select(f"PREFIX pia: <{vocab.PIA}> SELECT ?a WHERE {{ ?a pia:title ?x }}",
                           {"x": Literal(hostile)}) == []
    assert loaded.quad_count() == before


def test_bindings_restrict_patterns_and_keep_types(loaded: OxigraphServer) -> None:
    endpoint = RemoteEndpoint(loaded.query_url)
    query = f"PREFIX pia: <{vocab.PIA}> SELECT ?t WHERE {{ ?a a pia:Assessment ; pia:title ?t }}"
    rows = endpoint.select(query, {"a": assessment_iri(1)})
    assert rows == [{"t": Literal("評価書 1 版1", lang="ja")}]
    typed = endpoint.select("SELECT ?v ?w WHERE { BIND (?x + 1 AS ?v) BIND (?d AS ?w) }",
                            {"x": Literal(41), "d": Literal(dt.date(2024, 4, 1))})
    assert typed == [{"v": Literal(42), "w": Literal("2024-04-01", datatype=namespace.XSD.date)}]


def test_bad_bindings_are_refused_before_sending(loaded: OxigraphServer) -> None:
    endpoint = RemoteEndpoint(loaded.query_url)
    with pytest.raises(QueryError, match="variable name"):
        endpoint.select("SELECT * WHERE { ?s ?p ?o }", {"s) } DROP ALL {": URIRef("urn:x")})
    with pytest.raises(QueryError, match="blank node"):
        endpoint.select("SELECT * WHERE { ?s ?p ?o }", {"s": BNode()})
    with pytest.raises(QueryError):
        endpoint.select("SELECT * WHERE { ?s ?p ?o }", {"s": URIRef("urn:x> } ; DROP ALL ; <urn:y")})
    assert loaded.quad_count() > 0


def test_values_block_goes_into_the_outer_where_group() -> None:
    text = ("# a comment with { braces }\nPREFIX x: <urn:a#b>\n"
            'SELECT ?v WHERE { ?s ?p "{" . ?s ?p ?v }')
    bound = bind_values(text, {"v": Literal('"}')})
    assert bound.startswith(text[: text.index("WHERE {") + len("WHERE {")])
    assert 'VALUES (?v) { ("\\"}") }' in bound
    assert bound.endswith('?s ?p "{" . ?s ?p ?v }')


@pytest.mark.parametrize("update", [
    "DROP ALL",
    "PREFIX x: <urn:x> CLEAR DEFAULT",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "SELECT * WHERE { ?s ?p ?o } ; DELETE WHERE { ?s ?p ?o }",
    "# comment\nLOAD <http://example.org/x>",
])
def test_updates_are_refused(loaded: OxigraphServer, update: str) -> None:
    before = loaded.quad_count()
    with pytest.raises(QueryError, match="refused"):
        RemoteEndpoint(loaded.query_url).select(update)
    assert loaded.quad_count() == before


def test_update_words_inside_strings_iris_and_names_are_not_refused() -> None:
    refuse_updates('SELECT ?load ?drop WHERE { ?s <urn:drop> "INSERT DATA" ; x:clear ?delete } # DROP ALL')


def test_syntax_error_is_a_query_error_with_status(loaded: OxigraphServer) -> None:
    with pytest.raises(RemoteQueryError) as caught:
        RemoteEndpoint(loaded.query_url).select("SELECT ?s WHERE { ?s ")
    assert caught.value.status == 400
    assert isinstance(caught.value, QueryError) and isinstance(caught.value, RemoteError)
    message = str(caught.value)
    assert message.startswith(f"POST {loaded.query_url}: HTTP 400 Bad Request: ")
    assert "\n" not in message and len(message) < 500


def test_assessment_graphs_pages_through_all(loaded: OxigraphServer) -> None:
    endpoint = RemoteEndpoint(loaded.query_url)
    endpoint.page_size = 2
    assert endpoint.assessment_graphs() == sorted(assessment_iri(i) for i in range(3))


def test_graph_returns_the_named_graph(loaded: OxigraphServer) -> None:
    endpoint = RemoteEndpoint(loaded.query_url)
    assert isomorphic(endpoint.graph(assessment_iri(2)), small_assessment(2))
    assert len(endpoint.graph(URIRef("urn:absent"))) == 0


def test_a_server_without_union_default_graph_is_reported(tmp_path: Path) -> None:
    server = OxigraphServer(tmp_path / "db", union_default_graph=False).start()
    try:
        with Store(tmp_path / "store") as store:
            store.replace_graph(assessment_iri(0), small_assessment(0))
            assert push_graph_store(store, server.store_url).ok
        with pytest.raises(RemoteError, match="union-default-graph"):
            RemoteEndpoint(server.query_url).select("SELECT * WHERE { ?s ?p ?o }")
    finally:
        server.stop()


def test_connection_refused_is_reported(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    endpoint = RemoteEndpoint(f"http://127.0.0.1:{port}/query", retries=0, check_union=False)
    with pytest.raises(RemoteError, match=rf"POST http://127.0.0.1:{port}/query: cannot connect"):
        endpoint.select("SELECT * WHERE { ?s ?p ?o }")


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
                held.append(connection)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/query"
    stop.set()
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    listener.close()


def test_time_out_is_reported(silent_server: str) -> None:
    endpoint = RemoteEndpoint(silent_server, timeout=0.5, retries=1, check_union=False)
    started = time.monotonic()
    with pytest.raises(RemoteError, match=r"no answer within 0.5 s"):
        endpoint.select("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - started < 10  # bounded: one retry, no endless loop


def test_server_error_carries_status_and_short_message(loaded: OxigraphServer, make_proxy) -> None:
    proxy = make_proxy(loaded.base, fail_after=0)
    endpoint = RemoteEndpoint(f"{proxy.base}/query", retries=1, check_union=False)
    endpoint.client.backoff = 0.01
    with pytest.raises(RemoteError) as caught:
        endpoint.select("SELECT * WHERE { ?s ?p ?o }")
    assert caught.value.status == 503
    assert str(caught.value) == f"POST {proxy.base}/query: HTTP 503 Service Unavailable: 503 maintenance window"
    assert proxy.behaviour.requests == 2  # the first try and one retry, then it gives up


# --- TLS ---------------------------------------------------------------------------------------------
def _self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def https_endpoint(tmp_path: Path) -> Iterator[str]:
    cert, key = _self_signed(tmp_path)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "ok"}}]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_tls_certificates_are_checked_by_default(https_endpoint: str) -> None:
    endpoint = RemoteEndpoint(https_endpoint, retries=0, check_union=False)
    with pytest.raises(RemoteError, match="TLS certificate not trusted"):
        endpoint.select("SELECT ?x WHERE { ?x ?p ?o }")


def test_insecure_skips_the_certificate_check(https_endpoint: str) -> None:
    endpoint = RemoteEndpoint(https_endpoint, verify_tls=False, check_union=False)
    assert endpoint.select("SELECT ?x WHERE { ?x ?p ?o }") == [{"x": Literal("ok")}]


def test_push_cli_checks_certificates_unless_insecure(https_endpoint: str, tmp_path: Path, clean_env: Path) -> None:
    import subprocess
    import sys

    from .conftest import cli_env

    with Store(tmp_path / "store") as store:
        store.replace_graph(assessment_iri(0), small_assessment(0))
    command = [str(Path(sys.executable).with_name("pia-graph")), "push", "--store", str(tmp_path / "store"),
               "--graph-store", https_endpoint.replace("/sparql", "/store"), "--retries", "0"]
    checked = subprocess.run(command, capture_output=True, text=True, timeout=120, env=cli_env(clean_env))
    assert checked.returncode == 1 and "TLS certificate not trusted" in checked.stderr
    insecure = subprocess.run([*command, "--insecure"], capture_output=True, text=True, timeout=120,
                              env=cli_env(clean_env))
    assert "warning: --insecure: the server's TLS certificate is not checked" in insecure.stderr
    assert "TLS certificate" not in insecure.stderr.split("warning:", 1)[1].split("\n", 1)[1]
    assert "HTTP 501" in insecure.stderr  # the TLS handshake passed; this test server has no PUT
