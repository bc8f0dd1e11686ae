"""Records for the PDF tests, built from generic names (no text from the sample assessments)."""

from __future__ import annotations

import random
import re

import pytest

from pia_graph.extract.pdf.testing_render import (
    EXACT_FONT,
    FIVE_INFO,
    O_CONN,
    O_FTYPE,
    O_HANI,
    O_HONNIN,
    O_ITAKU_TEIKYO,
    O_ITEN,
    O_KIROKU_GROUPS,
    O_KOUMOKU,
    O_NIN,
    O_NINZU,
    O_NYUSHU,
    O_NYUSHUMOTO,
    O_TEIKYO,
    OTHER,
)

# The scorer's closing line (../shared/tools/score_extraction.py).
TOTAL = re.compile(r"^TOTAL precision=(?P<p>[\d.]+) recall=(?P<r>[\d.]+) tp=(?P<tp>\d+) fp=(?P<fp>\d+) "
                   r"missed=(?P<missed>\d+) extra=(?P<extra>\d+)$")

# The renderer needs a TrueType Japanese font (Debian: fonts-ipafont-gothic) for characters such
# as U+FF0D/U+FF5E to come back exactly; reportlab's CID fallback maps them to look-alikes.
needs_exact_font = pytest.mark.skipif(
    not EXACT_FONT, reason="no TrueType Japanese font for the test-PDF renderer: apt-get install fonts-ipafont-gothic")

CITIES = ("青葉市", "緑ヶ丘市", "東山町", "北浜市", "白川村")
BUSINESSES = ("児童手当", "介護保険", "住民基本台帳", "国民健康保険", "後期高齢者医療", "生活保護")
SYSTEMS = ("住民記録システム", "統合宛名システム", "税務情報システム", "福祉総合システム",
           "中間サーバー・プラットフォーム", "文書管理システム")
DEPARTMENTS = ("市民課", "保険年金課", "福祉総務課", "税務課", "こども家庭課", "介護保険課")
RECIPIENTS = ("都道府県知事", "全国健康保険協会", "税務署長", "地方公共団体情報システム機構", "国民健康保険組合")
CONTRACTORS = ("株式会社　青葉情報サービス", "緑ヶ丘システム開発株式会社", "北浜データセンター株式会社")
KIROKU_OPTIONS = [option for _, options in O_KIROKU_GROUPS for option in options]

# Checkbox fields the renderer draws, as (JSON-Pointer-like name, getter of the checked list).
DELIVERY = "④委託先への特定個人情報ファイルの提供方法"
CHECKBOX_FIELDS = ("connections", "record_categories", "sources", "acquisition_methods", "methods", "provision_umu")


def _subset(rng: random.Random, options: tuple[str, ...] | list[str], low: int = 1, high: int = 4) -> list[str]:
    count = rng.randint(low, min(high, len(options)))
    chosen = set(rng.sample(list(options), count))
    return [option for option in options if option in chosen]


def _flow(rng: random.Random, kind: str, index: int, city: str) -> dict:
    options = O_TEIKYO if kind == "provisions" else O_ITEN
    methods = _subset(rng, options, 1, 4)
    noun = "提供" if kind == "provisions" else "移転"
    recipient = (f"{RECIPIENTS[(index + rng.randint(0, 4)) % len(RECIPIENTS)]}（第{index}窓口）"
                 if kind == "provisions" else f"{city}{DEPARTMENTS[(index + 2) % len(DEPARTMENTS)]}")
    return {
        "recipient": recipient,
        "legal_basis": f"・番号法第１９条第{rng.randint(2, 9)}号\n・同法施行令第{rng.randint(10, 30)}条",
        "purpose": f"{BUSINESSES[index % len(BUSINESSES)]}に関する事務において、受給資格の審査及び"
                   f"給付額の決定に用いるため（{noun}先{index}）",
        "information": f"個人番号、氏名、住所、{BUSINESSES[(index + 1) % len(BUSINESSES)]}の資格情報",
        "subject_count": rng.choice(O_HONNIN),
        "subject_scope": f"{city}に住所を有する者のうち、給付の対象となる者",
        "methods": methods,
        "methods_other": f"専用端末による照会{index}" if OTHER in methods else None,
        "timing": rng.choice(("随時", "月次", "年１回（６月）", "照会を受けた都度")),
    }


