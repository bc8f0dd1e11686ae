"""Remote SPARQL servers: query one as a ``SparqlSource``, push the store's named graphs to one.

Query. ``RemoteEndpoint(query_url)`` speaks SPARQL 1.1 Query through SPARQLWrapper (which builds
the protocol request and reads the JSON results); HTTP itself goes through an opener of our own
so that TLS checks, credentials, time-outs and error messages are under our control and no
process-wide state (``urllib.request.install_opener``) is touched. Bound parameters become a
``VALUES`` block at the start of the outermost WHERE group, written from ``term.n3()``
(rdflib's escaping), never from pasted text. Queries see the union of the named graphs, as
they do on the embedded store; an endpoint whose default graph is *not* that union (Oxigraph
started without ``--union-default-graph``, Fuseki without ``unionDefaultGraph``) would answer
every query with nothing, so that is detected and reported instead.

Push. Two protocols, one request per named graph, each replacing that graph whole:
- Graph Store HTTP Protocol: ``PUT <graph-store>?graph=<g>`` with the graph as N-Triples.
- SPARQL 1.1 Update: ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } }`` in ONE request.
  A server that applies one update request as one transaction (Oxigraph does; the tests check
  it by making the last operation of such a request fail) never shows a half-replaced graph.
A push is resumable: after every graph that the server accepted, the graph IRI and the sha256
of the exact bytes sent are recorded in a state file beside the store (rewritten atomically,
at most every ``STATE_SAVE_INTERVAL`` seconds and always when the run ends, fails or is
interrupted). The next run skips graphs whose content is unchanged since that server accepted
them. State is kept per target (protocol + URL), so pushing to a second server starts afresh.

Credentials come only from the environment (``PIA_GRAPH_TOKEN`` → Bearer;
``PIA_GRAPH_USER`` + ``PIA_GRAPH_PASSWORD`` → Basic) or from ``~/.netrc`` (``$NETRC``
overrides the path; the machine entry must match the URL's host name). A URL carrying
``user:password@`` is refused, so secrets never sit on a command line. Secrets are never
written to logs or messages: URLs are shown without user-info and server messages are
scrubbed of the secret before they are shown. The Authorization header is not forwarded on
redirects. HTTPS certificates are checked unless ``verify_tls=False`` (``--insecure``).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import netrc
import os
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Identifier
from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.Wrapper import QueryResult

from pia_graph import __version__, vocab
from pia_graph.errors import QueryError, RemoteError
from pia_graph.fileio import write_text_atomic
from pia_graph.store.sparql_text import VARIABLE_NAME, outer_group_start

log = logging.getLogger(__name__)

ENV_USER = "PIA_GRAPH_USER"
ENV_PASSWORD = "PIA_GRAPH_PASSWORD"
ENV_TOKEN = "PIA_GRAPH_TOKEN"
DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 2
STATE_SAVE_INTERVAL = 2.0
MAX_CONSECUTIVE_REFUSALS = 10
USER_AGENT = f"pia-graph/{__version__}"
_SERVER_MESSAGE_CHARS = 300
_RETRY_STATUSES = {502, 503, 504}
# Refusals that concern one graph's content (the next graph may well be accepted).
_PER_GRAPH_STATUSES = {400, 413, 415, 422}
_UPDATE_WORDS = re.compile(
    r"(?<![\w?$:])(INSERT|DELETE|DROP|CLEAR|LOAD|CREATE|COPY|MOVE|ADD|WITH)(?![\w:])", re.IGNORECASE
)


# --- errors ----------------------------------------------------------------------------------
class RemoteRequestError(RemoteError):
    """One HTTP exchange failed: ``status`` is the HTTP status (None when no answer came)."""

    def __init__(self, message: str, *, status: int | None = None, server_message: str = "",
                 retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.server_message = server_message
        self.retryable = retryable


class RemoteQueryError(RemoteRequestError, QueryError):
    """A query the endpoint refused or could not answer (both a RemoteError and a QueryError)."""


# --- URLs and credentials --------------------------------------------------------------------
def redact_url(url: str) -> str:
    """The URL without any ``user:password@`` part (safe to print)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))


