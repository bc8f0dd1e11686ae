"""The flow index: what ``trace`` reads of each assessment graph, kept beside the store.

``trace --to 日本年金機構`` needs, for a few recipients, every flow that reaches them and the
holders that pass data on to them. Read from SPARQL that is a scan of every recipient label of
every assessment graph (the labels of a shared resource repeat in each graph that names it) and
a row-by-row conversion of thousands of results, seconds at 10,000 assessments. The index holds
the same facts as small SQLite tables, one set of rows per assessment graph, written by
``pia_graph.store.ingest`` together with the graph:

- ``assessments``: the holder of each assessment (body, 事務, department, source file) and the
  sha256 of its source document;
- ``flows``: each 提供/移転 with its recipient, printed recipient, file, legal text, timing,
  methods and source lines;
- ``labels``: the search keys (``search_key``) of the labels each graph gives an organisation or
  unit (``…/id/org/…``), and ``names`` the same keys once per resource, with a count of the
  graphs that give them.

Rows are derived from the graph's triples (``rows_from_triples``), the same ones the store holds,
whether they come from the ingest workers or are read back from the store (``repair``).

Reading. ``trace`` reads through ``FlowIndex.reader()``: one ``FlowReader`` per trace, inside one
read transaction, which reads the small tables whole (labels, recipients; holders once a trace
has asked for a third of them) and flows by recipient, then their details by row id.

Handoffs. ``handoffs`` holds, for every flow that passes data on to the holder of another
assessment, that assessment (``pia_graph.store.handoffs``): what ``trace`` would otherwise decide
hop by hop from the labels. They depend on every graph, so any write empties the table, and
``refresh_handoffs`` decides them all again at the end of a build (``Store.repair_flow_index``);
until then ``trace`` decides the ones it walks, with the same result.

Freshness. An entry is deleted before its graph is replaced and written after, and the index is
flagged "pending" in between, so a crash leaves it flagged rather than silently stale; a write
whose rows are not given flags it "stale". ``trace`` uses the index only when neither flag is set
(it falls back to SPARQL otherwise); ``Store.repair_flow_index`` (run at the end of every build)
compares every (graph, sha256) of the store with the index (``differences``), indexes what is
missing and clears the flags. A SPARQL Update run through ``Store.select`` that names every graph
it writes is followed like any other write (those graphs' rows are derived again from the store);
one that may write any graph (``GRAPH ?g``, the default graph) discards the index. Tools other than pia-graph that write the store directly are not seen:
run ``pia-graph build --reindex`` after using them.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pia_graph import vocab
from pia_graph.store.handoffs import Holder, passes_on, search_key

INDEX_FILE = "pia-flow-index.sqlite"
SCHEMA_VERSION = "3"   # 3: handoffs
_CHUNK = 500  # SQL parameters per IN (...) list, below SQLite's limit

_PIA = str(vocab.PIA)
_TYPE = str(vocab.RDF.type)
_ASSESSMENT = str(vocab.Assessment)
_NAME = f"{_PIA}name"
_LABEL_PROPERTIES = frozenset({_NAME, str(vocab.RDFS.label), str(vocab.SKOS.prefLabel), str(vocab.SKOS.altLabel)})
_ORG_PREFIX = str(vocab.ID["org/"])
_DESCRIBES = f"{_PIA}describes"
# the properties rows_from_triples reads
_READ = _LABEL_PROPERTIES | {_TYPE, _DESCRIBES} | {f"{_PIA}{name}" for name in (
    "assessedBy", "concernsBusiness", "responsibleDepartment", "sourceDocument", "fileName", "sha256", "hasFile",
    "hasProvision", "hasTransfer", "recipient", "legalBasis", "legalText", "timing", "method", "methodOther",
    "firstLine", "lastLine")}
# what a reader of the stored graphs needs to give rows_from_triples: the triple typing the graph's
# assessment, and every triple of these properties
PROPERTIES_READ = tuple(sorted(_READ - {_TYPE}))
ASSESSMENT_TYPE = (_TYPE, _ASSESSMENT)
_METHOD_LABELS = {str(vocab.method_concept(label)): label for label in vocab.METHOD_CONCEPTS}
_METHOD_ORDER = {label: position for position, label in enumerate(vocab.METHOD_CONCEPTS)}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS assessments (
  graph TEXT PRIMARY KEY, sha256 TEXT NOT NULL, body TEXT, body_name TEXT, business TEXT,
  department TEXT, department_name TEXT, source_file TEXT);
CREATE TABLE IF NOT EXISTS flows (
  flow TEXT NOT NULL, graph TEXT NOT NULL, kind TEXT NOT NULL, recipient TEXT NOT NULL,
  recipient_name TEXT, file_name TEXT, legal_text TEXT, timing TEXT, methods TEXT, lines TEXT);
CREATE INDEX IF NOT EXISTS flows_by_recipient ON flows (recipient);
CREATE INDEX IF NOT EXISTS flows_by_graph ON flows (graph);
CREATE TABLE IF NOT EXISTS labels (graph TEXT NOT NULL, resource TEXT NOT NULL, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS labels_by_graph ON labels (graph);
CREATE INDEX IF NOT EXISTS flows_by_flow ON flows (flow);
CREATE TABLE IF NOT EXISTS names (
  resource TEXT NOT NULL, key TEXT NOT NULL, graphs INTEGER NOT NULL, PRIMARY KEY (resource, key));
CREATE INDEX IF NOT EXISTS names_by_key ON names (key);
CREATE TABLE IF NOT EXISTS recipients (resource TEXT PRIMARY KEY, flows INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS handoffs (
  receiver TEXT NOT NULL, flow TEXT NOT NULL, flow_row INTEGER NOT NULL, sender TEXT NOT NULL, kind TEXT NOT NULL,
  recipient TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS handoffs_by_receiver ON handoffs (receiver);
"""
# meta key "handoffs": the handoffs table follows the other tables (see refresh_handoffs)
_HANDOFFS_CURRENT = "handoffs"
# an assessment's holder as read from ``assessments``, in ``Holder``'s field order
_HOLDER_COLUMNS = "graph, body, body_name, business, department, department_name, source_file"
# meta flags: "pending" while a store write is between ``begin`` and ``commit``; "stale" after a
# write whose index rows were not written (a failed write, a SPARQL Update). "unfollowed" while a
# write that may change any graph runs (``begin_unfollowed``): a repair that finds it cannot trust
# any row. Each makes the index unusable until ``Store.repair_flow_index`` compares it with the
# store again.
_FLAGS = ("pending", "stale", "unfollowed")


