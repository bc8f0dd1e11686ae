"""Property-based tests: the legal-citation parser, the record loader and the CLI arguments never
crash or hang on arbitrary input: they give a result or a clear error."""

from __future__ import annotations

import json
import os
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pia_graph.cli import app
from pia_graph.errors import InputError
from pia_graph.model import load_record
from pia_graph.rdf.legal import parse_legal_basis

LEGAL_ALPHABET = list("第条項号のの及び並びに、・（）別表一二三四五六七八九十百0123456789０１２３４５６７８９ 　"
                      "番号法住基法国民年金施行令規則同")
LEGAL_WORDS = ["番号法", "番号利用法", "住民基本台帳法", "第9条", "第１項", "別表の", "別表第一", "の項", "号",
               "及び", "、", "・", "同法", "同条", "施行令", "（", "）"]

legal_texts = st.one_of(
    st.text(alphabet=LEGAL_ALPHABET, max_size=200),
    st.lists(st.sampled_from(LEGAL_WORDS), max_size=40).map("".join),
    st.text(max_size=200),
)


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(legal_texts)
def test_legal_parser_total(text: str) -> None:
    parsed = parse_legal_basis(text)
    assert parsed is not None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
record_like = st.fixed_dictionaries(
    {},
    optional={
        "source": st.text(max_size=10),
        "assessment": json_values,
        "business_name": json_values,
        "systems": json_values,
        "files": st.lists(st.dictionaries(st.sampled_from(["name", "provisions", "entrustments", "methods"]),
                                          json_values, max_size=4), max_size=3),
        "provenance": json_values,
        "uncertain": json_values,
    },
)


@settings(max_examples=300, deadline=2000)
@given(st.one_of(record_like, json_values))
def test_record_loader_accepts_or_names_the_problem(value: object) -> None:
    try:
        load_record(value) if isinstance(value, dict) else load_record({"value": value})
    except InputError as error:
        assert str(error).strip() and "\n" not in str(error)


@settings(max_examples=100, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_record_loader_on_arbitrary_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "record.json"
    path.write_bytes(data)
    try:
        load_record(path)
    except InputError as error:
        assert "record.json" in str(error)


COMMANDS = ["extract", "build", "validate", "query", "trace", "export", "analyze", "push", "export-rdf"]
OPTION_WORDS = ["--format", "--store", "-o", "--param", "--to", "--method", "--endpoint", "--timeout",
                "--jobs", "json", "yaml", "table", "x=1", "=", "-", "--", "0", "-1", "nan"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(COMMANDS),
       st.lists(st.one_of(st.sampled_from(OPTION_WORDS), st.text(alphabet=string.printable, max_size=8)),
                max_size=5))
def test_cli_arguments_never_crash(tmp_path: Path, command: str, words: list[str]) -> None:
    runner = CliRunner()
    # a missing store path in tmp keeps commands from touching ./pia-store
    args = [command, *words]
    if command not in ("extract", "push"):
        args += ["--store", str(tmp_path / "nostore")]
    # relative paths like "." must name an empty directory, never the project tree
    workdir = Path(tempfile.mkdtemp(dir=tmp_path))
    previous = os.getcwd()
    os.chdir(workdir)
    try:
        result = runner.invoke(app, args, catch_exceptions=True)
    finally:
        os.chdir(previous)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"pia-graph {' '.join(args)!r} crashed: {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output[-500:])
    json.dumps(result.output)  # printable