def check_url(url: str, what: str = "endpoint") -> str:
    """Accept an absolute http(s) URL without credentials; raise RemoteError otherwise."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError as error:
        raise RemoteError(f"{what} URL {redact_url(url)}: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RemoteError(f"{what} URL {redact_url(url)}: expected an absolute http:// or https:// URL")
    if "@" in parts.netloc:
        raise RemoteError(
            f"{what} URL {redact_url(url)}: credentials in the URL are refused; set {ENV_USER} and "
            f"{ENV_PASSWORD} (or {ENV_TOKEN}) in the environment, or use ~/.netrc"
        )
    return url


@dataclass(frozen=True)
class Credentials:
    """HTTP credentials; the secret never appears in ``repr`` or messages."""

    scheme: str  # "Basic" or "Bearer"
    origin: str  # where they came from, for messages: "environment" or the netrc path
    user: str | None = None
    secret: str = field(default="", repr=False)

    def header(self) -> str:
        if self.scheme == "Bearer":
            return f"Bearer {self.secret}"
        token = base64.b64encode(f"{self.user}:{self.secret}".encode()).decode("ascii")
        return f"Basic {token}"

    def scrub(self, text: str) -> str:
        """``text`` with the secret (plain or inside the header value) replaced by ``***``."""
        for secret in {self.secret, self.header().split(" ", 1)[1]}:
            if secret:
                text = text.replace(secret, "***")
        return text


def resolve_credentials(url: str, environ: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials for ``url``: the environment first, then the netrc entry for its host."""
    env = os.environ if environ is None else environ
    if env.get(ENV_TOKEN):
        return Credentials("Bearer", "environment", secret=env[ENV_TOKEN])
    user, password = env.get(ENV_USER), env.get(ENV_PASSWORD)
    if user and password is not None:
        return Credentials("Basic", "environment", user=user, secret=password)
    if user or password:
        raise RemoteError(f"set both {ENV_USER} and {ENV_PASSWORD} (only one of them is set)")
    host = urllib.parse.urlsplit(url).hostname
    path = Path(env.get("NETRC") or Path(env.get("HOME") or Path.home()) / ".netrc")
    if not host or not path.is_file():
        return None
    if os.name == "posix" and path.stat().st_mode & 0o077:
        # The same rule as ssh and Python's own netrc check: a password file others can read is refused.
        raise RemoteError(f"{path}: other users can read this password file; run `chmod 600 {path}`")
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as error:
        # The parser's message can quote a token of the file (possibly a password): leave it out.
        raise RemoteError(f"{path}: cannot read it (line {error.lineno}); fix the file or use "
                          f"{ENV_USER}/{ENV_PASSWORD}") from None
    except OSError as error:
        raise RemoteError(f"{path}: cannot read it: {error.strerror}") from None
    if entry is None:
        return None
    login, _account, password = entry
    if not password:
        return None
    return Credentials("Basic", str(path), user=login or "", secret=password)