def build_record(seed: int, files: int = 1, provisions: int | None = None, transfers: int | None = None,
                 entrustments: int | None = None, kind: str = "重点項目評価書") -> dict:
    """A complete record: every schema key plus the extra keys the renderer draws.

    Counts left None are drawn at random (1-3 提供先, 0-2 移転先, 1-3 委託事項 when 委託する).
    """
    rng = random.Random(seed)
    city = rng.choice(CITIES)
    business = rng.choice(BUSINESSES)
    systems = rng.sample(SYSTEMS, rng.randint(2, 3))
    record: dict = {
        "source": f"pdf_{seed}.pdf",
        "assessment": {
            "number": str(rng.randint(1, 60)),
            "title": f"{business}に関する事務　{kind}",
            "kind": kind,
            "form_version": "令和７年５月　様式３" if kind == "重点項目評価書" else "平成30年５月　様式４",
            "organization": f"{city}長",
            "published": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        },
        "business_name": f"{business}関連事務",
        "business_description": f"{business}の資格管理、給付及び各種届出の受付に関する事務を行う。",
        "target_population": rng.choice(O_NINZU[:4] if kind == "重点項目評価書" else O_NINZU),
        "systems": systems,
        "system_details": [
            {
                "functions": f"{name}の登録、照会及び帳票出力",
                "connections": (conn := _subset(rng, O_CONN, 1, 4)),
                "connections_other": f"外部連携基盤{i}" if OTHER in conn else None,
            }
            for i, name in enumerate(systems, start=1)
        ],
        "mynumber_legal_basis": f"番号法第９条第１項（利用範囲）及び別表の{rng.randint(2, 40)}、{rng.randint(41, 90)}の項",
        "info_network_linkage": (linkage := rng.choice(("実施する", "実施しない"))),
        "info_network_legal_basis": (f"番号法第１９条第８号に基づく主務省令第{rng.randint(2, 50)}条"
                                     if linkage == "実施する" else None),
        "department": f"{city}{rng.choice(DEPARTMENTS)}",
        "department_head_title": "課長",
        "files": [],
    }
    for file_index in range(files):
        entrust = rng.random() < 0.8 if entrustments is None else entrustments > 0
        entrustment_count = rng.randint(1, 3) if entrustments is None else entrustments
        provision_count = rng.randint(1, 3) if provisions is None else provisions
        transfer_count = rng.randint(0, 2) if transfers is None else transfers
        flows_p = [_flow(rng, "provisions", i, city) for i in range(1, provision_count + 1)]
        flows_t = [_flow(rng, "transfers", i, city) for i in range(1, transfer_count + 1)]
        categories = _subset(rng, KIROKU_OPTIONS, 2, 7)
        sources = _subset(rng, O_NYUSHUMOTO, 1, 4)
        acquisition = _subset(rng, O_NYUSHU, 1, 4)
        record["files"].append({
            "name": f"{business}情報ファイル" + ("" if file_index == 0 else f"（{file_index + 1}）"),
            "file_type": rng.choice(O_FTYPE),
            "subject_count": rng.choice(O_HONNIN),
            "record_item_count": rng.choice(O_KOUMOKU),
            "retention_start": f"平成{rng.randint(27, 30)}年{rng.randint(1, 12)}月",
            "subject_scope": f"{city}の{business}の受給者及びその世帯員",
            "record_categories": categories,
            "record_categories_other": "世帯の課税状況" if OTHER in categories else None,
            "sources": sources,
            "sources_detail": {option: f"{rng.choice(DEPARTMENTS)}" for option in sources
                               if option != "本人又は本人の代理人"},
            "acquisition_methods": acquisition,
            "acquisition_methods_other": "窓口端末" if OTHER in acquisition else None,
            "purpose": f"{business}の資格審査及び給付に利用するため",
            "acquisition_timing": "届出を受け付けた都度",
            "user_departments": f"{city}{rng.choice(DEPARTMENTS)}",
            "user_count": rng.choice(O_NIN),
            "entrustment": "委託する" if entrust else "委託しない",
            "entrustments": [
                {
                    "title": f"{business}システム保守業務委託{i}",
                    "content": f"{business}システムの運用・保守及び法改正に伴う改修作業（業務{i}）",
                    "contractor": CONTRACTORS[(i + seed) % len(CONTRACTORS)],
                    "handlers": rng.choice(O_NIN),
                    "subcontract": (sub := rng.choice(("再委託する", "再委託しない"))),
                    "subcontract_items": f"委託内容のうちシステム保守の一部（業務{i}）" if sub == "再委託する" else None,
                    # 全項目 only (the 重点 form has no such rows; the renderer ignores them there)
                    "file_scope": rng.choice(O_HANI),
                    "delivery_methods": (delivery := _subset(rng, O_ITAKU_TEIKYO, 1, 3)),
                    "delivery_methods_other": "委託先専用端末" if OTHER in delivery else None,
                    "contractor_disclosure": "契約締結後に市ホームページで公表する。",
                }
                for i in range(1, (entrustment_count if entrust else 0) + 1)
            ],
            # With no 提供先 and no 移転先 the form says 行っていない; with 移転先 only it says
            # nothing about 提供 beyond an empty box, so the record leaves it null.
            "provision": "提供を行っている" if flows_p else (None if flows_t else "行っていない"),
            "provisions": flows_p,
            "transfers": flows_t,
            "storage": "庁舎内サーバ室に設置したサーバ内に保管する。",
        })
    return record


