"""Structural check of an assessment record (the JSON the extractor writes, or a hand-edited one).

The check is about shape, not content: every core key of ``record-schema.md`` is present with
the right JSON type, list elements have the right type, and ``provenance`` / ``uncertain`` are
well formed when present. Gold and hand-curated records may leave ``provenance`` and
``uncertain`` out; extra keys are kept untouched. The first problem found is reported as a
JSON Pointer plus what was expected, so an auditor editing a record by hand can find it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pia_graph.errors import InputError

# Expected JSON types. ``str?`` means string or null; ``[str]?`` a list of strings or null.
ASSESSMENT_KEYS: dict[str, str] = {
    "number": "str?",
    "title": "str?",
    "kind": "str?",
    "form_version": "str?",
    "organization": "str?",
    "published": "date?",
}
TOP_KEYS: dict[str, str] = {
    "source": "str",
    "business_name": "str?",
    "systems": "[str]",
    "mynumber_legal_basis": "str?",
    "info_network_linkage": "str?",
    "info_network_legal_basis": "str?",
    "department": "str?",
}
FILE_KEYS: dict[str, str] = {
    "name": "str?",
    "file_type": "str?",
    "subject_count": "str?",
    "record_item_count": "str?",
    "retention_start": "str?",
    "entrustment": "str?",
    "provision": "str?",
}
ENTRUSTMENT_KEYS: dict[str, str] = {
    "title": "str?",
    "content": "str?",
    "contractor": "str?",
    "handlers": "str?",
    "subcontract": "str?",
    "subcontract_items": "str?",
}
FLOW_KEYS: dict[str, str] = {
    "recipient": "str?",
    "legal_basis": "str?",
    "purpose": "str?",
    "information": "str?",
    "methods": "[str]?",
    "methods_other": "str?",
    "timing": "str?",
}

_TYPE_WORDS = {
    "str": "a string",
    "str?": "a string or null",
    "date?": "an ISO date (YYYY-MM-DD) or null",
    "[str]": "a list of strings",
    "[str]?": "a list of strings or null",
}


def _pointer(*parts: str | int) -> str:
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "/" + "/".join(escaped)


def _is_iso_date(value: str) -> bool:
    import datetime as _dt

    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _check_value(value: Any, expected: str) -> bool:
    if expected.endswith("?") and value is None:
        return True
    base = expected.rstrip("?")
    if base == "str":
        return isinstance(value, str)
    if base == "date":
        return isinstance(value, str) and _is_iso_date(value)
    if base == "[str]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    raise AssertionError(expected)


class _Checker:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, pointer: str, problem: str) -> None:
        raise InputError(self.origin, f"{pointer or '/'}: {problem}")

    def obj(self, value: Any, pointer: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(pointer, "expected an object")
        return value

    def keys(self, container: Mapping[str, Any], spec: Mapping[str, str], *prefix: str | int) -> None:
        for key, expected in spec.items():
            pointer = _pointer(*prefix, key)
            if key not in container:
                self.fail(pointer, f"missing key (expected {_TYPE_WORDS[expected]})")
            if not _check_value(container[key], expected):
                self.fail(pointer, f"expected {_TYPE_WORDS[expected]}, got {_describe(container[key])}")

    def obj_list(self, container: Mapping[str, Any], key: str, *prefix: str | int,
                 required: bool = True) -> list[Mapping[str, Any]]:
        pointer = _pointer(*prefix, key)
        if key not in container:
            if required:
                self.fail(pointer, "missing key (expected a list of objects)")
            return []
        value = container[key]
        if not isinstance(value, list):
            self.fail(pointer, f"expected a list of objects, got {_describe(value)}")
        for index, element in enumerate(value):
            if not isinstance(element, Mapping):
                self.fail(_pointer(*prefix, key, index), f"expected an object, got {_describe(element)}")
        return value


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:30] + "…"
        return f"the string {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def check_record(record: Any, origin: str = "<record>") -> dict[str, Any]:
    """Check ``record``'s structure; return it (as a dict) or raise ``InputError``."""
    checker = _Checker(origin)
    top = checker.obj(record, "")
    checker.keys(top, TOP_KEYS)
    assessment = checker.obj(top.get("assessment"), "/assessment")
    checker.keys(assessment, ASSESSMENT_KEYS, "assessment")
    for index, file in enumerate(checker.obj_list(top, "files")):
        prefix: tuple[str | int, ...] = ("files", index)
        checker.keys(file, FILE_KEYS, *prefix)
        for sub_index, entrustment in enumerate(checker.obj_list(file, "entrustments", *prefix)):
            checker.keys(entrustment, ENTRUSTMENT_KEYS, *prefix, "entrustments", sub_index)
        for group in ("provisions", "transfers"):
            for sub_index, flow in enumerate(checker.obj_list(file, group, *prefix)):
                checker.keys(flow, FLOW_KEYS, *prefix, group, sub_index)
    _check_provenance(checker, top)
    _check_uncertain(checker, top)
    if _has_lone_surrogate(top):
        _check_text_is_unicode(checker, top, "")  # walks the record only to name the field
    return dict(top)