# --- HTTP --------------------------------------------------------------------------------------
class _NoAuthOnRedirect(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but never carry credentials to the redirect target."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            for name in list(new.headers):
                if name.lower() == "authorization":
                    del new.headers[name]
        return new


def _short_server_message(body: bytes, credentials: Credentials | None) -> str:
    text = body.decode("utf-8", errors="replace")
    text = re.sub(r"<[^>]+>", " ", text)  # HTML error pages
    text = " ".join(text.split())
    if credentials is not None:
        text = credentials.scrub(text)
    if len(text) > _SERVER_MESSAGE_CHARS:
        text = text[:_SERVER_MESSAGE_CHARS] + "…"
    return text


class HttpClient:
    """Plain HTTP with TLS checks, credentials, bounded retries and clear, secret-free errors."""

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT, verify_tls: bool = True,
                 credentials: Credentials | None = None, retries: int = DEFAULT_RETRIES,
                 backoff: float = 1.0) -> None:
        self.timeout = timeout
        self.verify_tls = verify_tls
        self.credentials = credentials
        self.retries = max(0, retries)
        self.backoff = backoff
        context = ssl.create_default_context()
        if not verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context), _NoAuthOnRedirect()
        )

    def _error(self, request: urllib.request.Request, problem: str, *, status: int | None = None,
                     server_message: str = "", retryable: bool = False,
                     error_class: type[RemoteRequestError] = RemoteRequestError) -> RemoteRequestError:
        where = f"{request.get_method()} {redact_url(request.full_url.split('?', 1)[0])}"
        message = f"{where}: {problem}"
        if server_message:
            message += f": {server_message}"
        if self.credentials is not None:
            message = self.credentials.scrub(message)
        return error_class(message, status=status, server_message=server_message, retryable=retryable)

    def open(self, request: urllib.request.Request, timeout: float | None = None,
             error_class: type[RemoteRequestError] = RemoteRequestError) -> http.client.HTTPResponse:
        """Send ``request``; the open response on 2xx, else a RemoteRequestError (after retries)."""
        for name in [name for name in request.headers if name.lower() == "authorization"]:
            del request.headers[name]  # only ever our own credentials, never redirected
        if self.credentials is not None:
            request.add_unredirected_header("Authorization", self.credentials.header())
        if not request.has_header("User-agent"):
            request.add_header("User-Agent", USER_AGENT)
        limit = self.timeout if timeout is None else timeout
        attempt = 0
        while True:
            try:
                return self._open_once(request, limit, error_class)
            except RemoteRequestError as error:
                if not error.retryable or attempt >= self.retries:
                    raise
                attempt += 1
                log.info("%s; retrying (%d of %d)", error, attempt, self.retries)
                time.sleep(self.backoff * attempt)

    def _open_once(self, request: urllib.request.Request, limit: float,
                   error_class: type[RemoteRequestError]) -> http.client.HTTPResponse:
        log.debug("%s %s", request.get_method(), redact_url(request.full_url.split("?", 1)[0]))
        try:
            return self._opener.open(request, timeout=limit)
        except urllib.error.HTTPError as error:
            try:
                body = error.read()
            except (OSError, http.client.HTTPException):
                body = b""
            finally:
                error.close()
            status = error.code
            problem = f"HTTP {status} {http.client.responses.get(status, '')}".rstrip()
            if status in (401, 403):
                problem += (" (credentials missing or not accepted: set "
                            f"{ENV_USER}/{ENV_PASSWORD} or {ENV_TOKEN}, or add the host to ~/.netrc)"
                            if self.credentials is None else
                            f" (credentials from {self.credentials.origin} not accepted)")
            raise self._error(request, problem, status=status,
                                    server_message=_short_server_message(body, self.credentials),
                                    retryable=status in _RETRY_STATUSES, error_class=error_class) from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, ssl.SSLCertVerificationError):
                problem = (f"TLS certificate not trusted ({reason.verify_message}); install the CA "
                           "(SSL_CERT_FILE) or, on a network you trust, pass --insecure")
                raise self._error(request, problem, error_class=error_class) from None
            if isinstance(reason, TimeoutError):
                raise self._error(request, f"no answer within {limit:g} s", retryable=True,
                                        error_class=error_class) from None
            text = getattr(reason, "strerror", None) or str(reason)
            raise self._error(request, f"cannot connect: {text}", retryable=True,
                                    error_class=error_class) from None
        except TimeoutError:
            raise self._error(request, f"no answer within {limit:g} s", retryable=True,
                                    error_class=error_class) from None
        except (ConnectionError, http.client.HTTPException) as error:
            problem = f"connection lost ({type(error).__name__}: {error})".replace(": )", ")")
            raise self._error(request, problem, retryable=True, error_class=error_class) from None

    def send(self, method: str, url: str, *, data: bytes | None = None,
             headers: Mapping[str, str] | None = None, timeout: float | None = None) -> tuple[int, bytes]:
        """One request whose answer is read whole: (status, body)."""
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        limit = self.timeout if timeout is None else timeout
        response = self.open(request, timeout=limit)
        try:
            body = response.read()
        except TimeoutError:
            raise self._error(request, f"no answer within {limit:g} s") from None
        except (OSError, http.client.HTTPException) as error:
            raise self._error(request, f"connection lost while reading the answer ({error})") from None
        finally:
            response.close()
        return response.status, body


