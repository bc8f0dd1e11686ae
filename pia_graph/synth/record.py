"""Random but realistic assessment records (record-schema.md core keys plus extra fields)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from . import forms as F
from .pools import BODIES, DOMAINS, GIVEN_NAMES, NATIONAL_RECIPIENTS, SURNAMES, VENDORS, Body, Domain

_FW_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def full_width_digits(text: str) -> str:
    return text.translate(_FW_DIGITS)


def wareki(date: dt.date, *, full_width: bool = False, month_only: bool = False) -> str:
    """Japanese era date as printed (令和7年8月1日); 令和 from 2019-05-01, 平成 before."""
    if date >= dt.date(2019, 5, 1):
        era, year = "令和", date.year - 2018
    else:
        era, year = "平成", date.year - 1988
    year_text = "元" if year == 1 else str(year)
    text = f"{era}{year_text}年{date.month}月" if month_only else f"{era}{year_text}年{date.month}月{date.day}日"
    return full_width_digits(text) if full_width else text


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


FORM_VERSIONS = {
    F.KIND_JUUTEN: (("令和７年５月　様式３", 0.45, dt.date(2025, 6, 1), dt.date(2026, 3, 31)),
                    ("平成30年５月　様式３", 0.30, dt.date(2018, 6, 1), dt.date(2025, 4, 30)),
                    (None, 0.25, dt.date(2015, 10, 1), dt.date(2025, 12, 31))),
    F.KIND_ZENKOUMOKU: (("平成30年５月　様式４", 0.45, dt.date(2018, 6, 1), dt.date(2025, 4, 30)),
                        ("令和７年５月　様式４", 0.35, dt.date(2025, 6, 1), dt.date(2026, 3, 31)),
                        (None, 0.20, dt.date(2015, 10, 1), dt.date(2025, 12, 31))),
}

METHOD_OTHER_TEXTS = ("行政専用の閉域網を用いたファイル転送", "庁内ファイル共有サーバ経由", "暗号化した記録媒体の手交",
                      "行政専用回線によるデータ連携")
TIMINGS = ("随時", "月次", "毎月１回", "年１回（６月）", "週２回程度", "照会を受けた都度",
           "随時（年度末に一括して提供する場合がある）", "届出を受け付けた都度", "毎年度当初及び随時")
ENTRUSTMENT_TITLES = ("{system}の運用保守業務委託", "{system}の改修及び保守業務", "データセンター利用契約",
                      "帳票印刷及び封入封緘業務委託", "データ入力業務委託", "窓口受付補助業務委託",
                      "{system}クラウドサービス利用契約", "電話案内業務委託")
ENTRUSTMENT_CONTENTS = ("{system}の運用、保守及び法改正に伴う改修", "サーバ機器の設置場所の提供及び監視",
                        "通知書等の印刷、封入封緘及び発送準備", "申請書等の記載内容のシステムへの入力",
                        "窓口における申請書の受付補助及び書類の確認", "{system}のクラウド環境での提供と障害対応",
                        "制度に関する問合せへの電話対応")
SUBCONTRACT_ITEMS = ("上記委託内容と同じ", "システム保守作業の一部", "帳票の印刷工程", "データ入力作業の一部",
                     "サーバ機器の監視業務")
PERMISSION_TEXTS = ("再委託先の名称、業務範囲及び安全管理体制を書面で提出させ、市が承認した場合に限り認める。",
                    "事前に再委託の理由と再委託先の管理体制を申請させ、審査の上で書面により承諾する。")
SOURCE_DETAILS = {"評価実施機関内の他部署": ("市民課", "税務課", "市民課、税務課"),
                  "行政機関・独立行政法人等": ("日本年金機構", "税務署"),
                  "地方公共団体・地方独立行政法人": ("他市町村", "都道府県"),
                  "民間事業者": ("金融機関",), "その他": ("医療機関", "事業所")}
CHANGE_REASONS = ("重要な変更に当たらない", "事前の提出・公表が義務付けられない", "組織改正に伴う名称の変更",
                  "委託先の変更", "法改正に伴う記載の変更", "様式変更に伴う記載の変更")


def _items(rng: random.Random, low: int, high: int, count: int) -> list[int]:
    return sorted(rng.sample(range(low, high + 1), count))


def _legal_basis(rng: random.Random, domain: Domain) -> str:
    items = _items(rng, *domain.table_items, rng.randint(1, 3))
    style = rng.randrange(5)
    if style == 0:
        return full_width_digits(f"番号法第9条第1項及び別表の{'、'.join(map(str, items))}の項")
    if style == 1:
        return f"番号法第9条第1項　別表{'項、'.join(map(str, items))}項"
    if style == 2:
        return (f"行政手続における特定の個人を識別するための番号の利用等に関する法律第９条第１項　"
                f"別表第一の{full_width_digits('、'.join(map(str, items)))}の項")
    if style == 3:
        return f"番号利用法第9条第1項並びに別表の{'・'.join(map(str, items))}の項"
    return f"番号法第９条第１項、別表第一{'項、'.join(map(str, items))}項及び{domain.law_short}"


def _network_basis(rng: random.Random, domain: Domain) -> str:
    if rng.random() < 0.5:
        items = _items(rng, 1, 160, rng.randint(1, 4))
        return f"番号法第19条第8号及び同法別表第二の{'、'.join(map(str, items))}の項"
    articles = _items(rng, 2, 70, rng.randint(1, 3))
    return (f"番号法第19条第8号に基づく主務省令第{'条、第'.join(map(str, articles))}条"
            f"（{domain.law_short}関係）")


def _department(rng: random.Random, body: Body, domain: Domain) -> tuple[str, str]:
    bureau, division = rng.choice(domain.bureau), rng.choice(domain.division)
    style = rng.randrange(3)
    if style == 0:
        return f"{body.short}{bureau}{division}", division
    if style == 1:
        return f"{bureau}　{division}", division
    return f"{bureau}{division}", division


def _choose_methods(rng: random.Random, options: tuple[str, ...], linkage: bool) -> tuple[list[str], str | None]:
    weights = {"情報提供ネットワークシステム": 0.6 if linkage else 0.0, "庁内連携システム": 0.55,
               "専用線": 0.3, "電子メール": 0.15, "電子記録媒体（フラッシュメモリを除く。）": 0.35,
               "フラッシュメモリ": 0.05, "紙": 0.35, F.OTHER: 0.1}
    chosen = [option for option in options if rng.random() < weights.get(option, 0.2)]
    if not chosen:
        chosen = [rng.choice([o for o in options if o != "情報提供ネットワークシステム"])]
    other = rng.choice(METHOD_OTHER_TEXTS) if F.OTHER in chosen else None
    return chosen, other


def _bullets(rng: random.Random, pool: tuple[str, ...], most: int) -> str:
    picked = rng.sample(pool, rng.randint(1, min(most, len(pool))))
    if len(picked) == 1 and rng.random() < 0.6:
        return picked[0]
    return "".join("・" + item for item in picked)


def _flow(rng: random.Random, domain: Domain, body: Body, recipient: str, *, transfer: bool,
          linkage: bool) -> dict[str, Any]:
    article = rng.randint(3, 120)
    if transfer:
        legal = rng.choice((f"住民基本台帳法第{rng.randint(5, 12)}条",
                            f"番号法第9条第2項及び{body.short}個人番号の利用に関する条例第{rng.randint(2, 6)}条",
                            f"{domain.law}第{article}条"))
        methods, other = _choose_methods(rng, F.C_ITEN, False)
    else:
        parts = [rng.choice(("番号法第19条第8号", "番号法第19条第6号", "番号利用法第19条第2号")),
                 f"{domain.law}第{article}条第{rng.randint(1, 4)}項"]
        if rng.random() < 0.4:
            parts.append(f"{domain.law}施行規則第{rng.randint(1, 60)}条")
        legal = "".join("・" + p for p in parts) if rng.random() < 0.6 else "、".join(parts)
        methods, other = _choose_methods(rng, F.C_TEIKYO, linkage)
    return {
        "recipient": recipient,
        "legal_basis": legal,
        "purpose": _bullets(rng, domain.purposes, 2),
        "information": _bullets(rng, domain.information, 2),
        "subject_count": rng.choice(F.O_HONNIN[:4]),
        "subject_scope": f"{domain.business[0]}の対象者のうち、{recipient}での事務に必要な者",
        "methods": methods,
        "methods_other": other,
        "timing": rng.choice(TIMINGS),
    }


def _file(rng: random.Random, domain: Domain, body: Body, name: str, linkage: bool, systems: list[str],
          department: str) -> dict[str, Any]:
    entrusted = rng.random() < 0.8
    entrustments = []
    count = rng.randint(1, 4) if entrusted else 0
    # distinct titles and contents: an entrustment is paired with its gold by its text
    for title, content in zip(rng.sample(ENTRUSTMENT_TITLES, count), rng.sample(ENTRUSTMENT_CONTENTS, count),
                              strict=True):
        system = rng.choice(systems)
        sub = rng.random() < 0.35
        entrustments.append({
            "title": title.format(system=system),
            "content": content.format(system=system),
            "contractor": rng.choice(VENDORS),
            "handlers": rng.choice(F.O_NIN[:4]),
            "subcontract": "再委託する" if sub else "再委託しない",
            "subcontract_items": rng.choice(SUBCONTRACT_ITEMS) if sub else None,
            "subcontract_permission": rng.choice(PERMISSION_TEXTS) if sub else None,
        })
    # distinct recipients so that entity pairing by recipient text stays unambiguous
    candidates = list(domain.recipients)
    if rng.random() < 0.1:
        candidates.append(rng.choice(NATIONAL_RECIPIENTS))
    candidates = list(dict.fromkeys(candidates))
    provisions = [_flow(rng, domain, body, recipient, transfer=False, linkage=linkage)
                  for recipient in rng.sample(candidates, min(len(candidates), rng.choice((0, 1, 1, 2, 2, 3, 4, 5))))]
    departments = list(domain.transfer_departments)
    transfers = [_flow(rng, domain, body, recipient, transfer=True, linkage=linkage)
                 for recipient in rng.sample(departments, min(len(departments), rng.choice((0, 0, 1, 1, 2, 3))))]
    sources = [s for s in F.C_NYUSHUMOTO if rng.random() < 0.45] or [F.C_NYUSHUMOTO[0]]
    categories = ["個人番号", rng.choice((F.C_KIROKU_4, F.C_KIROKU_5)), "その他住民票関係情報"]
    categories += [c for c in domain.categories if rng.random() < 0.8]
    if rng.random() < 0.5:
        categories.insert(1, "その他識別情報（内部番号）")
    acq, acq_other = _choose_methods(rng, F.C_NYUSHU, linkage)
    start = _random_date(rng, dt.date(2015, 10, 1), dt.date(2019, 12, 31))
    return {
        "name": name,
        "file_type": F.O_FTYPE[0] if rng.random() < 0.9 else F.O_FTYPE[1],
        "subject_count": rng.choice(F.O_HONNIN[:4]),
        "record_item_count": rng.choice(F.O_KOUMOKU),
        "retention_start": wareki(start, month_only=rng.random() < 0.6),
        "entrustment": "委託する" if entrusted else "委託しない",
        "entrustment_count": len(entrustments) if entrusted else None,
        "entrustments": entrustments,
        "provision": F.PROVISION_DONE if provisions else (F.NOT_DONE if not transfers else None),
        "provision_count": len(provisions) or None,
        "transfer": F.TRANSFER_DONE if transfers else None,
        "transfer_count": len(transfers) or None,
        "provisions": provisions,
        "transfers": transfers,
        "subject_scope": f"{body.short}の{domain.business[0].removesuffix('事務')}対象者",
        "record_categories": categories,
        "sources": sources,
        "sources_detail": {s: rng.choice(SOURCE_DETAILS[s]) for s in sources if s in SOURCE_DETAILS},
        "acquisition_methods": acq,
        "acquisition_methods_other": acq_other,
        "purpose": f"{domain.business[0]}を適正かつ効率的に行うため",
        "user_departments": department,
        "user_count": rng.choice(F.O_NIN[:4]),
        "use_start": wareki(start + dt.timedelta(days=rng.randrange(60, 200))),
        "responsible_department": department,
    }


def _changes(rng: random.Random, record: dict[str, Any], published: dt.date) -> list[dict[str, Any]]:
    rows = []
    first = published - dt.timedelta(days=365 * 6)
    file0 = record["files"][0]
    for _ in range(rng.choice((0, 1, 2, 3, 4, 6, 9, 14, 20))):
        date = _random_date(rng, first, published)
        kind = rng.randrange(4)
        if kind == 0 and file0["entrustments"]:
            item = "Ⅱ　４．特定個人情報ファイルの取扱いの委託　委託事項１　委託先名"
            after = file0["entrustments"][0]["contractor"]
            before = rng.choice([v for v in VENDORS if v != after])
        elif kind == 1:
            item = "Ⅰ　６．評価実施機関における担当部署　②所属長"
            before = f"{record['department_head_title']}　{rng.choice(SURNAMES)}　{rng.choice(GIVEN_NAMES)}"
            after = record["department_head_title"]
        elif kind == 2 and file0["provisions"]:
            item = "Ⅱ　５．特定個人情報の提供・移転　提供先１"
            after = file0["provisions"][0]["recipient"]
            before = rng.choice([r for r in NATIONAL_RECIPIENTS if r != after])
        else:
            item = "Ⅱ　２．基本情報　⑤保有開始日"
            before, after = file0["retention_start"] + "（予定）", file0["retention_start"]
        rows.append({"date": date.isoformat(), "date_printed": wareki(date), "item": item, "before": before,
                     "after": after, "timing": rng.choice(("事後", "事後", "事前")),
                     "timing_reason": rng.choice(CHANGE_REASONS)})
    rows.sort(key=lambda row: row["date"])
    return rows


def random_record(rng: random.Random, index: int, *, kind: str | None = None) -> dict[str, Any]:
    """A valid, realistic assessment record; deterministic for a given rng state."""
    if kind is None:
        kind = F.KIND_JUUTEN if rng.random() < 0.6 else F.KIND_ZENKOUMOKU
    if kind not in F.KINDS:
        raise ValueError(f"unknown assessment kind: {kind}")
    body = BODIES[rng.randrange(len(BODIES))]
    domain = DOMAINS[rng.randrange(len(DOMAINS))]
    versions = FORM_VERSIONS[kind]
    roll, acc = rng.random(), 0.0
    version, start, end = versions[-1][0], versions[-1][2], versions[-1][3]
    for name, weight, first, last in versions:
        acc += weight
        if roll < acc:
            version, start, end = name, first, last
            break
    published = _random_date(rng, start, end)
    business = rng.choice(domain.business)
    if kind == F.KIND_JUUTEN:
        title = f"{domain.title_stem}　{kind}"
    else:
        title = f"{body.short}　{domain.title_stem}　{kind}" if rng.random() < 0.6 else f"{domain.title_stem}　{kind}"
    systems = [domain.systems[0], *rng.sample(domain.systems[1:], rng.randint(0, len(domain.systems) - 1))]
    linkage = rng.choices(F.O_RENKEI, weights=(0.6, 0.35, 0.05))[0]
    department, division = _department(rng, body, domain)
    n_files = rng.choices((1, 2, 3), weights=(0.7, 0.22, 0.08))[0]
    file_names = list(domain.files)
    rng.shuffle(file_names)
    while len(file_names) < n_files:
        file_names.append(f"{domain.title_stem.removesuffix('に関する事務')}連携用ファイル{len(file_names)}")
    record: dict[str, Any] = {
        "source": f"synthetic-{index:06d}.txt",
        "assessment": {
            "number": str(rng.randint(1, 180)),
            "title": title,
            "kind": kind,
            "form_version": version,
            "organization": body.head,
            "published": published.isoformat() if rng.random() < 0.93 else None,
        },
        "business_name": business,
        "systems": systems,
        "mynumber_legal_basis": _legal_basis(rng, domain),
        "info_network_linkage": linkage,
        "info_network_legal_basis": (_network_basis(rng, domain) if linkage == "実施する"
                                     else rng.choice((None, "―", "－"))),
        "department": department,
        "files": [_file(rng, domain, body, file_names[i], linkage == "実施する", systems, department)
                  for i in range(n_files)],
        # extra fields
        "domain": domain.key,
        "business_description": list(domain.tasks[: rng.randint(2, len(domain.tasks))]),
        "target_population": (rng.choice(F.O_NINZU5[3:]) if kind == F.KIND_ZENKOUMOKU
                              else rng.choice(F.O_NINZU4[2:])),
        "department_head_title": division + "長",
        "special_notes": rng.choice((None, None, "なし")),
        "declaration": rng.choice(DECLARATIONS_KEYS),
        "procedure": {
            "basic_assessment_date": (published - dt.timedelta(days=rng.randrange(20, 200))).isoformat(),
            "threshold_result": (F.O_SHIKII_J[0] if kind == F.KIND_JUUTEN and rng.random() < 0.8
                                 else (rng.choice(F.O_SHIKII_J[1:]) if kind == F.KIND_JUUTEN
                                       else F.O_SHIKII_Z[0])),
        },
    }
    # the name/address category printed by the form version: 5情報 from the 令和７年５月 forms on
    five = (version or "").startswith("令和７年")
    for file in record["files"]:
        file["record_categories"] = [
            (F.C_KIROKU_5 if five else F.C_KIROKU_4) if c in (F.C_KIROKU_4, F.C_KIROKU_5) else c
            for c in file["record_categories"]]
    record["changes"] = _changes(rng, record, published)
    return record


DECLARATIONS_KEYS = (0, 1, 2)
