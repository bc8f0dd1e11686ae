"""Invented records for the validation tests (no seed text)."""

from __future__ import annotations

from typing import Any


def invented_record(**provision: Any) -> dict[str, Any]:
    """A complete focused-assessment record with one provision; keyword args override its fields."""
    flow = {"recipient": "架空機構", "legal_basis": "番号法第19条第8号", "purpose": "架空の用途",
            "information": "架空の情報", "methods": ["紙"], "methods_other": None, "timing": "随時"}
    flow.update(provision)
    return {
        "source": "invented-assessment.txt",
        "assessment": {"number": "7", "title": "架空事務　重点項目評価書", "kind": "重点項目評価書",
                       "form_version": "令和７年５月　様式３", "organization": "架空市長", "published": "2025-04-01"},
        "business_name": "架空事務", "systems": ["架空システム"],
        "mynumber_legal_basis": "番号法第9条第1項　別表の12の項", "info_network_linkage": "実施しない",
        "info_network_legal_basis": None, "department": "架空部架空課",
        "files": [{
            "name": "架空ファイル", "file_type": "システム用ファイル", "subject_count": "1万人未満",
            "record_item_count": "10項目未満", "retention_start": "平成27年10月", "entrustment": "委託しない",
            "entrustments": [], "provision": "提供を行っている", "provision_count": 1,
            "provisions": [flow], "transfers": [],
        }],
        "provenance": {
            "/business_name": {"lines": [5, 5]},
            "/files/0/provisions/0/recipient": {"lines": [40, 40]},
            "/files/0/provisions/0/legal_basis": {"lines": [41, 42]},
            "/files/0/provisions/0/methods": {"lines": [47, 49], "page": 4},
            "/files/0/provisions/0/timing": {"lines": [50, 50]},
            "/files/0/provision_count": {"lines": [38, 38]},
        },
        "uncertain": [],
    }