def checked_sets(record: dict) -> dict[str, list[str]]:
    """Every checkbox field the renderer draws → the options checked in the record (in form order)."""
    sets: dict[str, list[str]] = {}
    for index, detail in enumerate(record.get("system_details") or [], start=1):
        sets[f"システム{index}/③他のシステムとの接続"] = list(detail.get("connections") or [])
    for file_index, file in enumerate(record["files"]):
        prefix = f"file{file_index}"
        sets[f"{prefix}/主な記録項目"] = list(file.get("record_categories") or [])
        sets[f"{prefix}/①入手元"] = list(file.get("sources") or [])
        sets[f"{prefix}/②入手方法"] = list(file.get("acquisition_methods") or [])
        umu = []
        if file.get("provisions"):
            umu.append("提供を行っている")
        if file.get("transfers"):
            umu.append("移転を行っている")
        sets[f"{prefix}/提供・移転の有無"] = umu
        for kind, noun in (("provisions", "提供"), ("transfers", "移転")):
            for index, flow in enumerate(file.get(kind) or [], start=1):
                sets[f"{prefix}/{noun}先{index}/⑥{noun}方法"] = list(flow.get("methods") or [])
        if (record.get("assessment") or {}).get("kind") == "全項目評価書":
            for index, item in enumerate(file.get("entrustments") or [], start=1):
                sets[f"{prefix}/委託事項{index}/{DELIVERY}"] = list(item.get("delivery_methods") or [])
    return sets


ITEM = re.compile(r"\[ (○ )?\] ([^\[]+)")
OPTIONS = {
    "③他のシステムとの接続": O_CONN,
    "主な記録項目": (*(o for _, group in O_KIROKU_GROUPS for o in group), FIVE_INFO),
    "①入手元": O_NYUSHUMOTO,
    "②入手方法": O_NYUSHU,
    "⑥提供方法": O_TEIKYO,
    "⑥移転方法": O_ITEN,
    "提供・移転の有無": ("提供を行っている", "移転を行っている", "行っていない"),
    DELIVERY: O_ITAKU_TEIKYO,
}
ALL_OPTIONS = {option for options in OPTIONS.values() for option in options}


def parse_checkbox_fields(text: str) -> dict[str, list[tuple[str, bool, str | None]]]:
    """Field → [(option, checked, detail)] read from the rebuilt text, keyed like checked_sets()."""
    fields: dict[str, list[tuple[str, bool, str | None]]] = {}
    file_index = -1
    system = 0
    flow = ""
    current: str | None = None
    for line in text.split("\n"):
        if not line.strip():
            current = None
            continue
        rest = line
        if line.startswith("Ⅱ　特定個人情報ファイルの概要"):
            file_index += 1
            current = None
            continue
        if line.startswith(" "):
            current = None
            label = line[1:]
            if match := re.match(r"システム(\d+)", label):
                system = int(match.group(1))
            if match := re.match(r"(提供|移転)先(\d+)|委託事項(\d+)", label):
                flow = f"{match.group(1)}先{match.group(2)}" if match.group(1) else f"委託事項{match.group(3)}"
            for name in OPTIONS:
                if label.startswith(name):
                    if name == "③他のシステムとの接続":
                        current = f"システム{system}/{name}"
                    elif name.startswith(("⑥", "④")):
                        current = f"file{file_index}/{flow}/{name}"
                    else:
                        current = f"file{file_index}/{name}"
                    fields.setdefault(current, [])
                    rest = label[len(name):]
                    break
            else:
                continue
        if current is None:
            continue
        for match in ITEM.finditer(rest):
            raw = match.group(2).strip()
            known = [o for o in ALL_OPTIONS if raw.startswith(o)]
            option = max(known, key=len) if known else raw
            detail = raw[len(option):].strip(" （）件") if known else None
            fields[current].append((option, bool(match.group(1)), detail.strip() or None if detail else None))
    return fields


__all__ = ["CHECKBOX_FIELDS", "OPTIONS", "TOTAL", "build_record", "checked_sets", "needs_exact_font",
           "parse_checkbox_fields"]
