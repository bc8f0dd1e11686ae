"""Typed views of a record (``TypedDict``s: the record stays a plain JSON-ready dict).

Core keys follow ``record-schema.md``; records may carry further keys, which these types do
not list (``total=False`` where the schema makes a key optional).
"""

from __future__ import annotations

from typing import TypedDict


class AssessmentInfo(TypedDict):
    number: str | None
    title: str | None
    kind: str | None
    form_version: str | None
    organization: str | None
    published: str | None


class EntrustmentEntry(TypedDict):
    title: str | None
    content: str | None
    contractor: str | None
    handlers: str | None
    subcontract: str | None
    subcontract_items: str | None


class FlowEntry(TypedDict):
    recipient: str | None
    legal_basis: str | None
    purpose: str | None
    information: str | None
    methods: list[str] | None
    methods_other: str | None
    timing: str | None


class FileEntry(TypedDict):
    name: str | None
    file_type: str | None
    subject_count: str | None
    record_item_count: str | None
    retention_start: str | None
    entrustment: str | None
    entrustments: list[EntrustmentEntry]
    provision: str | None
    provisions: list[FlowEntry]
    transfers: list[FlowEntry]


class ProvenanceEntry(TypedDict, total=False):
    lines: list[int]
    page: int
    bbox: list[float]


class UncertainEntry(TypedDict, total=False):
    path: str
    candidates: list[object]
    reason: str


class _RecordCore(TypedDict):
    source: str
    assessment: AssessmentInfo
    business_name: str | None
    systems: list[str]
    mynumber_legal_basis: str | None
    info_network_linkage: str | None
    info_network_legal_basis: str | None
    department: str | None
    files: list[FileEntry]


class Record(_RecordCore, total=False):
    provenance: dict[str, ProvenanceEntry]
    uncertain: list[UncertainEntry]
