"""Real SPARQL servers and small HTTP proxies on loopback for the remote-endpoint tests.

Every server binds 127.0.0.1 only, every wait loop is bounded, and every process started here
is stopped when its fixture ends.
"""

from __future__ import annotations

import base64
import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from pia_graph import vocab

START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answers(url: str, process: subprocess.Popen | None = None, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
                return
        except urllib.error.HTTPError:
            return  # it answers, even if with an error status
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:g} s")


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def oxigraph_executable() -> str:
    candidate = Path(sys.executable).with_name("oxigraph")
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the `oxigraph` server (PyPI package oxigraph, in the test extras) is not installed: "
                    "run `.venv/bin/pip install -e '.[test]'`")
    return found


@dataclass
class OxigraphServer:
    location: Path
    port: int = field(default_factory=free_port)
    union_default_graph: bool = True
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def store_url(self) -> str:
        return f"{self.base}/store"

    def start(self) -> OxigraphServer:
        command = [oxigraph_executable(), "serve", "--location", str(self.location),
                   "--bind", f"127.0.0.1:{self.port}"]
        if self.union_default_graph:
            command.append("--union-default-graph")
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_until_answers(f"{self.query_url}?query=ASK%7B%7D", self.process)
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            if self.process.stderr is not None:
                self.process.stderr.close()
            self.process = None

    # --- direct reads, independent of the code under test -------------------------------------
    def csv(self, sparql: str) -> list[list[str]]:
        data = urllib.parse.urlencode({"query": sparql}).encode()
        request = urllib.request.Request(self.query_url, data=data, headers={"Accept": "text/csv"})
        with urllib.request.urlopen(request, timeout=30) as response:
            lines = response.read().decode("utf-8").splitlines()
        return [line.split(",") for line in lines[1:]]

    def quad_count(self) -> int:
        return int(self.csv("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0][0])

    def graph_ntriples(self, iri: str) -> Graph:
        request = urllib.request.Request(f"{self.store_url}?{urllib.parse.urlencode({'graph': iri})}",
                                         headers={"Accept": "application/n-triples"})
        graph = Graph()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                graph.parse(data=response.read(), format="nt")
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise
        return graph


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path / "oxigraph-db").start()
    try:
        yield server
    finally:
        server.stop()


# --- small graphs ---------------------------------------------------------------------------------
def assessment_iri(index: int) -> URIRef:
    return vocab.ID[f"assessment/test-{index:04d}"]


def small_assessment(index: int, version: int = 1, triples: int = 20) -> Graph:
    """An assessment-shaped graph: typed, titled, with ``triples`` more statements of ``version``."""
    iri = assessment_iri(index)
    graph = Graph()
    graph.add((iri, RDF.type, vocab.Assessment))
    graph.add((iri, vocab.title, Literal(f"評価書 {index} 版{version}", lang="ja")))
    for n in range(triples):
        graph.add((iri, vocab.PIA[f"p{n}"], Literal(f"値 {index}-{n} v{version} \"引用\" \\ end")))
    return graph


# --- HTTP proxy with faults and authentication -----------------------------------------------------
@dataclass
class ProxyBehaviour:
    upstream: str                                 # e.g. http://127.0.0.1:7878
    fail_after: int | None = None                 # requests forwarded before faults start
    fault: str = "status"                         # "status" (503), "cut" (half body upstream, then drop)
    basic: tuple[str, str] | None = None          # required Basic credentials
    token: str | None = None                      # required Bearer token
    echo_authorization: bool = False              # hostile server: echo the Authorization header in errors
    refuse_graph: str | None = None               # answer 400 to requests about this graph IRI
    requests: int = 0
    authorizations: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(behaviour: ProxyBehaviour) -> type[BaseHTTPRequestHandler]:
    upstream = urllib.parse.urlsplit(behaviour.upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

        def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def _authorised(self) -> bool:
            given = self.headers.get("Authorization", "")
            with behaviour.lock:
                behaviour.authorizations.append(given)
            if behaviour.basic is not None:
                expected = "Basic " + base64.b64encode(":".join(behaviour.basic).encode()).decode()
                return given == expected
            if behaviour.token is not None:
                return given == f"Bearer {behaviour.token}"
            return True

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if not self._authorised():
                text = b"authentication required"
                if behaviour.echo_authorization:
                    text += b"; you sent: " + self.headers.get("Authorization", "").encode()
                self._reply(401, text, {"WWW-Authenticate": 'Basic realm="pia"', "Content-Type": "text/plain"})
                return
            with behaviour.lock:
                behaviour.requests += 1
                number = behaviour.requests
            if behaviour.refuse_graph is not None and (
                    behaviour.refuse_graph in urllib.parse.unquote(self.path)
                    or behaviour.refuse_graph.encode() in body):
                self._reply(400, b"refused graph", {"Content-Type": "text/plain"})
                return
            if behaviour.fail_after is not None and number > behaviour.fail_after:
                if behaviour.fault == "cut":
                    self._cut(body)
                    return
                self._reply(503, b"<html><body><h1>503</h1>maintenance window</body></html>",
                            {"Content-Type": "text/html"})
                return
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
            headers = {name: value for name, value in self.headers.items()
                       if name.lower() not in ("host", "authorization", "connection", "content-length")}
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            keep = {name: value for name, value in response.getheaders()
                    if name.lower() in ("content-type", "x-sparql-maxrows")}
            connection.close()
            self._reply(response.status, data, keep)

        def _cut(self, body: bytes) -> None:
            """Send the request upstream with only half its body, then drop both connections."""
            with socket.create_connection((upstream.hostname, upstream.port), timeout=10) as sock:
                head = [f"{self.command} {self.path} HTTP/1.1", f"Host: {upstream.netloc}",
                        f"Content-Length: {len(body)}", "Connection: close"]
                head += [f"{name}: {value}" for name, value in self.headers.items()
                         if name.lower() in ("content-type",)]
                sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body[: len(body) // 2])
                time.sleep(0.2)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

    return Handler


@dataclass
class Proxy:
    behaviour: ProxyBehaviour
    server: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def make_proxy() -> Iterator[Callable[..., Proxy]]:
    started: list[Proxy] = []

    def make(upstream: str, **options: object) -> Proxy:
        behaviour = ProxyBehaviour(upstream=upstream, **options)  # type: ignore[arg-type]
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(behaviour))
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        proxy = Proxy(behaviour, server, thread)
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        proxy.stop()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No credentials from the developer's environment or ~/.netrc leak into a test."""
    for name in ("PIA_GRAPH_USER", "PIA_GRAPH_PASSWORD", "PIA_GRAPH_TOKEN", "NETRC"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("PIA_GRAPH_USER", "PIA_GRAPH_PASSWORD", "PIA_GRAPH_TOKEN", "NETRC")}
    env["HOME"] = str(home)
    env.update(extra)
    return env


# --- Virtuoso (optional: Debian package virtuoso-opensource) -------------------------------------------
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/vsp
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 120
"""


@dataclass
class VirtuosoServer:
    directory: Path
    max_rows: int = 10000
    sql_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def update_url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def store_url(self) -> str:
        return f"{self.base}/sparql-graph-crud"

    def start(self) -> VirtuosoServer:
        """Start on loopback and grant SPARQL_UPDATE to the anonymous SPARQL user (test only)."""
        server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
        if not server or not isql:
            pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource; "
                        "scripts/install-system-deps.sh tries it)")
        (self.directory / "vsp").mkdir(parents=True, exist_ok=True)
        ini = self.directory / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(dir=self.directory, sql_port=self.sql_port,
                                           http_port=self.http_port, max_rows=self.max_rows))
        self.process = subprocess.Popen([server, "-f", "-c", str(ini)], cwd=self.directory,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until_answers(f"{self.query_url}?query=ASK%7B%7D", self.process, timeout=120)
        except RuntimeError as error:
            self.stop()
            pytest.skip(f"Virtuoso did not start here: {error}")
        grant = subprocess.run([isql, f"127.0.0.1:{self.sql_port}", "dba", "dba",
                                'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                               capture_output=True, text=True, timeout=60)
        if grant.returncode != 0:
            self.stop()
            pytest.fail(f"isql could not grant SPARQL_UPDATE: {grant.stdout[-300:]} {grant.stderr[-300:]}")
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None