# --- SPARQL text -------------------------------------------------------------------------------
def _mask_literals(sparql: str) -> str:
    """The text with comments, strings and IRIs blanked out (same length), for keyword checks."""
    out = []
    index = 0
    length = len(sparql)
    while index < length:
        char = sparql[index]
        if char == "#":
            end = sparql.find("\n", index)
            end = length if end == -1 else end
        elif char in "\"'":
            if sparql.startswith(char * 3, index):
                end = index + 3
                while end < length and not sparql.startswith(char * 3, end):
                    end += 2 if sparql[end] == "\\" else 1
                end = min(length, end + 3)
            else:
                end = index + 1
                while end < length and sparql[end] != char:
                    end += 2 if sparql[end] == "\\" else 1
                end = min(length, end + 1)
        elif char == "<":
            iri = re.match(r"<[^<>\"{}|^`\\\s]*>", sparql[index:])
            end = index + (iri.end() if iri else 1)
            if not iri:
                out.append(char)
                index = end
                continue
        else:
            out.append(char)
            index += 1
            continue
        out.append(" " * (end - index))
        index = end
    return "".join(out)


def refuse_updates(sparql: str) -> None:
    """Raise QueryError when the text contains a SPARQL Update operation (reads only here)."""
    match = _UPDATE_WORDS.search(_mask_literals(sparql))
    if match:
        raise QueryError(f"refused: {match.group(1).upper()} is a SPARQL Update operation; "
                         "this command only reads (push the store with `pia-graph push` instead)")


def term_n3(term: Identifier) -> str:
    """A bindable RDF term in SPARQL syntax, escaped by rdflib (URIs are checked for validity)."""
    if isinstance(term, BNode):
        raise QueryError("a blank node cannot be bound as a query parameter")
    if not isinstance(term, (URIRef, Literal)):
        raise QueryError(f"cannot bind {type(term).__name__}: not an RDF term")
    try:
        return term.n3()
    except Exception as error:  # rdflib raises a bare Exception for IRIs it cannot write
        raise QueryError(f"cannot bind {str(term)[:80]!r}: {error}".split("\n")[0]) from None


def bind_values(sparql: str, bindings: Mapping[str, Identifier] | None) -> str:
    """Prepend one ``VALUES (?a ?b) { (t1 t2) }`` block to the outermost WHERE group."""
    if not bindings:
        return sparql
    names = list(bindings)
    for name in names:
        if not VARIABLE_NAME.match(name):
            raise QueryError(f"not a SPARQL variable name: {name!r}")
    terms = " ".join(term_n3(bindings[name]) for name in names)
    block = f"VALUES ({' '.join('?' + name for name in names)}) {{ ({terms}) }}"
    brace = outer_group_start(sparql)
    return f"{sparql[: brace + 1]} {block}\n{sparql[brace + 1 :]}"


def json_term(value: Mapping[str, str]) -> Identifier:
    """One SPARQL-JSON RDF term → rdflib term."""
    kind = value.get("type")
    text = value.get("value", "")
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):  # "typed-literal": Virtuoso's pre-standard form
        language = value.get("xml:lang")
        if language:
            return Literal(text, lang=language)
        datatype = value.get("datatype")
        if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
            return Literal(text, datatype=URIRef(datatype))
        return Literal(text)
    raise QueryError(f"the endpoint returned an RDF term of unsupported type {kind!r}")


