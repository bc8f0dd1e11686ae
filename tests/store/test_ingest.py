"""ingest on real records (the gold JSON) and real assessment texts (the seeds)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Literal

from pia_graph import vocab
from pia_graph.errors import StoreError
from pia_graph.store import Store
from pia_graph.store.ingest import expand_inputs, ingest
from pia_graph.store.oxigraph_store import STREAM_JOURNAL

CURATED = "PREFIX pia: <https://w3id.org/pia-graph/ontology#>\nSELECT ?a ?c WHERE { ?a a pia:Assessment ; pia:curated ?c }"


@pytest.fixture
def gold_copy(shared_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "records"
    shutil.copytree(shared_dir / "gold", target)
    return target


def test_json_records_are_ingested_as_curated(gold_copy: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "store") as store:
        seen: list[tuple[str, str]] = []
        summary = ingest([gold_copy], store, jobs=1, progress=lambda p, s, d, t: seen.append((p.name, s)))
        assert summary.ok and len(summary.ingested) == 3
        assert sorted(seen) == [(p.name, "ingested") for p in sorted(gold_copy.glob("*.json"))]
        rows = store.select(CURATED)
        assert len(rows) == 3 and {row["c"] for row in rows} == {Literal(True)}
        assert vocab.ONTOLOGY_GRAPH in store.named_graphs()
        assert len(store.assessment_graphs()) == 3


def test_unchanged_files_are_skipped_and_reingest_does_not_duplicate(gold_copy: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "store") as store:
        ingest([gold_copy], store, jobs=1)
        quads = len(store)
        again = ingest([gold_copy], store, jobs=1)
        assert again.ingested == [] and len(again.skipped) == 3
        assert len(store) == quads
        forced = ingest([gold_copy], store, jobs=1, force=True)
        assert len(forced.ingested) == 3
        assert len(store) == quads  # replaced, not added


def test_changed_file_replaces_its_graph(gold_copy: Path, tmp_path: Path) -> None:
    path = sorted(gold_copy.glob("*.json"))[0]
    record = json.loads(path.read_text(encoding="utf-8"))
    entrustment = next(e for f in record["files"] for e in f["entrustments"] if e["contractor"])
    old_name = entrustment["contractor"]
    with Store(tmp_path / "store") as store:
        first = ingest([path], store, jobs=1)
        (_, iri), = first.ingested
        entrustment["contractor"] = "試験用株式会社"
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        second = ingest([path], store, jobs=1)
        assert [i for _, i in second.ingested] == [iri]
        names = {str(o) for o in store.graph(iri).objects(None, vocab.name)}
        assert "試験用株式会社" in names and old_name not in names
        replaced_size = len(store)
    with Store(tmp_path / "fresh") as fresh:
        ingest([path], fresh, jobs=1)
        assert len(fresh) == replaced_size


def test_failures_are_reported_per_file_and_the_batch_goes_on(gold_copy: Path, tmp_path: Path) -> None:
    (gold_copy / "broken.json").write_text("{ not json", encoding="utf-8")
    (gold_copy / "notes.docx").write_bytes(b"PK")
    missing = tmp_path / "missing.txt"
    with Store(tmp_path / "store") as store:
        summary = ingest([gold_copy, missing, gold_copy / "notes.docx"], store, jobs=1)
    assert len(summary.ingested) == 3
    failed = {path.name: reason for path, reason in summary.failed}
    assert set(failed) == {"broken.json", "missing.txt", "notes.docx"}
    for name, reason in failed.items():
        assert name in reason and "\n" not in reason


def test_worker_processes_give_the_same_store(gold_copy: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "serial") as serial:
        ingest([gold_copy], serial, jobs=1)
        expected = serial.dump("nquads")
    with Store(tmp_path / "parallel") as parallel:
        summary = ingest([gold_copy], parallel, jobs=2)
        assert len(summary.ingested) == 3
        assert sorted(parallel.dump("nquads").splitlines()) == sorted(expected.splitlines())


def test_assessment_texts_are_extracted_and_not_curated(seed_pairs: list, tmp_path: Path) -> None:
    seed, _gold = seed_pairs[0]
    with Store(tmp_path / "store") as store:
        summary = ingest([seed], store, jobs=1)
        assert summary.ok, summary.failed
        rows = store.select(CURATED)
        assert len(rows) == 1 and rows[0]["c"] == Literal(False)
        sha_rows = store.source_hashes()
        assert len(sha_rows) == 1
        assert ingest([seed], store, jobs=1).skipped == [seed.resolve()]


def test_expand_inputs_recurses_and_dedups(gold_copy: Path) -> None:
    nested = gold_copy / "deeper"
    nested.mkdir()
    shutil.copy(sorted(gold_copy.glob("*.json"))[0], nested / "copy.json")
    files, problems = expand_inputs([gold_copy, sorted(gold_copy.glob("*.json"))[0]])
    assert problems == []
    assert len(files) == 4 and len(set(files)) == 4


def _store_refuses(victim: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers make a graph the store cannot parse for ``victim``: the stream that holds it fails."""
    from pia_graph.store import ingest as ingest_module

    real = ingest_module.build_assessment

    def corrupting(path_text: str, sha: str) -> ingest_module.Built:
        path_text, iri, ntriples, error, rows = real(path_text, sha)
        if Path(path_text) == victim.resolve():
            ntriples = '<https://example.org/s> <https://example.org/p> "unterminated .\n'
        return path_text, iri, ntriples, error, rows

    monkeypatch.setattr(ingest_module, "build_assessment", corrupting)