def _has_lone_surrogate(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_text_is_unicode(checker: _Checker, value: Any, pointer: str) -> None:
    """Refuse lone surrogates (a JSON file may spell them as \\ud800): no RDF store can hold them."""
    if isinstance(value, str):
        for position, char in enumerate(value):
            if "\ud800" <= char <= "\udfff":
                checker.fail(pointer, f"invalid Unicode (lone surrogate U+{ord(char):04X} at character {position})")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_text_is_unicode(checker, key, pointer)
            _check_text_is_unicode(checker, item, _pointer(*_split(pointer), str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text_is_unicode(checker, item, _pointer(*_split(pointer), index))


def _split(pointer: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]] if pointer else []


def _check_provenance(checker: _Checker, top: Mapping[str, Any]) -> None:
    if "provenance" not in top:
        return
    provenance = checker.obj(top["provenance"], "/provenance")
    for pointer, entry in provenance.items():
        where = _pointer("provenance", pointer)
        if not isinstance(pointer, str) or not (pointer == "" or pointer.startswith("/")):
            checker.fail(where, "provenance keys must be JSON Pointers starting with '/'")
        entry = checker.obj(entry, where)
        lines = entry.get("lines")
        if not (isinstance(lines, list) and len(lines) == 2
                and all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in lines)
                and lines[0] <= lines[1]):
            checker.fail(where + "/lines", "expected [first, last], 1-based line numbers with first <= last")
        page = entry.get("page")
        if page is not None and not (isinstance(page, int) and not isinstance(page, bool) and page >= 1):
            checker.fail(where + "/page", "expected a 1-based page number")


def _check_uncertain(checker: _Checker, top: Mapping[str, Any]) -> None:
    if "uncertain" not in top:
        return
    entries = checker.obj_list(top, "uncertain")
    for index, entry in enumerate(entries):
        where = _pointer("uncertain", index)
        path = entry.get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            checker.fail(where + "/path", "expected a JSON Pointer starting with '/'")
        candidates = entry.get("candidates", [])
        if not isinstance(candidates, list):
            checker.fail(where + "/candidates", f"expected a list, got {_describe(candidates)}")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            checker.fail(where + "/reason", "expected a non-empty string")


def load_record(path_or_dict: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """Read (if a path) and check a record; raise ``InputError(path, problem)`` when it is malformed."""
    if isinstance(path_or_dict, Mapping):
        return check_record(path_or_dict)
    path = Path(path_or_dict)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return check_record(data, str(path))


def resolve_pointer(record: Mapping[str, Any], pointer: str) -> Any:
    """The value at a JSON Pointer (``KeyError`` if it does not exist)."""
    value: Any = record
    if pointer == "":
        return value
    for raw in pointer.lstrip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, list):
            if not part.isdigit() or int(part) >= len(value):
                raise KeyError(pointer)
            value = value[int(part)]
        elif isinstance(value, Mapping):
            if part not in value:
                raise KeyError(pointer)
            value = value[part]
        else:
            raise KeyError(pointer)
    return value


def provenance_of(record: Mapping[str, Any], pointer: str, *, nearest: bool = False) -> dict[str, Any] | None:
    """The provenance entry of ``pointer`` (``{"lines": [a, b], "page"?: n}``), or None.

    With ``nearest`` a pointer without an entry of its own falls back to its closest ancestor
    that has one (a list element → its list, a field → its object), as a report would.
    """
    provenance = record.get("provenance") or {}
    if pointer in provenance:
        return dict(provenance[pointer])
    if nearest:
        parts = pointer.split("/")
        while len(parts) > 1:
            parts.pop()
            parent = "/".join(parts)
            if parent in provenance:
                return dict(provenance[parent])
    return None
