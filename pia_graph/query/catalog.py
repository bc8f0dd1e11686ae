"""The named auditor queries: where they live and what their header comments declare.

Location. The ``.rq`` files live in the repository's top-level ``queries/`` directory (one
place for auditors to read, copy and edit). They are found, in order, in
``$PIA_GRAPH_QUERIES``, in ``pia_graph/data/queries`` (for a packaged copy), and in
``queries/`` next to the ``pia_graph`` package (an editable install or a source checkout, the
supported way to run pia-graph).

Header. Each file starts with comment lines of the form::

    # title: 日本語の題 / English title
    # description: what it answers (may repeat)
    # param: recipient (string, optional) substring of the recipient's name
    # columns: assessment, body, recipient

A ``param`` names a variable of the query (``?recipient``) that the caller binds from outside;
its type is ``string`` (bound as a literal), ``iri`` (bound as an IRI) or ``integer``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pia_graph
from pia_graph.errors import QueryError

PARAM_TYPES = ("string", "iri", "integer")
_HEADER = re.compile(r"^#\s*(title|description|param|columns)\s*:\s*(.*)$", re.IGNORECASE)
_PARAM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(\w+)\s*(?:,\s*(required|optional)\s*)?\)\s*(.*)$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"
    required: bool = False
    description: str = ""


@dataclass
class QuerySpec:
    """One query file and what its header declares."""

    name: str
    path: Path
    text: str
    title: str = ""
    description: str = ""
    params: dict[str, Param] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    declared: bool = False          # True when the header declares its params (closed list)


def queries_dir() -> Path:
    """The directory that holds the named queries (see the module docstring)."""
    candidates = []
    if os.environ.get("PIA_GRAPH_QUERIES"):
        candidates.append(Path(os.environ["PIA_GRAPH_QUERIES"]))
    package = Path(pia_graph.__file__).resolve().parent
    candidates += [package / "data" / "queries", package.parent / "queries"]
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("*.rq")):
            return candidate
    raise QueryError("no named queries found (looked in: " + ", ".join(map(str, candidates)) + ")")


def parse_spec(path: Path, name: str | None = None) -> QuerySpec:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise QueryError(f"{path}: cannot read the query: {error}") from error
    spec = QuerySpec(name=name or path.stem, path=path, text=text)
    descriptions = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break  # the header ends at the first line of SPARQL
        match = _HEADER.match(stripped)
        if not match:
            continue
        key, value = match.group(1).lower(), match.group(2).strip()
        if key == "title":
            spec.title = value
        elif key == "description":
            descriptions.append(value)
        elif key == "columns":
            spec.columns = [column.strip().lstrip("?") for column in value.split(",") if column.strip()]
        elif key == "param":
            spec.declared = True
            param = _PARAM.match(value)
            if not param or param.group(2).lower() not in PARAM_TYPES:
                raise QueryError(f"{path}: bad param declaration {value!r} "
                                 f"(expected: name (string|iri|integer, optional|required) description)")
            spec.params[param.group(1)] = Param(
                name=param.group(1), type=param.group(2).lower(),
                required=(param.group(3) or "optional").lower() == "required",
                description=param.group(4).strip(),
            )
    spec.description = " ".join(descriptions)
    return spec


def list_queries() -> list[QuerySpec]:
    return [parse_spec(path) for path in sorted(queries_dir().glob("*.rq"))]


def resolve(name_or_file: str) -> QuerySpec:
    """A named query (``contractors``) or a path to a ``.rq`` file."""
    candidate = Path(name_or_file)
    if candidate.suffix == ".rq" or os.sep in name_or_file or "/" in name_or_file:
        if not candidate.is_file():
            raise QueryError(f"{name_or_file}: no such query file")
        return parse_spec(candidate, candidate.stem)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name_or_file):
        raise QueryError(f"{name_or_file!r} is neither a query name nor a .rq file")
    directory = queries_dir()
    path = directory / f"{name_or_file}.rq"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in directory.glob("*.rq")))
        raise QueryError(f"unknown query {name_or_file!r}; known queries: {known}")
    return parse_spec(path, name_or_file)