# --- the query endpoint ------------------------------------------------------------------------
class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper with the HTTP exchange done by our client (TLS, credentials, errors)."""

    def __init__(self, endpoint: str, client: HttpClient, timeout: float) -> None:
        super().__init__(endpoint, agent=USER_AGENT)
        self._client = client
        self._limit = timeout
        self.setMethod(POST)
        self.setRequestMethod(URLENCODED)

    def _query(self) -> tuple[Any, str]:
        request = self._createRequest()
        return self._client.open(request, timeout=self._limit, error_class=RemoteQueryError), self.returnFormat


class RemoteEndpoint:
    """A SPARQL 1.1 query endpoint as a ``SparqlSource`` (read-only)."""

    #: graphs per page when listing assessment graphs (servers cap result sizes, e.g. Virtuoso 10000)
    page_size = 5000

    def __init__(self, query_url: str, *, timeout: float = DEFAULT_TIMEOUT, verify_tls: bool = True,
                 retries: int = DEFAULT_RETRIES, credentials: Credentials | None = None,
                 check_union: bool = True) -> None:
        self.query_url = check_url(query_url, "query endpoint")
        self.timeout = timeout
        if not verify_tls:
            log.warning("TLS certificate checks are off for %s", redact_url(query_url))
        self.client = HttpClient(timeout=timeout, verify_tls=verify_tls, retries=retries,
                                 credentials=credentials if credentials is not None
                                 else resolve_credentials(query_url))
        self._union_checked = not check_union

    def __repr__(self) -> str:
        return f"RemoteEndpoint({redact_url(self.query_url)!r})"

    # --- protocol requests ---------------------------------------------------------------------
    def _result(self, sparql: str, return_format: str, timeout: float | None) -> QueryResult:
        wrapper = _Wrapper(self.query_url, self.client, self.timeout if timeout is None else timeout)
        wrapper.setQuery(sparql)
        wrapper.setReturnFormat(return_format)
        return wrapper.query()

    def _json(self, sparql: str, timeout: float | None) -> dict[str, Any]:
        result = self._result(sparql, JSON, timeout)
        try:
            body = result.response.read()
            data = json.loads(body.decode("utf-8"))
        except (ValueError, OSError, http.client.HTTPException) as error:
            raise RemoteQueryError(f"{redact_url(self.query_url)}: the answer is not SPARQL JSON "
                                   f"results ({error})") from None
        finally:
            result.response.close()
        if not isinstance(data, dict):
            raise RemoteQueryError(f"{redact_url(self.query_url)}: the answer is not SPARQL JSON results")
        self._check_not_truncated(result, data)
        return data

    def _check_not_truncated(self, result: QueryResult, data: dict[str, Any]) -> None:
        # Virtuoso cuts results at ResultSetMaxRows and says so only in this header.
        cap = result.info().get("x-sparql-maxrows")
        rows = len(data.get("results", {}).get("bindings", []))
        if cap and cap.strip().isdigit() and rows >= int(cap):
            raise RemoteQueryError(
                f"{redact_url(self.query_url)}: the server cut the result at {cap} rows "
                "(Virtuoso ResultSetMaxRows); add LIMIT/OFFSET or raise the server's limit"
            )

    def _ask(self, sparql: str, timeout: float | None = None) -> bool:
        data = self._json(sparql, timeout)
        return bool(data.get("boolean"))

    def _ensure_union_default_graph(self) -> None:
        if self._union_checked:
            return
        prefix = f"PREFIX pia: <{vocab.PIA}>\n"
        in_default = self._ask(prefix + "ASK { ?a a pia:Assessment }")
        if not in_default and self._ask(prefix + "ASK { GRAPH ?g { ?a a pia:Assessment } }"):
            raise RemoteError(
                f"{redact_url(self.query_url)}: the assessments are in named graphs but queries on "
                "the default graph do not see them; serve the union of the named graphs as the "
                "default graph (Oxigraph: `oxigraph serve --union-default-graph`; Fuseki: "
                "tdb2:unionDefaultGraph true)"
            )
        self._union_checked = True

    # --- SparqlSource ----------------------------------------------------------------------------
    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None,
               timeout: float | None = None) -> list[dict[str, Identifier]]:
        refuse_updates(sparql)
        text = bind_values(sparql, bindings)
        self._ensure_union_default_graph()
        data = self._json(text, timeout)
        if "results" not in data:
            raise QueryError("only SELECT queries are supported here (got an ASK answer)")
        rows = []
        for binding in data["results"].get("bindings", []):
            rows.append({name: json_term(value) for name, value in binding.items()})
        return rows

    def assessment_graphs(self) -> list[URIRef]:
        graphs: list[URIRef] = []
        last: URIRef | None = None
        while True:
            after = f"FILTER (STR(?g) > {Literal(str(last)).n3()})" if last is not None else ""
            sparql = (f"PREFIX pia: <{vocab.PIA}>\nSELECT DISTINCT ?g WHERE {{ "
                      f"GRAPH ?g {{ ?a a pia:Assessment }} {after} }} ORDER BY STR(?g) LIMIT {self.page_size}")
            page = [json_term(b["g"]) for b in self._json(sparql, None)["results"]["bindings"]]
            graphs.extend(g for g in page if isinstance(g, URIRef) and g != vocab.ONTOLOGY_GRAPH)
            if len(page) < self.page_size:
                return sorted(set(graphs))
            last = URIRef(str(page[-1]))

    def graph(self, iri: URIRef | str) -> Graph:
        name = term_n3(URIRef(str(iri)))
        sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}"
        result = self._result(sparql, TURTLE, None)
        try:
            body = result.response.read()
        except (OSError, http.client.HTTPException) as error:
            raise RemoteQueryError(f"{redact_url(self.query_url)}: connection lost ({error})") from None
        finally:
            result.response.close()
        graph = Graph()
        for prefix, namespace in vocab.PREFIXES.items():
            graph.bind(prefix, namespace)
        content_type = (result.info().get("content-type") or "text/turtle").split(";")[0].strip()
        rdf_format = {"application/n-triples": "nt", "application/rdf+xml": "xml",
                      "application/ld+json": "json-ld"}.get(content_type, "turtle")
        try:
            graph.parse(data=body, format=rdf_format)
        except Exception as error:  # rdflib parsers raise many kinds
            raise RemoteQueryError(f"{redact_url(self.query_url)}: cannot read the graph it returned "
                                   f"({type(error).__name__})") from None
        cap = result.info().get("x-sparql-maxrows")
        if cap and cap.strip().isdigit() and len(graph) >= int(cap):
            raise RemoteQueryError(f"{redact_url(self.query_url)}: the server cut graph <{iri}> at "
                                   f"{cap} triples (Virtuoso ResultSetMaxRows)")
        return graph


# --- push ------------------------------------------------------------------------------------------
@dataclass
class PushReport:
    target: str
    protocol: str
    total: int = 0
    pushed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (graph, message)
    pruned: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # pushed earlier, gone from the store, left there
    aborted: str | None = None  # why the run stopped early
    seconds: float = 0.0
    bytes_sent: int = 0

    @property
    def not_attempted(self) -> int:
        return self.total - len(self.pushed) - len(self.unchanged) - len(self.failed)

    @property
    def ok(self) -> bool:
        return not self.failed and self.aborted is None


def default_state_path(store_dir: str | Path) -> Path:
    """The push state file beside a store directory: ``<dir>.push-state.json``."""
    path = Path(store_dir)
    return path.with_name(path.name + ".push-state.json")


class PushState:
    """What each target has accepted: {target: {graph IRI: sha256 of the bytes sent}}."""

    version = 1

    def __init__(self, path: Path | None, target: str) -> None:
        self.path = path
        self.target = target
        self._all: dict[str, dict[str, str]] = {}
        self._dirty = False
        self._saved_at = time.monotonic()
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") == self.version and isinstance(data.get("targets"), dict):
                    self._all = data["targets"]
            except (ValueError, OSError) as error:
                log.warning("%s: unreadable push state (%s); pushing everything", path, error)
        self.accepted: dict[str, str] = self._all.setdefault(target, {})

    def mark(self, graph: str, digest: str) -> None:
        self.accepted[graph] = digest
        self._dirty = True
        if time.monotonic() - self._saved_at >= STATE_SAVE_INTERVAL:
            self.save()

    def forget(self, graph: str) -> None:
        if self.accepted.pop(graph, None) is not None:
            self._dirty = True

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        write_text_atomic(self.path, json.dumps({"version": self.version, "targets": self._all},
                                                ensure_ascii=False, sort_keys=True))
        self._dirty = False
        self._saved_at = time.monotonic()


def _source_graphs(source: Any) -> list[URIRef]:
    """Every named graph to push: the assessments and, when present, the ontology graph."""
    names = getattr(source, "named_graphs", None)
    if callable(names):
        return [URIRef(str(g)) for g in names()]
    graphs = list(source.assessment_graphs())
    if len(source.graph(vocab.ONTOLOGY_GRAPH)):
        graphs.append(vocab.ONTOLOGY_GRAPH)
    return graphs


def graph_ntriples(source: Any, iri: URIRef) -> bytes:
    """One named graph as sorted N-Triples bytes (deterministic, so its hash means its content)."""
    oxigraph_store = getattr(source, "oxigraph", None)
    if oxigraph_store is not None:
        # The embedded store: dump straight from pyoxigraph (its blank node ids are stable).
        import pyoxigraph as ox

        lines = oxigraph_store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(iri))).splitlines()
    else:
        graph = source.graph(iri)
        if any(isinstance(term, BNode) for triple in graph for term in triple):
            graph = to_canonical_graph(graph)  # stable blank node labels → stable hash
        lines = graph.serialize(format="nt", encoding="utf-8").splitlines()
    lines = sorted(line for line in lines if line.strip())
    return b"\n".join(lines) + (b"\n" if lines else b"")


#: called after each graph with (graph IRI, "pushed" | "unchanged" | "failed")
ProgressCallback = Callable[[str, str], None]


def _push(source: Any, target_url: str, protocol: str, send: Callable[[URIRef, bytes], None],
          drop: Callable[[URIRef], None], *, state_path: Path | None, full: bool, prune: bool,
          progress: ProgressCallback | None, graphs: Iterable[URIRef] | None,
          on_total: Callable[[int], None] | None, parallel: int = 1) -> PushReport:
    """Send every changed graph; ``parallel`` requests in flight at most (graphs are independent)."""
    started = time.monotonic()
    target = f"{protocol} {redact_url(target_url)}"
    state = PushState(state_path, target)
    selected = list(graphs) if graphs is not None else _source_graphs(source)
    report = PushReport(target=redact_url(target_url), protocol=protocol, total=len(selected))
    if on_total:
        on_total(len(selected))
    refusals_in_a_row = 0
    in_flight: dict[Future[None], tuple[URIRef, str, int]] = {}

    def settle(future: Future[None]) -> None:
        nonlocal refusals_in_a_row
        iri, digest, size = in_flight.pop(future)
        error = future.exception()
        if error is None:
            refusals_in_a_row = 0
            state.mark(str(iri), digest)
            report.pushed.append(str(iri))
            report.bytes_sent += size
            if progress:
                progress(str(iri), "pushed")
            return
        if not isinstance(error, RemoteRequestError):
            raise error
        report.failed.append((str(iri), str(error)))
        if progress:
            progress(str(iri), "failed")
        if error.status in _PER_GRAPH_STATUSES:
            refusals_in_a_row += 1
            if refusals_in_a_row >= MAX_CONSECUTIVE_REFUSALS and report.aborted is None:
                report.aborted = f"stopped after {refusals_in_a_row} graphs in a row were refused; last: {error}"
        elif report.aborted is None:
            report.aborted = str(error)

    try:
        with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="pia-push") as pool:
            try:
                for iri in selected:
                    if report.aborted is not None:
                        break
                    body = graph_ntriples(source, iri)
                    digest = hashlib.sha256(body).hexdigest()
                    if not full and state.accepted.get(str(iri)) == digest:
                        report.unchanged.append(str(iri))
                        if progress:
                            progress(str(iri), "unchanged")
                        continue
                    in_flight[pool.submit(send, iri, body)] = (iri, digest, len(body))
                    while len(in_flight) >= max(1, parallel):
                        done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                        for future in done:
                            settle(future)
            finally:
                # requests already sent are waited for and recorded, also after an abort
                while in_flight:
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        settle(future)
        if report.aborted is None:
            current = {str(g) for g in selected}
            for gone in sorted(set(state.accepted) - current) if graphs is None else []:
                if prune:
                    drop(URIRef(gone))
                    state.forget(gone)
                    report.pruned.append(gone)
                else:
                    report.stale.append(gone)
    except RemoteRequestError as error:  # from prune
        report.aborted = str(error)
    finally:
        state._dirty = True
        state.save()
        report.seconds = time.monotonic() - started
    return report


def _with_graph_parameter(url: str, iri: URIRef) -> str:
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{separator}{urllib.parse.urlencode({'graph': str(iri)})}"


def push_graph_store(source: Any, graph_store_url: str, *, state_path: Path | None = None,
                     timeout: float = DEFAULT_TIMEOUT, verify_tls: bool = True, full: bool = False,
                     prune: bool = False, retries: int = DEFAULT_RETRIES,
                     credentials: Credentials | None = None, progress: ProgressCallback | None = None,
                     graphs: Iterable[URIRef] | None = None,
                     on_total: Callable[[int], None] | None = None, parallel: int = 1) -> PushReport:
    """PUT every named graph of ``source`` to a Graph Store HTTP Protocol endpoint (replacing it)."""
    check_url(graph_store_url, "graph store")
    client = HttpClient(timeout=timeout, verify_tls=verify_tls, retries=retries,
                        credentials=credentials if credentials is not None
                        else resolve_credentials(graph_store_url))

    def send(iri: URIRef, body: bytes) -> None:
        client.send("PUT", _with_graph_parameter(graph_store_url, iri), data=body,
                    headers={"Content-Type": "application/n-triples"})

    def drop(iri: URIRef) -> None:
        try:
            client.send("DELETE", _with_graph_parameter(graph_store_url, iri))
        except RemoteRequestError as error:
            if error.status != 404:  # already gone
                raise

    return _push(source, graph_store_url, "graph-store", send, drop, state_path=state_path, full=full,
                 prune=prune, progress=progress, graphs=graphs, on_total=on_total, parallel=parallel)


def update_request(iri: URIRef, ntriples: bytes) -> bytes:
    """The one SPARQL Update request that replaces graph ``iri`` by the given triples.

    ``INSERT DATA`` where it can; with blank nodes, ``INSERT { … } WHERE { }`` (same effect:
    fresh blank nodes, one solution), because Virtuoso refuses blank nodes in ``INSERT DATA``.
    """
    name = term_n3(URIRef(str(iri))).encode("utf-8")
    drop = b"DROP SILENT GRAPH " + name + b" ;\n"
    if b"_:" in ntriples:  # maybe a blank node (or "_:" inside a literal: the form still holds)
        return drop + b"INSERT { GRAPH " + name + b" {\n" + ntriples + b"} } WHERE { }\n"
    return drop + b"INSERT DATA { GRAPH " + name + b" {\n" + ntriples + b"} }\n"


def push_update(source: Any, update_url: str, *, state_path: Path | None = None,
                timeout: float = DEFAULT_TIMEOUT, verify_tls: bool = True, full: bool = False,
                prune: bool = False, retries: int = DEFAULT_RETRIES, credentials: Credentials | None = None,
                progress: ProgressCallback | None = None,
                graphs: Iterable[URIRef] | None = None,
                on_total: Callable[[int], None] | None = None, parallel: int = 1) -> PushReport:
    """Replace every named graph of ``source`` on a SPARQL 1.1 Update endpoint, one request each."""
    check_url(update_url, "update endpoint")
    client = HttpClient(timeout=timeout, verify_tls=verify_tls, retries=retries,
                        credentials=credentials if credentials is not None
                        else resolve_credentials(update_url))

    def post(body: bytes) -> None:
        client.send("POST", update_url, data=body,
                    headers={"Content-Type": "application/sparql-update; charset=UTF-8"})

    def send(iri: URIRef, ntriples: bytes) -> None:
        post(update_request(iri, ntriples))

    def drop(iri: URIRef) -> None:
        post(f"DROP SILENT GRAPH {term_n3(URIRef(str(iri)))}".encode())

    return _push(source, update_url, "update", send, drop, state_path=state_path, full=full,
                 prune=prune, progress=progress, graphs=graphs, on_total=on_total, parallel=parallel)