def test_a_document_the_store_refuses_fails_alone(gold_copy: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    victim = sorted(gold_copy.glob("*.json"))[1]
    _store_refuses(victim, monkeypatch)
    with Store(tmp_path / "store") as store:
        summary = ingest([gold_copy], store, jobs=1)
        assert [p.name for p, _ in summary.failed] == [victim.name]
        assert len(summary.ingested) == 2 and len(store.assessment_graphs()) == 2
        # the stream that held it was dropped whole and its documents loaded again by batches
        assert len(summary.warnings) == 1 and "could not load 3 new graphs" in summary.warnings[0]
        assert not (store.path / STREAM_JOURNAL).exists()


def test_two_inputs_for_one_assessment_keep_the_last(gold_copy: Path, tmp_path: Path) -> None:
    first = sorted(gold_copy.glob("*.json"))[0]
    record = json.loads(first.read_text(encoding="utf-8"))
    entrustment = next(e for f in record["files"] for e in f["entrustments"] if e["contractor"])
    entrustment["contractor"] = "後勝ち株式会社"
    second = gold_copy / "zz-corrected.json"
    second.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with Store(tmp_path / "store") as store:
        summary = ingest([first, second], store, jobs=1)
        (_, iri), (_, same) = summary.ingested
        assert iri == same and summary.replaced == [iri]
        names = {str(o) for o in store.graph(iri).objects(None, vocab.name)}
        assert "後勝ち株式会社" in names


def test_a_worker_that_dies_fails_only_its_document(tmp_path: Path) -> None:
    from pia_graph.store.ingest import _results

    from .crashing_worker import crash_on_marked

    work = []
    for name in ("a.txt", "b.txt", "crash.txt", "c.txt", "d.txt", "e.txt"):
        path = tmp_path / name
        path.write_text(name, encoding="utf-8")
        work.append((path, name))
    results = list(_results(work, 2, crash_on_marked))
    assert sorted(Path(r[0]).name for r in results) == sorted(name for _, name in work)
    failed = {Path(path).name: error for path, _, _, error, _ in results if error}
    assert list(failed) == ["crash.txt"] and "worker process reading it died" in failed["crash.txt"]


def _quads(store: Store) -> set[str]:
    return {str(quad) for quad in store.oxigraph.quads_for_pattern(None, None, None, None)
            if quad.graph_name != store_ontology()}


def store_ontology() -> object:
    import pyoxigraph as ox

    return ox.NamedNode(str(vocab.ONTOLOGY_GRAPH))


def test_streamed_and_batched_loading_store_the_same(gold_copy: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from pia_graph.store import ingest as ingest_module

    with Store(tmp_path / "streamed") as streamed:
        assert ingest([gold_copy], streamed, jobs=1).ok
        streamed_quads, streamed_index = _quads(streamed), streamed.fresh_flow_index().entries()  # type: ignore[union-attr]
    with Store(tmp_path / "one-per-stream") as short:   # a stream ends after every document
        summary = ingest([gold_copy], short, jobs=1, stream_documents=1)
        assert summary.ok and len(summary.ingested) == len(list(gold_copy.glob("*.json")))
        assert _quads(short) == streamed_quads
        assert short.fresh_flow_index().entries() == streamed_index  # type: ignore[union-attr]
    with Store(tmp_path / "unused") as unused, pytest.raises(ValueError, match="stream_documents"):
        ingest([gold_copy], unused, stream_documents=0)
    monkeypatch.setattr(ingest_module._BatchLoader, "_stream", lambda self, path, iri, nt, rows: (
        setattr(self, "streaming", False), self.add(path, iri, nt, rows)))
    with Store(tmp_path / "batched") as batched:
        assert ingest([gold_copy], batched, jobs=1).ok
        assert _quads(batched) == streamed_quads and len(streamed_quads) > 500
        assert batched.fresh_flow_index().entries() == streamed_index  # type: ignore[union-attr]


def _interrupted_stream(store_dir: Path, records: Path) -> list[str]:
    """A child process streams the records' graphs, lets the load finish, and dies before the
    stream is closed (journal still there, as after a crash); returns the graphs it streamed."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import json, os, sys
        from pathlib import Path
        from pia_graph.rdf.mapping import record_to_ntriples
        from pia_graph.store import Store
        store = Store({str(store_dir)!r})
        stream = store.stream_new_graphs()
        for path in sorted(Path({str(records)!r}).glob("*.json")):
            iri, text = record_to_ntriples(json.loads(path.read_text(encoding="utf-8")))
            stream.add(str(iri), text)
        stream._send(); stream._writer.close(); stream._thread.join()
        assert stream._error is None, stream._error
        print(json.dumps(stream.graphs)); sys.stdout.flush()
        os._exit(0)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_an_interrupted_stream_is_dropped_when_the_store_is_next_opened(gold_copy: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    kept = sorted(gold_copy.glob("*.json"))[0]
    with Store(store_dir) as store:
        assert ingest([kept], store, jobs=1).ok
        (kept_iri,) = [str(iri) for iri in store.assessment_graphs()]
    others = tmp_path / "others"
    others.mkdir()
    for path in sorted(gold_copy.glob("*.json"))[1:]:
        shutil.copy(path, others / path.name)
    streamed = _interrupted_stream(store_dir, others)
    assert len(streamed) == 2 and kept_iri not in streamed
    journal = store_dir / STREAM_JOURNAL
    assert journal.read_text(encoding="utf-8").split("\n")[:-1] == streamed
    # a line cut short by the crash names no graph, even when what was written is a graph's IRI
    # (here: the beginning of a longer IRI that happens to be one)
    with journal.open("a", encoding="utf-8") as handle:
        handle.write(kept_iri)
    with pytest.raises(StoreError, match="interrupted while loading new graphs"):
        Store(store_dir, read_only=True)
    with Store(store_dir) as store:   # opening for writing recovers
        assert store.dropped_on_open == 2
        assert [str(iri) for iri in store.assessment_graphs()] == [kept_iri]
        assert not journal.exists()
        index = store.fresh_flow_index()
        assert index is not None and set(index.entries()) == {kept_iri}
        summary = ingest([gold_copy], store, jobs=1)   # the next build loads them again
        assert len(summary.ingested) == 2 and len(summary.skipped) == 1
        assert len(store.assessment_graphs()) == 3
    with Store(store_dir, read_only=True) as reader:
        assert len(reader.assessment_graphs()) == 3


@pytest.fixture
def loader_never_done(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A stream's loader that always seems busy storing, so that every document made after a
    stream's input has ended is held for the next stream; returns the names of the held files."""
    from pia_graph.store import ingest as ingest_module
    from pia_graph.store.oxigraph_store import GraphStream

    monkeypatch.setattr(GraphStream, "loading", property(lambda self: True))
    held: list[str] = []
    real_hold = ingest_module._BatchLoader._hold

    def hold(self: ingest_module._BatchLoader, path: Path, *rest: object) -> None:
        held.append(path.name)
        real_hold(self, path, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_module._BatchLoader, "_hold", hold)
    return held


def test_graphs_made_while_a_stream_is_stored_go_into_the_next(gold_copy: Path, tmp_path: Path,
                                                                loader_never_done: list[str]) -> None:
    with Store(tmp_path / "reference") as reference:   # one stream: nothing is held
        assert ingest([gold_copy], reference, jobs=1).ok and loader_never_done == []
        expected_quads, expected_index = _quads(reference), reference.fresh_flow_index().entries()  # type: ignore[union-attr]
    with Store(tmp_path / "store") as store:
        seen: list[tuple[str, int]] = []
        summary = ingest([gold_copy], store, jobs=1, stream_documents=2,
                         progress=lambda path, status, done, total: seen.append((status, done)))
        assert loader_never_done == ["002.json"]   # made while the first two were being stored
        assert summary.ok and [p.name for p, _ in summary.ingested] == ["000.json", "001.json", "002.json"]
        assert seen == [("ingested", 1), ("ingested", 2), ("ingested", 3)]
        assert _quads(store) == expected_quads
        assert store.fresh_flow_index().entries() == expected_index  # type: ignore[union-attr]
        assert not (store.path / STREAM_JOURNAL).exists()


def test_a_repeat_of_a_held_graph_replaces_it_after_it_is_stored(gold_copy: Path, tmp_path: Path,
                                                                 loader_never_done: list[str]) -> None:
    held = gold_copy / "002.json"
    record = json.loads(held.read_text(encoding="utf-8"))
    record["files"][0]["entrustments"][0]["contractor"] = "後勝ち株式会社"
    (gold_copy / "zz-corrected.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with Store(tmp_path / "store") as store:
        summary = ingest([gold_copy], store, jobs=1, stream_documents=2)
        assert loader_never_done == ["002.json"]
        assert summary.ok and len(summary.ingested) == 4
        iri = dict((p.name, i) for p, i in summary.ingested)["002.json"]
        assert summary.replaced == [iri] and len(store.assessment_graphs()) == 3
        names = {str(o) for o in store.graph(iri).objects(None, vocab.name)}
        assert "後勝ち株式会社" in names and "富士通Japan株式会社" not in names


def test_a_refused_stream_loads_its_held_graphs_again(gold_copy: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      loader_never_done: list[str]) -> None:
    victim = gold_copy / "001.json"
    _store_refuses(victim, monkeypatch)
    with Store(tmp_path / "store") as store:
        seen: list[tuple[str, str, int]] = []
        summary = ingest([gold_copy], store, jobs=1, stream_documents=2,
                         progress=lambda path, status, done, total: seen.append((path.name, status, done)))
        assert loader_never_done in ([], ["002.json"])   # held unless the loader failed first
        assert [p.name for p, _ in summary.failed] == [victim.name]
        assert sorted(p.name for p, _ in summary.ingested) == ["000.json", "002.json"]
        assert len(summary.warnings) == 1 and "could not load 2 new graphs" in summary.warnings[0]
        assert seen[-1][2] == 3 and {name for name, *_ in seen} == {"000.json", "001.json", "002.json"}
        assert len(store.assessment_graphs()) == 2 and not (store.path / STREAM_JOURNAL).exists()