def method_label(method: str | None, other: str | None) -> str:
    """A flow's method as trace prints it: the option's label, or その他（…） for free text."""
    if method is not None:
        return _METHOD_LABELS.get(method, method)
    return f"その他（{other}）"


def ordered_methods(labels: Iterable[str]) -> list[str]:
    """Methods in the order of the form's option list, free texts after them (each once)."""
    unique = list(dict.fromkeys(labels))
    return sorted(unique, key=lambda label: (_METHOD_ORDER.get(label, len(_METHOD_ORDER)), label))


def line_range(numbers: Iterable[int]) -> str:
    values = list(numbers)
    if not values:
        return ""
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


@dataclass
class GraphRows:
    """The index rows of one assessment graph."""

    graph: str
    sha256: str
    holder: tuple[str, str, str, str, str, str]   # body, body name, business, department, its name, file
    flows: list[tuple[str, str, str, str, str, str, str, str, str]] = field(default_factory=list)
    labels: list[tuple[str, str]] = field(default_factory=list)    # (resource, search key)


def rows_from_triples(graph: str, triples: Iterable[tuple[str, str, str]]) -> GraphRows:
    """Index rows of the named graph ``graph`` from its triples as (s, p, o) strings (IRIs and
    literal values alike). A graph without a ``pia:Assessment`` named ``graph`` gives labels only.

    Each value is the first the graph gives, as the SPARQL path reads the first row that binds it.
    """
    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    described: dict[str, list[str]] = defaultdict(list)   # flow → spans describing it
    for s, p, o in triples:
        if p not in _READ:
            continue   # most triples (spans' record paths, risk answers, history) are not trace's
        values[s][p].append(o)
        if p == _DESCRIBES:
            described[o].append(s)
    node = values.get(graph, {})
    is_assessment = _ASSESSMENT in node.get(_TYPE, ())

    def first(subject: str | None, prop: str) -> str:
        if not subject or subject not in values:
            return ""
        found = values[subject].get(prop)
        return found[0] if found else ""

    body = first(graph, f"{_PIA}assessedBy")
    business = first(graph, f"{_PIA}concernsBusiness")
    department = first(business, f"{_PIA}responsibleDepartment")
    document = first(graph, f"{_PIA}sourceDocument")
    holder = (body, first(body, _NAME), first(business, _NAME), department, first(department, _NAME),
              first(document, f"{_PIA}fileName"))
    rows = GraphRows(graph=graph, sha256=first(document, f"{_PIA}sha256"), holder=holder)
    for file in node.get(f"{_PIA}hasFile", ()) if is_assessment else ():
        for kind, prop in (("provision", f"{_PIA}hasProvision"), ("transfer", f"{_PIA}hasTransfer")):
            for flow in values.get(file, {}).get(prop, ()):
                recipient = first(flow, f"{_PIA}recipient")
                if not recipient:
                    continue   # unreachable by trace: it follows flows to recipients
                methods = [method_label(m, None) for m in values[flow].get(f"{_PIA}method", ())]
                methods += [method_label(None, m) for m in values[flow].get(f"{_PIA}methodOther", ())]
                lines = [int(number) for span in described.get(flow, ()) if first(span, f"{_PIA}firstLine")
                         for number in (first(span, f"{_PIA}firstLine"), first(span, f"{_PIA}lastLine"))
                         if number.isdigit()]
                rows.flows.append((
                    flow, kind, recipient,
                    first(flow, str(vocab.RDFS.label)) or first(recipient, _NAME),
                    first(file, _NAME),
                    first(first(flow, f"{_PIA}legalBasis"), f"{_PIA}legalText"),
                    first(flow, f"{_PIA}timing"),
                    json.dumps(ordered_methods(methods), ensure_ascii=False),
                    line_range(lines),
                ))
    seen: set[tuple[str, str]] = set()
    for subject, properties in values.items():
        if not subject.startswith(_ORG_PREFIX):
            continue
        for prop in _LABEL_PROPERTIES & properties.keys():
            for label in properties[prop]:
                key = (subject, search_key(label))
                if key[1] and key not in seen:
                    seen.add(key)
                    rows.labels.append(key)
    return rows


