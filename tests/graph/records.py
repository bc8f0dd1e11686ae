"""Invented records shared by the graph tests (no seed text)."""

from __future__ import annotations

from typing import Any


def minimal_record() -> dict[str, Any]:
    """An invented, structurally complete record (no provenance: as a hand-written one)."""
    return {
        "source": "invented.txt",
        "assessment": {"number": "1", "title": "架空事務　重点項目評価書", "kind": "重点項目評価書",
                       "form_version": None, "organization": "架空市長", "published": "2025-04-01"},
        "business_name": "架空事務", "systems": ["架空システム"],
        "mynumber_legal_basis": "番号法第9条第1項", "info_network_linkage": "実施しない",
        "info_network_legal_basis": None, "department": "架空課",
        "files": [{
            "name": "架空ファイル", "file_type": "システム用ファイル", "subject_count": "1万人未満",
            "record_item_count": None, "retention_start": None, "entrustment": "委託しない",
            "entrustments": [], "provision": "提供を行っている",
            "provisions": [{"recipient": "架空機構", "legal_basis": "番号法第19条第8号", "purpose": None,
                            "information": None, "methods": ["紙", "電子メール"], "methods_other": None,
                            "timing": "随時"}],
            "transfers": [],
        }],
    }
