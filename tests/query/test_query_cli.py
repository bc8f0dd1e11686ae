"""`pia-graph query` and `pia-graph trace` through the command line, on a store built from the gold."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pia_graph.cli import app
from pia_graph.query import list_queries, trace
from pia_graph.store import Store
from pia_graph.store.ingest import ingest

from .conftest import fold

INJECTION = 'x" } ; DROP ALL ; #'


@pytest.fixture(scope="module")
def store_dir(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    with Store(path) as store:
        assert ingest([shared_dir / "gold"], store, jobs=1).ok
    return path


def invoke(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def _display_columns(line: str) -> list[str]:
    """``line`` with each wide character followed by an empty placeholder (one entry per column)."""
    import unicodedata

    return [part for char in line
            for part in ((char, "") if unicodedata.east_asian_width(char) in "WF" else (char,))]


def quad_count(path: Path) -> int:
    with Store(path) as store:
        return len(store)


def test_list_names_every_query() -> None:
    result = invoke("query", "--list")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == [spec.name for spec in list_queries()] and len(listed) >= 15


def test_query_json_and_csv(store_dir: Path, gold_records: dict) -> None:
    result = invoke("query", "contractors", "--store", str(store_dir), "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    expected = {fold(e["contractor"]) for r in gold_records.values() for f in r["files"]
                for e in f["entrustments"] if e["contractor"]}
    assert {fold(row["contractorName"]) for row in rows} == expected
    result = invoke("query", "files-to-recipient", "--param", "recipient=日本年金機構",
                    "--store", str(store_dir), "--format", "csv")
    assert result.exit_code == 0
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    expected_files = {f["name"] for r in gold_records.values() for f in r["files"]
                      for p in f["provisions"] if "日本年金機構" in p["recipient"]}
    assert {row["file"] for row in table} == expected_files
    result = invoke("query", "assessments", "--store", str(store_dir))
    assert result.exit_code == 0 and "assessments (3 rows)" in result.stdout


def test_injection_through_the_cli(store_dir: Path) -> None:
    before = quad_count(store_dir)
    result = invoke("query", "files-to-recipient", "--param", f"recipient={INJECTION}",
                    "--store", str(store_dir), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert quad_count(store_dir) == before


def test_bad_requests_exit_2(store_dir: Path) -> None:
    for args, message in (
        (["query", "contractors", "--param", "nope=1"], "no parameter nope"),
        (["query", "contractors", "--param", "novalue"], "expected NAME=VALUE"),
        (["query", "no-such-query"], "unknown query"),
        (["query"], "give a query name"),
    ):
        result = invoke(*args, "--store", str(store_dir))
        assert result.exit_code == 2 and message in result.stderr, (args, result.stderr)
    result = invoke("query", "contractors", "--store", str(store_dir), "--endpoint", "http://127.0.0.1:9/sparql")
    assert result.exit_code == 2 and "not both" in result.stderr
    result = invoke("query", "contractors", "--store", str(store_dir.parent / "absent"))
    assert result.exit_code == 2 and "no store here" in result.stderr


def test_updates_need_allow_update(store_dir: Path, tmp_path: Path) -> None:
    update = tmp_path / "drop.rq"
    update.write_text("# title: drop / drop\nDROP ALL\n", encoding="utf-8")
    before = quad_count(store_dir)
    refused = invoke("query", str(update), "--store", str(store_dir))
    assert refused.exit_code == 2 and "read-only" in refused.stderr
    assert quad_count(store_dir) == before
    insert = tmp_path / "insert.rq"
    insert.write_text("INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/s> "
                      "<https://example.org/p> 1 } }\n", encoding="utf-8")
    allowed = invoke("query", str(insert), "--store", str(store_dir), "--allow-update")
    assert allowed.exit_code == 0, allowed.stderr
    assert quad_count(store_dir) == before + 1
    undo = tmp_path / "undo.rq"
    undo.write_text("DROP GRAPH <https://example.org/g>\n", encoding="utf-8")
    assert invoke("query", str(undo), "--store", str(store_dir), "--allow-update").exit_code == 0
    assert quad_count(store_dir) == before


def test_timeout_option_stops_a_runaway_query(store_dir: Path, tmp_path: Path) -> None:
    # a separate process, so the abandoned worker ends with it instead of running on in pytest
    slow = tmp_path / "slow.rq"
    slow.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", "from pia_graph.cli import main; main()", "query", str(slow),
                             "--store", str(store_dir), "--timeout", "0.5"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "timed out after 0.5 s" in result.stderr


def test_trace_json_and_table(store_dir: Path, gold_records: dict) -> None:
    result = invoke("trace", "--to", "日本年金機構", "--store", str(store_dir), "--format", "json")
    assert result.exit_code == 0, result.stderr
    hops = json.loads(result.stdout)
    expected = {(r["source"], p["recipient"]) for r in gold_records.values() for f in r["files"]
                for p in f["provisions"] if "日本年金機構" in p["recipient"]}
    assert {(h["source_file"], h["recipient"]) for h in hops} == expected
    table = invoke("trace", "--to", "日本年金機構", "--store", str(store_dir))
    assert table.exit_code == 0 and f"paths to 日本年金機構 ({len(expected)})" in table.stdout
    none = invoke("trace", "--to", "日本年金機構", "--method", "電子メール", "--store", str(store_dir))
    assert none.exit_code == 0 and "no path reaches" in none.stderr


def test_trace_csv_and_json_carry_every_hop(store_dir: Path) -> None:
    """CSV and JSON give the hops of the API's trace, in order, full text (JSON byte for byte
    what json.dumps writes of ``Hop.as_dict``, though written a flow at a time)."""
    with Store(store_dir, read_only=True) as store:
        hops = trace(store, "日本年金機構")
    assert hops
    as_json = invoke("trace", "--to", "日本年金機構", "--store", str(store_dir), "--format", "json")
    assert as_json.stdout == json.dumps([hop.as_dict() for hop in hops], ensure_ascii=False, indent=2) + "\n"
    as_csv = invoke("trace", "--to", "日本年金機構", "--store", str(store_dir), "--format", "csv")
    header, *rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert header == ["path", "hop", "body", "事務", "file", "kind", "recipient", "methods", "legal basis", "timing",
                      "source", "lines"]
    assert rows == [[str(h.path), f"{h.hop}/{h.hops}", h.body, h.business, h.file, h.kind, h.recipient,
                     "、".join(h.methods) or "(unknown)", h.legal_basis, h.timing, h.source_file, h.lines]
                    for h in hops]
    none = invoke("trace", "--to", "どこにもない受領者", "--store", str(store_dir), "--format", "csv")
    assert none.exit_code == 0 and none.stdout.splitlines() == [",".join(header)] and "no path reaches" in none.stderr


def test_long_results_are_plain_columns_and_streamed(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables longer than rich can lay out quickly come as plain aligned columns; JSON is written
    item by item but is the same text as one ``json.dumps`` of the whole list."""
    from pia_graph.cli import query_cmd

    whole = invoke("query", "laws-cited", "--store", str(store_dir), "--format", "json")
    rows = json.loads(whole.stdout)
    assert whole.exit_code == 0 and len(rows) >= 3
    assert whole.stdout == json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    monkeypatch.setattr(query_cmd, "RICH_TABLE_ROWS", 2)
    plain = invoke("query", "laws-cited", "--store", str(store_dir))
    assert plain.exit_code == 0
    title, header, rule, *lines = plain.stdout.splitlines()
    assert title == f"laws-cited ({len(rows)} rows)" and len(lines) == len(rows)
    as_csv = invoke("query", "laws-cited", "--store", str(store_dir), "--format", "csv")
    assert [name.strip() for name in header.split(" │ ")] == as_csv.stdout.splitlines()[0].split(",")
    assert set(rule) == {"─", "┼"}
    # every separator sits in the same display column on every line (wide characters count 2)
    positions = {tuple(i for i, part in enumerate(_display_columns(line)) if part == "│")
                 for line in [header, *lines]}
    assert len(positions) == 1
    hops = invoke("trace", "--to", "日本年金機構", "--store", str(store_dir), "--format", "json")
    assert hops.stdout == json.dumps(json.loads(hops.stdout), ensure_ascii=False, indent=2) + "\n"
    empty = invoke("trace", "--to", "どこにもない受領者", "--store", str(store_dir), "--format", "json")
    assert empty.exit_code == 0 and empty.stdout == "[]\n"


def test_syntax_error_is_one_line(store_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.rq"
    broken.write_text("SELECT ?x WHERE { ?x ?p\n", encoding="utf-8")
    result = invoke("query", str(broken), "--store", str(store_dir))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "syntax error" in result.stderr


@pytest.mark.parametrize("value", [
    {}, [], "", 0, -0.0, 1.5e300, float("nan"), True, None, [[], {}, [[]]],
    {"text": "\"quoted\"\n\ttab \x00\x1f\x7f\u2028 日本年金機構 \\ /", "methods": ["専用線", "紙"], "n": 3},
    {"nested": {"list": [1, {"deeper": [None, False, "x"]}], "empty": {}}, 2: "int key", None: "none key",
     True: "bool key", 2.5: "float key"},
    ("a", ("b",)),
])
def test_json_written_item_by_item_is_json_dumps_text(value: object) -> None:
    from pia_graph.cli.query_cmd import _indented_json

    assert _indented_json(value, "") == json.dumps(value, ensure_ascii=False, indent=2)