class FlowIndex:
    """The SQLite file ``INDEX_FILE`` in a store directory (see the module docstring)."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        if read_only:
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self._db = sqlite3.connect(path, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            version = self._db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            if version is None or version[0] != SCHEMA_VERSION:
                # a new (or outdated) index knows none of the graphs the store may hold already
                self._clear()
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (SCHEMA_VERSION,))
                self._set_flag("stale")
            self._db.commit()

    @classmethod
    def of_store(cls, store_path: Path, *, read_only: bool = False) -> FlowIndex | None:
        """The index of the store in ``store_path``; None when reading and there is none (or it
        cannot be read)."""
        path = store_path / INDEX_FILE
        if read_only:
            if not path.exists():
                return None
            try:
                index = cls(path, read_only=True)
                version = index._db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            except sqlite3.Error:
                return None
            if version is None or version[0] != SCHEMA_VERSION:
                index.close()
                return None
            return index
        return cls(path)

    def close(self) -> None:
        self._db.close()

    def _clear(self) -> None:
        for table in ("assessments", "flows", "labels", "names", "recipients", "handoffs"):
            self._db.execute(f"DELETE FROM {table}")
        self._db.execute("DELETE FROM meta WHERE key = ?", (_HANDOFFS_CURRENT,))

    # --- writing ----------------------------------------------------------------------------
    def begin(self, graphs: Iterable[str]) -> None:
        """Before ``graphs`` are replaced or removed in the store: delete their entries and mark
        the index pending until ``commit``."""
        with self._db:
            self._set_flag("pending")
            self._delete(list(graphs))

    def commit(self, entries: Iterable[GraphRows]) -> None:
        """After the store write: the rows of the graphs just stored; the index is usable again."""
        with self._db:
            self._write(list(entries))
            self._db.execute("DELETE FROM meta WHERE key = 'pending'")

    def begin_unfollowed(self) -> None:
        """Before a store write that may change any graph (a SPARQL Update naming no graph): the
        rows stay, so a write that fails leaves them usable (``end_unfollowed``), but a crash
        before its end makes the next repair start from nothing (``forget_if_unfollowed``)."""
        with self._db:
            self._set_flag("unfollowed")

    def end_unfollowed(self, *, written: bool) -> None:
        """After that write: when it wrote, every row may be wrong (the next repair derives
        them all again from the store); when it failed before writing, the rows still hold."""
        with self._db:
            if written:
                self._discard_rows()
            self._db.execute("DELETE FROM meta WHERE key = 'unfollowed'")

    def forget_if_unfollowed(self) -> None:
        """At the start of a repair: a write that may have changed any graph did not end (a
        crash), so no row can be trusted."""
        with self._db:
            if self._db.execute("SELECT 1 FROM meta WHERE key = 'unfollowed'").fetchone():
                self._discard_rows()
                self._db.execute("DELETE FROM meta WHERE key = 'unfollowed'")

    def mark_stale(self) -> None:
        """The store changed in a way the index did not follow (until the next repair)."""
        with self._db:
            self._set_flag("stale")

    def repaired(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM meta WHERE key IN ('pending', 'stale')")

    def usable(self) -> bool:
        """No write in flight or unfollowed since the last repair (the check trace relies on)."""
        marks = ",".join("?" * len(_FLAGS))
        return self._db.execute(f"SELECT 1 FROM meta WHERE key IN ({marks})", _FLAGS).fetchone() is None

    def _set_flag(self, flag: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (flag,))

    def write(self, entries: Iterable[GraphRows]) -> None:
        """Write (or rewrite) the rows of graphs already in the store (used by the repair)."""
        with self._db:
            self._write(list(entries))

    def discard(self, graphs: Iterable[str]) -> None:
        """Delete the entries of graphs no longer in the store (used by the repair)."""
        with self._db:
            self._delete(list(graphs))

    def _delete(self, graphs: list[str]) -> None:
        # any graph written or removed may change who passes data on to whom, anywhere
        self._db.execute("DELETE FROM meta WHERE key = ?", (_HANDOFFS_CURRENT,))
        self._db.execute("DELETE FROM handoffs")
        for chunk in _chunks(graphs):
            marks = ",".join("?" * len(chunk))
            self._db.executemany("UPDATE names SET graphs = graphs - 1 WHERE resource = ? AND key = ?",
                                 self._db.execute(f"SELECT resource, key FROM labels WHERE graph IN ({marks})",
                                                  chunk).fetchall())
            self._db.executemany("UPDATE recipients SET flows = flows - 1 WHERE resource = ?",
                                 self._db.execute(f"SELECT recipient FROM flows WHERE graph IN ({marks})",
                                                  chunk).fetchall())
            for table in ("assessments", "flows", "labels"):
                self._db.execute(f"DELETE FROM {table} WHERE graph IN ({marks})", chunk)
        self._db.execute("DELETE FROM names WHERE graphs <= 0")
        self._db.execute("DELETE FROM recipients WHERE flows <= 0")

    def _write(self, entries: list[GraphRows]) -> None:
        if not entries:
            return
        self._delete([entry.graph for entry in entries])
        self._db.executemany("INSERT INTO assessments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             [(e.graph, e.sha256, *e.holder) for e in entries])
        self._db.executemany("INSERT INTO flows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             [(flow[0], e.graph, *flow[1:]) for e in entries for flow in e.flows])
        self._db.executemany("INSERT INTO labels VALUES (?, ?, ?)",
                             [(e.graph, resource, key) for e in entries for resource, key in e.labels])
        self._db.executemany(
            "INSERT INTO names VALUES (?, ?, 1) ON CONFLICT (resource, key) DO UPDATE SET graphs = graphs + 1",
            [(resource, key) for e in entries for resource, key in e.labels])
        self._db.executemany(
            "INSERT INTO recipients VALUES (?, 1) ON CONFLICT (resource) DO UPDATE SET flows = flows + 1",
            [(flow[2],) for e in entries for flow in e.flows])

    def discard_all(self) -> None:
        with self._db:
            self._discard_rows()

    def _discard_rows(self) -> None:
        # no row is trusted: the next repair derives every graph's again from the store
        self._clear()
        self._set_flag("stale")

    def refresh_handoffs(self) -> int | None:
        """Decide, for every flow of the index, which other assessments' holders it passes data
        on to (``pia_graph.store.handoffs.passes_on`` over all holders) and keep the answers in
        ``handoffs``, for ``FlowReader.handoffs``. Returns how many there are; None when the
        index is not usable (nothing is computed). Any later write of graphs empties the table.

        Deciding them costs seconds at 50,000 assessments, against ~0.8 s a trace spends deciding
        the ones it walks: so they are refreshed at the end of a build, not after each batch."""
        if not self.usable():
            return None
        if self.handoffs_current():
            (count,) = self._db.execute("SELECT count(*) FROM handoffs").fetchone()
            return int(count)
        holders = {row[0]: Holder(*row) for row in self._db.execute(f"SELECT {_HOLDER_COLUMNS} FROM assessments")}
        flows = {row[0]: row for row in self._db.execute("SELECT flow, graph, kind, recipient, rowid FROM flows")}
        labels = FlowReader(self._db).labels_of({row[3] for row in flows.values()}.union(
            *((holder.body_iri, holder.department_iri) for holder in holders.values())))
        # the flows' row ids stay valid while the handoffs do: any write empties this table
        rows = [(receiver, key, flows[key][4], sender, flows[key][2], flows[key][3])
                for key, sender, receiver in passes_on((row[:4] for row in flows.values()), holders,
                                                       holders.values(), labels)]
        with self._db:
            self._db.execute("DELETE FROM handoffs")
            self._db.executemany("INSERT INTO handoffs VALUES (?, ?, ?, ?, ?, ?)", rows)
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (_HANDOFFS_CURRENT,))
        return len(rows)

    def handoffs_current(self) -> bool:
        return _handoffs_current(self._db)

    # --- freshness --------------------------------------------------------------------------
    def entries(self) -> dict[str, str]:
        """graph → sha256 of every indexed assessment."""
        return dict(self._db.execute("SELECT graph, sha256 FROM assessments").fetchall())

    def differences(self, stored: Mapping[str, str]) -> tuple[set[str], set[str]]:
        """(graphs of ``stored`` — graph → sha256 — missing or outdated here, graphs here not stored)."""
        indexed = self.entries()
        missing = {graph for graph, sha in stored.items() if indexed.get(graph) != sha}
        return missing, set(indexed) - set(stored)

    # --- reading (trace) --------------------------------------------------------------------
    @contextmanager
    def reader(self) -> Iterator[FlowReader]:
        """What one ``trace`` reads, inside one read transaction (so every query sees the same
        index, and the row ids the reader keeps stay valid)."""
        begun = not self._db.in_transaction
        if begun:
            self._db.execute("BEGIN")
        try:
            yield FlowReader(self._db)
        finally:
            if begun:
                self._db.rollback()   # nothing was written: ends the read transaction


class FlowReader:
    """trace's reads of the index (``pia_graph.query.trace._Facts``), for one trace.

    A large trace asks for most of the index in thousands of keys (at 50,000 assessments: every
    recipient's labels, 30,000 holders, 50,000 flows), which IN (...) lists read several times
    slower than one scan. So the labels (the ``names`` table, a few MB) are read whole on first
    use, the holders whole once a trace has asked for a third of them, and flows are read by
    recipient with their row ids, through which their details are read afterwards.
    """


    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._names: dict[str, tuple[str, ...]] | None = None   # resource → search keys
        self._recipients: set[str] = set()                     # every recipient resource
        self._recipient_names: dict[str, tuple[str, ...]] = {}  # their search keys
        self._recipients_by_key: dict[str, list[str]] = {}     # search key → recipients
        self._rowids: dict[str, int] = {}                      # flow → its row in ``flows``
        self._all_holders: dict[str, tuple[str, ...]] | None = None
        self._holders_asked = 0
        self._methods: dict[str, tuple[str, ...]] = {}         # JSON text → methods

    def _labels(self) -> dict[str, tuple[str, ...]]:
        if self._names is None:
            names: dict[str, tuple[str, ...]] = {}
            for resource, key in self._db.execute("SELECT resource, key FROM names"):   # (resource, key) unique
                found = names.get(resource)
                names[resource] = (key,) if found is None else (*found, key)   # tuples: cheaper than sets
            for (resource,) in self._db.execute("SELECT resource FROM recipients"):
                self._recipients.add(resource)
                keys = names.get(resource)
                if keys:
                    self._recipient_names[resource] = keys
                    for key in keys:
                        self._recipients_by_key.setdefault(key, []).append(resource)
            self._names = names
        return self._names

    def handoffs(self) -> dict[str, list[tuple[str, str, str, str]]] | None:
        """receiving assessment → (flow, sender's assessment, kind, recipient) of every flow that
        passes data on to it (``FlowIndex.refresh_handoffs``); None when they were not refreshed
        since the last write. Read whole: a few MB at 50,000 assessments."""
        if not _handoffs_current(self._db):
            return None
        into: dict[str, list[tuple[str, str, str, str]]] = {}
        rowids = self._rowids
        for receiver, flow, rowid, sender, kind, recipient in self._db.execute(
                "SELECT receiver, flow, flow_row, sender, kind, recipient FROM handoffs"):
            rowids[flow] = rowid
            into.setdefault(receiver, []).append((flow, sender, kind, recipient))
        return into

    def recipients_matching(self, wanted: str) -> set[str]:
        """Recipient resources with a label containing the search key ``wanted`` (one scan in
        SQLite: the labels are read into Python only if the trace has to decide handoffs)."""
        if self._names is not None:
            return {resource for resource, keys in self._recipient_names.items() if any(wanted in key for key in keys)}
        return {resource for (resource,) in self._db.execute(
            "SELECT DISTINCT names.resource FROM names JOIN recipients ON recipients.resource = names.resource "
            "WHERE instr(names.key, ?) > 0", (wanted,))}

    def recipients_named(self, names: set[str], iris: set[str]) -> set[str]:
        """Recipient resources with one of the labels ``names``, or named by one of ``iris``."""
        self._labels()
        by_key = self._recipients_by_key
        found = {resource for name in names for resource in by_key.get(name, ())}
        return found | (iris & self._recipients)

    def labels_of(self, resources: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """resource → its search keys."""
        labels = self._labels()
        return {resource: labels[resource] for resource in resources if resource in labels}

    def flows_to(self, recipients: Iterable[str]) -> list[tuple[str, ...]]:
        """(flow, assessment, kind, recipient) of every flow to one of ``recipients``."""
        found = []
        rowids = self._rowids
        for rowid, flow, graph, kind, recipient in self._select(
                "SELECT rowid, flow, graph, kind, recipient FROM flows WHERE recipient IN ({})", recipients):
            rowids[flow] = rowid
            found.append((flow, graph, kind, recipient))
        return found

    def holders(self, assessments: Iterable[str]) -> list[tuple[str, ...]]:
        """(assessment, body, body name, business, department, department name, source file)."""
        wanted = set(assessments)
        if self._all_holders is None:
            self._holders_asked += len(wanted)
            (last,) = self._db.execute("SELECT max(rowid) FROM assessments").fetchone()
            if self._holders_asked * 3 < (last or 0):
                return [tuple(row) for row in self._select(
                    f"SELECT {_HOLDER_COLUMNS} FROM assessments WHERE graph IN ({{}})", wanted)]
            self._all_holders = {row[0]: row for row in self._db.execute(f"SELECT {_HOLDER_COLUMNS} FROM assessments")}
        rows = self._all_holders
        return [rows[key] for key in wanted if key in rows]

    def flow_details(self, flows: Iterable[str]) -> list[tuple[str, str, str, str, str, tuple[str, ...], str]]:
        """(flow, file, printed recipient, legal text, timing, methods, lines); the methods tuples
        are shared between flows that have the same ones."""
        rows, by_rowid = self._flow_rows("SELECT {key}, f.file_name, f.recipient_name, f.legal_text, f.timing, "
                                         "f.methods, f.lines FROM flows f WHERE {key} IN ({{}})", flows)
        methods_of = self._methods_of
        return [(by_rowid.get(handle, handle), file, recipient, legal, timing, methods_of(methods), lines)
                for handle, file, recipient, legal, timing, methods, lines in rows]   # row id, or flow IRI

    def hop_details(self, flows: Iterable[str]) -> list[tuple[str, str, str, str, str, str, str, tuple[str, ...],
                                                              str, str, str]]:
        """(flow, body name, department name, 事務, source file, file, printed recipient, methods,
        legal text, timing, lines): a flow's details with its assessment's names, empty strings
        for what is unknown. One query joins the two: a large trace needs them for tens of
        thousands of flows, and reading the holders apart cost twice as much."""
        rows, by_rowid = self._flow_rows(
            "SELECT {key}, ifnull(a.body_name, ''), ifnull(a.department_name, ''), ifnull(a.business, ''), "
            "ifnull(a.source_file, ''), ifnull(f.file_name, ''), ifnull(f.recipient_name, ''), f.methods, "
            "ifnull(f.legal_text, ''), ifnull(f.timing, ''), ifnull(f.lines, '') "
            "FROM flows f LEFT JOIN assessments a ON a.graph = f.graph WHERE {key} IN ({{}})", flows)
        methods_of = self._methods_of
        return [(by_rowid.get(handle, handle), body, department, business, source_file, file, recipient,
                 methods_of(methods), legal, timing, lines)
                for handle, body, department, business, source_file, file, recipient, methods, legal, timing, lines
                in rows]

    def _flow_rows(self, select: str, flows: Iterable[str]) -> tuple[list[tuple[Any, ...]], dict[int, str]]:
        """``select`` (over ``flows f``, ``{key}`` standing for the key column) for ``flows``: by the
        row ids read with them (``flows_to``, ``handoffs``), by IRI for the others. Each row starts
        with its key; the map gives a row id's flow IRI."""
        wanted = set(flows)
        by_rowid = {self._rowids[flow]: flow for flow in wanted if flow in self._rowids}
        rows = self._select(select.format(key="f.rowid"), by_rowid)
        rows += self._select(select.format(key="f.flow"), [flow for flow in wanted if flow not in self._rowids])
        return rows, by_rowid

    def _methods_of(self, text: str | None) -> tuple[str, ...]:
        """The method labels of a ``methods`` column, parsed once per distinct text (and shared)."""
        labels = self._methods.get(text or "")
        if labels is None:
            labels = self._methods[text or ""] = tuple(json.loads(text or "[]"))
        return labels

    def _select(self, template: str, keys: Iterable[Any]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        for chunk in _chunks(sorted(set(keys))):   # neighbouring keys: fewer pages read per chunk
            rows += self._db.execute(template.format(",".join("?" * len(chunk))), chunk).fetchall()
        return rows


def _handoffs_current(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM meta WHERE key = ?", (_HANDOFFS_CURRENT,)).fetchone() is not None


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


__all__ = ["INDEX_FILE", "FlowIndex", "FlowReader", "GraphRows", "line_range", "method_label", "ordered_methods",
           "rows_from_triples"]
