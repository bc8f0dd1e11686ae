"""Render a record as PDF-extracted text in the layout of the real assessments.

Layout model (shared/docs/form-fields.md §2): a document is a list of pages separated by exactly
three blank lines; a page is a list of *units*; a unit is a list of *blocks* separated by one blank
line; a block is one or more lines. Label lines start with exactly one ASCII space; value lines never
do. With ``shuffle=True`` the units of every page are shuffled (pages stay in order) and the
pitfalls of the real texts are reproduced: checkbox grids cut into cells with detached marks (P3),
option lists interleaved with chosen values (P4), values printed before their labels (P1) and long
values wrapped mid-word (P5). A value is kept in the same unit as its label wherever the record
claims to know it; where the layout makes a value undecidable (a cut checkbox grid, two grids with
the same option texts on one page, 提供先1 and 移転先1 sharing the labels ① and ⑦ on one page, 変更日
printed apart from their rows), the truth record gets ``null`` and an ``uncertain`` entry, exactly as
the extractor is asked to do.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
from typing import Any

from . import forms as F
from .pools import DECLARATIONS, DESCRIPTION_OPENERS, DOMAINS, RISK_SENTENCES, STORAGE_SENTENCES
from .record import full_width_digits, wareki

Unit = list[str]
Page = list[Unit]

_DOMAIN_BY_KEY = {domain.key: domain for domain in DOMAINS}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_ITEM_NAMES = ("宛名番号", "個人番号", "氏名（漢字）", "氏名（カナ）", "生年月日", "性別", "郵便番号", "住所",
               "世帯番号", "続柄", "異動年月日", "異動事由", "資格取得日", "資格喪失日", "課税区分", "所得金額",
               "口座情報", "電話番号", "認定区分", "決定年月日", "支給額", "停止事由", "備考欄", "更新日時",
               "届出区分", "受付番号", "処理状況", "通知年月日", "送付先住所", "送付先氏名", "金融機関コード",
               "支店コード", "口座種別", "口座番号", "口座名義（カナ）", "前住所", "転入年月日", "転出予定日",
               "死亡年月日", "世帯主氏名", "扶養人数", "障害の有無", "申請年月日", "審査結果", "通知書番号",
               "再交付区分", "登録者コード", "登録日時", "削除区分", "団体内統合宛名番号")


def _date_text(iso: str | None) -> str | None:
    return wareki(dt.date.fromisoformat(iso)) if iso else None


class _Renderer:
    def __init__(self, record: dict[str, Any], rng: random.Random, shuffle: bool) -> None:
        self.record = record
        self.rng = rng
        self.shuffle = shuffle
        self.width = rng.randint(40, 50)
        self.kind = record["assessment"]["kind"]
        self.full = self.kind == F.KIND_ZENKOUMOKU
        # records are JSON-ready: a JSON round trip is a fast deep copy
        self.truth = json.loads(json.dumps(record, ensure_ascii=False))
        self.truth["uncertain"] = []
        self.domain = _DOMAIN_BY_KEY.get(record.get("domain", ""), DOMAINS[0])

    # --- text helpers ------------------------------------------------------------------------
    def wrap(self, text: str, first: int | None = None, width: int | None = None) -> list[str]:
        """Cut a value into lines mid-word; no line may start with an ASCII space."""
        width = width or self.width
        lines: list[str] = []
        size = first or width
        while len(text) > size:
            cut = size
            while cut < len(text) and text[cut] == " ":
                cut += 1
            lines.append(text[:cut])
            text = text[cut:]
            size = width
        if text:
            lines.append(text)
        return lines

    def value_lines(self, text: str, first: int | None = None) -> list[str]:
        if text.startswith("・"):
            lines: list[str] = []
            for item in text.split("・")[1:]:
                lines.extend(self.wrap("・" + item))
            return lines
        return self.wrap(text, first)

    def prose(self, count: int) -> str:
        return "".join(self.rng.sample(RISK_SENTENCES, count))

    # --- unit builders -----------------------------------------------------------------------
    def labeled(self, label: str, value: str | None, *, p1: bool = True) -> list[Unit]:
        """A label and its value, kept together in one unit."""
        if value is None or value == "":
            return [[label]]
        lines = self.value_lines(value)
        single = len(lines) == 1 and "\n" not in label and len(label) + len(value) < self.width + 12
        if not self.shuffle:
            if single:
                return [[f"{label} {value}"]]
            if "\n" not in label and not value.startswith("・"):
                # a long value starts on its label's line and wraps below it
                head = self.wrap(value, max(8, self.width - len(label)))
                return [["\n".join([f"{label} {head[0]}", *self.wrap("".join(head[1:]))])]]
            return [[label, "\n".join(lines)]]
        roll = self.rng.random()
        if single and p1 and roll < 0.15:
            return [[f"{value}{label}"]]           # P1: the value before its label
        if single and roll < 0.7:
            return [[f"{label} {value}"]]
        if "\n" not in label and len(label) < 20 and not value.startswith("・") and roll < 0.85:
            head = self.wrap(value, max(8, self.width - len(label)))
            return [["\n".join([f"{label} {head[0]}", *self.wrap("".join(head[1:]))])]]
        return [[label, "\n".join(lines)]]

    def options_units(self, options: tuple[str, ...]) -> list[Unit]:
        lines = _option_lines(options)
        if not self.shuffle:
            return [["＜選択肢＞\n" + "\n".join(lines)]]
        roll = self.rng.random()
        if roll < 0.2:
            return [["＜選択肢＞\n" + "\n".join(lines)]]
        if roll < 0.6:
            glued = [" ".join(lines[i:i + 2]) for i in range(0, len(lines), 2)]
            return [["＜選択肢＞\n" + "\n".join(glued)]]
        if roll < 0.75:
            return [["\n".join(reversed(lines)) + "\n＜選択肢＞"]]
        odd, even = lines[0::2], lines[1::2]
        units: list[Unit] = [["＜選択肢＞\n" + "\n".join(odd)]]
        if even:
            units.append(["\n".join(even)])
        return units

    def choice(self, label: str, options: tuple[str, ...], chosen: str | None, *, detach: bool = True) -> list[Unit]:
        """A single-choice field: label, chosen value and its ＜選択肢＞ list."""
        units = self.options_units(options)
        if not self.shuffle:
            return [[f"{label} [ {chosen or ''} ]".replace("[  ]", "[ ]")], *units]
        if chosen is None:
            return [[label], ["[ ]"], *units]
        wrapped_label = "\n" in label
        roll = self.rng.random() if detach else 0.0
        if roll < 0.45:
            attached = f"{label}\n[ {chosen}" if wrapped_label else f"{label} [ {chosen}"
            units += [[attached], ["]"]]
        elif roll < 0.7:
            units += [[label], [chosen], ["["], ["]"]]
        elif roll < 0.8:
            units += [[label], [f"{chosen}["], ["]"]]
        elif roll < 0.92:
            units += [[label], [f"[ {chosen}"], ["]"]]
        elif not wrapped_label and roll < 0.96:
            # the label glued to its list header: ` ②しきい値判断結果 ＜選択肢＞` + the options below
            units = [[f"{label} ＜選択肢＞\n" + "\n".join(_option_lines(options))], [f"][ {chosen}"]]
        else:
            units += [[label], [f"][ {chosen}"]]
        return units

    def grid(self, label: str, options: tuple[str, ...], checked: list[str] | None, columns: int, *,
             texts: dict[str, str] | None = None) -> tuple[list[Unit], list[str]]:
        """A checkbox grid; returns its units and the options whose marks the layout detached."""
        checked_set = set(checked or ())
        texts = texts or {}
        cells = [(option, option in checked_set, texts.get(option, option)) for option in options]
        rows = [cells[i:i + columns] for i in range(0, len(cells), columns)]

        tight = self.shuffle and self.rng.random() < 0.1

        def mark(on: bool) -> str:
            # some forms print the checked box without the inner space: `[ ○] label`
            return ("[ ○]" if tight else "[ ○ ]") if on else "[ ]"

        def intact(row: list[tuple[str, bool, str]]) -> str:
            return " ".join(f"{mark(on)} {text}" for _, on, text in row)

        if not self.shuffle:
            return [[label, "\n".join(intact(row) for row in rows)]], []
        if self.rng.random() < 0.3:
            # intact rows, but each a block of its own, away from the label (002:68 vs 80)
            return [[label], *[[intact(row)] for row in rows]], []
        units: list[Unit] = [[label]]
        unreadable: list[str] = []
        for row in rows:
            variant = self.rng.random()
            if variant < 0.15:
                units.append([intact(row)])
                continue
            for position, (option, on, text) in enumerate(row):
                if text.endswith(" ）") and self.rng.random() < 0.6:
                    text, tail = text[:-1].rstrip(), "）"
                    units.append([tail])
                if position == 0 and variant < 0.6:
                    # the left cell keeps its own mark and takes the right cell's opening bracket (P3)
                    nxt = row[1][1] if len(row) > 1 else None
                    suffix = "" if nxt is None else (" [ ○" if nxt else " [")
                    units.append([f"{mark(on)} {text}{suffix}"])
                else:
                    unreadable.append(option)
                    if self.full and text == "フラッシュメモリ" and self.rng.random() < 0.5:
                        text = "フラッシュメモ\nリ"  # the narrow 全項目 cell wraps the option
                    units.append([f"] {text}"])
                    if position == 0 or variant >= 0.6:
                        units.append(["[ ○" if on else "["])
        return units, unreadable

    def abstain(self, path: list[str | int], unreadable: list[str], hidden: Any, *,
                reason: str = "checkbox marks detached from labels") -> None:
        """Null a value the layout made undecidable and say why, as the extractor must."""
        self.set_truth(path, None)
        # candidates: the options the text leaves open; hidden: the value the record holds, for
        # tests of abstention behaviour
        self.truth["uncertain"].append({"path": "/" + "/".join(map(str, path)), "candidates": unreadable,
                                        "reason": reason, "hidden": hidden})

    def get_truth(self, path: list[str | int]) -> Any:
        target: Any = self.truth
        for key in path:
            target = target[key]
        return target

    def set_truth(self, path: list[str | int], value: Any) -> None:
        target: Any = self.truth
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    # --- pages -------------------------------------------------------------------------------
    def cover(self) -> Page:
        a = self.record["assessment"]
        body_name = a["organization"].removesuffix("長")
        decl = DECLARATIONS[self.record.get("declaration", 0) % len(DECLARATIONS)].format(
            body=body_name, business=self.record["business_name"])
        kind_line = F.COVER_TITLES[a["kind"]]
        units: Page = [[kind_line]]
        if self.full or self.rng.random() < 0.2:
            units.append([F.COVER_LABELS[1], a["number"]])
            units.append([" 評価書名", a["title"]])
        else:
            units.append([F.COVER_LABELS[0], f"{a['number']} {a['title']}"])
        units.append([" 個人のプライバシー等の権利利益の保護の宣言", "\n".join(self.wrap(decl, width=36))])
        notes = self.record.get("special_notes")
        units.append([f"{F.COVER_LABELS[3]} {notes}" if notes else F.COVER_LABELS[3]])
        if a["form_version"]:
            units.append([f"[{a['form_version']}]"])
        units.append([" 評価実施機関名", a["organization"]])
        published = _date_text(a["published"])
        units.append([" 公表日", published] if published else [" 公表日"])
        if self.full:
            units.append([" 個人情報保護委員会　承認日　【行政機関等のみ】"])
        if self.shuffle and self.rng.random() < 0.3:
            # some bodies print the cover fields before the title (form-fields.md P11)
            head, tail = units[:1], units[1:]
            self.rng.shuffle(tail)
            return tail + head
        return units

    def toc(self) -> Page:
        headings = list(F.TOC_ZENKOUMOKU if self.full else F.TOC_JUUTEN)
        return [[F.COVER_LABELS[2]], *[[h] for h in headings]]

    def basic_pages(self) -> list[Page]:
        r = self.record
        n = 0 if not self.full else 1
        first: Page = [["Ⅰ　基本情報\n １．特定個人情報ファイルを取り扱う事務"]]
        first += self.labeled(" ①事務の名称", r["business_name"])
        opener = self.rng.choice(DESCRIPTION_OPENERS).format(law=self.domain.law,
                                                             body=r["assessment"]["organization"][:-1])
        tasks: list[str] = []
        for i, task in enumerate(r.get("business_description") or self.domain.tasks[:2], 1):
            tasks.append(f"{full_width_digits(str(i))}．{task}")
            tasks += self.wrap(f"　{task}に当たっては、{self.domain.law}及び関係規則に定める手続に従い、"
                               f"必要な情報を確認した上で処理する。")
        first.append([" ②事務の内容　※" if self.full else " ②事務の内容",
                      "\n".join([*self.wrap(opener), *tasks])])
        first += self.choice(" ③対象人数", F.O_NINZU5 if self.full else F.O_NINZU4, r.get("target_population"))
        systems = r["systems"]
        per_page = 3
        pages = [first]
        current = first
        for i, name in enumerate(systems, 1):
            if i > 1 and (i - 1) % per_page == 0:
                current = []
                pages.append(current)
            task = self.domain.tasks[(i - 1) % len(self.domain.tasks)]
            functions = (f"{name}により、{task}に必要な情報を管理する。"
                         f"{self.rng.choice(('画面照会', '帳票出力', '統計作成', '他システムとの連携'))}の機能を備え、"
                         f"処理結果は履歴として保存する。")
            if i == 1:
                current.append([" ２．特定個人情報ファイルを取り扱う事務において使用するシステム",
                                f" ①システムの名称 {name}"])
                current.append([" システム1"])
            else:
                current.append([f" システム{i}", f" ①システムの名称 {name}"])
            current.append([" ②システムの機能", "\n".join(self.wrap(functions))])
            checked = ["宛名システム等", "既存住民基本台帳システム"] if i == 1 else ["庁内連携システム"]
            if r["info_network_linkage"] == "実施する" and i == 1:
                checked.append("情報提供ネットワークシステム")
            units, _ = self.grid(" ③他のシステムとの接続", F.C_CONN, checked, 2)
            current += units
            if i == 2:
                current.append([f" システム{F.SYSTEM_RANGES[0]}"])
        for caption in F.SYSTEM_RANGES[1:] if len(systems) > 1 else F.SYSTEM_RANGES:
            current.append([f" システム{caption}"])
        second: Page = []
        names = [f["name"] for f in r["files"]]
        listed = names[0] if len(names) == 1 else "\n".join(
            f"{full_width_digits(str(i))}．{name}" for i, name in enumerate(names, 1))
        second.append([" ３．特定個人情報ファイル名", listed])
        if self.full:
            second += self.labeled(" ４．特定個人情報ファイルを取り扱う理由\n ①事務実施上の必要性",
                                   f"{r['business_name']}を正確かつ迅速に行うため、個人番号により対象者を特定する必要がある。")
            second += self.labeled(" ②実現が期待されるメリット", "添付書類の省略による住民の負担軽減と事務の効率化が図られる。")
        basis_label = " 法令上の根拠"
        numbered = [f" {full_width_digits(str(k + n))}．{label}" for k, label in enumerate(F.SECTION_I_NUMBERED, 4)]
        second.append([numbered[0]])
        second += self.labeled(basis_label, r["mynumber_legal_basis"], p1=False)
        second.append([numbered[1]])
        second += self.choice(" ①実施の有無", F.O_RENKEI, r["info_network_linkage"])
        second += self.labeled(" ②法令上の根拠", r["info_network_legal_basis"], p1=False)
        second.append([numbered[2]])
        second += self.labeled(" ①部署", r["department"])
        second += self.labeled(" ②所属長の役職名", r.get("department_head_title"))
        other_bodies = numbered[3]
        second.append([other_bodies, "―"] if self.rng.random() < 0.5 else [other_bodies])
        pages.append(second)
        if self.full:
            flow = [["　（別添1） 事務の内容"], ["\n".join(self.wrap(f"{r['business_name']}の流れ"))]]
            flow += [[f"{i}. {task}"] for i, task in enumerate(r.get("business_description") or [], 1)]
            pages.append(flow)
        return pages

    def file_pages(self, index: int) -> list[Page]:
        f = self.record["files"][index]
        base = ["files", index]
        pages: list[Page] = []
        # ２．基本情報
        page: Page = [["Ⅱ　特定個人情報ファイルの概要"], [" １．特定個人情報ファイル名", f["name"]],
                      [" ２．基本情報"]]
        page += self.choice(" ①ファイルの種類　※", F.O_FTYPE, f["file_type"])
        page += self.choice(" ②対象となる本人の数", F.O_HONNIN, f["subject_count"])
        page += self.labeled(" ③対象となる本人の範囲　※", f.get("subject_scope"), p1=False)
        page += self.labeled(" その必要性", f"{self.record['business_name']}の対象者を正確に把握するため。")
        page += self.choice(" ④記録される項目", F.O_KOUMOKU, f["record_item_count"])
        page += self.kiroku_grid(f, base)
        page += self.labeled(" その妥当性", "・個人番号：対象者を正確に特定するため・住所等：通知の送付先を把握するため")
        page += self.labeled(" 全ての記録項目", "別添２を参照。" if self.full else "別添１を参照。")
        page += self.labeled(" ⑤保有開始日", f["retention_start"])
        page += self.labeled(" ⑥事務担当部署", f.get("responsible_department"))
        pages.append(page)
        # ３．入手・使用
        page = [[" ３．特定個人情報の入手・使用"]]
        detail = {s: f"{s} （ {d} ）" for s, d in (f.get("sources_detail") or {}).items()}
        for option in F.C_NYUSHUMOTO[1:]:
            detail.setdefault(option, f"{option} （ ）")
        units, unreadable = self.grid(" ①入手元　※", F.C_NYUSHUMOTO, f.get("sources"), 2, texts=detail)
        page += units
        if unreadable:
            self.abstain([*base, "sources"], unreadable, f.get("sources"))
        other = f.get("acquisition_methods_other")
        units, unreadable = self.grid(" ②入手方法", F.C_NYUSHU, f.get("acquisition_methods"), 3,
                                      texts={F.OTHER: f"その他 （ {other} ）" if other else "その他 （ ）"})
        page += units
        if unreadable:
            self.abstain([*base, "acquisition_methods"], unreadable, f.get("acquisition_methods"))
            self.set_truth([*base, "acquisition_methods_other"], None)
        other_checked = (F.OTHER in (f.get("sources") or ())) or (F.OTHER in (f.get("acquisition_methods") or ()))
        if self.shuffle and other_checked:
            # both grids print `[ ○ ] その他 （ … ）`: a checked その他 row is either grid's
            for key in ("sources", "acquisition_methods"):
                if self.get_truth([*base, key]) is not None:
                    self.abstain([*base, key], [F.OTHER], f.get(key),
                                 reason="①入手元 and ②入手方法 share the page and the その他 option")
            if self.get_truth([*base, "acquisition_methods_other"]) is not None:
                self.set_truth([*base, "acquisition_methods_other"], None)
        n = 3 if self.full else 0
        if self.full:
            page += self.labeled(" ③入手の時期・頻度", "届出又は申請を受け付けた都度")
            page += self.labeled(" ④入手に係る妥当性", "法令に定める届出に基づき、必要な範囲で入手している。")
            page += self.labeled(" ⑤本人への明示", "申請書の様式に利用目的を記載している。")
        use_labels = [f" {_CIRCLED[k + n]}{label}" for k, label in enumerate(F.SECTION_II3_LABELS, 2)]
        page += self.labeled(use_labels[0], f.get("purpose"))
        page.append([use_labels[1]])
        page += self.labeled(" 使用部署", f.get("user_departments"))
        page += self.choice(" 使用者数", F.O_NIN, f.get("user_count"))
        usage = "".join(f"・{task}に当たり、届出の内容を住民票関係情報と照合して確認する。"
                        for task in (self.record.get("business_description") or self.domain.tasks[:2]))
        page += self.labeled(use_labels[2], usage, p1=False)
        page += self.labeled(" 情報の突合", "届出の内容と住民票関係情報を突合し、記載事項を確認する。")
        page += self.labeled(use_labels[3], f.get("use_start"))
        pages.append(page)
        pages += self.entrustment_pages(f, base)
        pages += self.flow_pages(f, base)
        # ６．保管・消去, ７．備考
        storage = "\n".join(line for s in STORAGE_SENTENCES for line in self.wrap(s))
        if self.full:
            page = [[" ６．特定個人情報の保管・消去"], [" ①保管場所　※", storage]]
            page += self.choice(" ②保管期間\n 期間", F.O_KIKAN, self.rng.choice(F.O_KIKAN))
            page += self.labeled(" その妥当性", "法令に定める保存期間に基づく。")
            page += self.labeled(" ③消去方法", "保存期間の経過後、復元できない方法で消去する。")
        else:
            page = [[" ６．特定個人情報の保管・消去"], [" 保管場所　※", storage]]
        page.append([" ７．備考"])
        pages.append(page)
        return pages

    def kiroku_grid(self, f: dict[str, Any], base: list[str | int]) -> list[Unit]:
        five = (self.record["assessment"]["form_version"] or "").startswith("令和７年")
        options = (*F.C_KIROKU_ID, F.C_KIROKU_5 if five else F.C_KIROKU_4, *F.C_KIROKU_CONTACT,
                   *F.C_KIROKU_BUSINESS)
        units, unreadable = self.grid(" 主な記録項目　※", options, f.get("record_categories"), 3,
                                      texts={F.OTHER: "その他 （ ）"})
        units += [["・識別情報"], ["・連絡先等情報"], ["・業務関係情報"]]
        if unreadable:
            self.abstain([*base, "record_categories"], unreadable, f.get("record_categories"))
        return units

    def entrustment_pages(self, f: dict[str, Any], base: list[str | int]) -> list[Page]:
        items = f["entrustments"]
        head: Page = [[" ４．特定個人情報ファイルの取扱いの委託"]]
        head += self.choice(" 委託の有無　※", F.O_ITAKU, f["entrustment"])
        count = f.get("entrustment_count")
        if not self.shuffle or self.rng.random() < 0.4:
            head.append([f"（ {count if count else ''} ）　件".replace("（  ）", "（ ）")])
        else:
            head += [["（"], ["）　件"]] + ([[str(count)]] if count else [])
        pages: list[Page] = []
        for i, item in enumerate(items or [None], 1):
            page = head if i == 1 else []
            if i > 1 and i <= 5:
                page.append([f" 委託事項{F.SYSTEM_RANGES[0]}"])
            page += self.entrustment_units(i, item)
            pages.append(page)
        for caption in F.SYSTEM_RANGES:
            pages[-1].append([f" 委託事項{caption}"])
        return pages

    def entrustment_units(self, i: int, item: dict[str, Any] | None) -> list[Unit]:
        units: list[Unit] = []
        title = item["title"] if item else None
        if title and (not self.shuffle or self.rng.random() < 0.5):
            units.append([f" 委託事項{i} {title}"])
        else:
            units.append([f" 委託事項{i}"])
            if title:
                units.append([title])
        get = (lambda key: item.get(key)) if item else (lambda key: None)
        units += self.labeled(" ①委託内容", get("content"), p1=False)
        if self.full:
            units += self.choice(" ②取扱いを委託する特定個\n人情報ファイルの範囲", F.O_HANI,
                                 F.O_HANI[0] if item else None)
            units += self.choice(" 対象となる本人の\n数", F.O_HONNIN, self.rng.choice(F.O_HONNIN[:4]) if item else None)
            units += self.labeled(" 対象となる本人の\n範囲　※", "特定個人情報ファイルの範囲と同じ" if item else None)
            units += self.labeled(" その妥当性", "専門的な技術を有する事業者に委託する必要があるため。" if item else None)
            units += self.choice(" ③委託先における取扱者数", F.O_NIN, get("handlers"))
            grid, _ = self.grid(" ④委託先への特定個人情報\nファイルの提供方法", F.C_ITAKU_TEIKYO,
                                [self.rng.choice(F.C_ITAKU_TEIKYO[:5])] if item else [], 2)
            units += grid
            units += self.labeled(" ⑤委託先名の確認方法", "契約締結後、市のホームページに委託先名を掲載する。" if item else None)
            labels = (" ⑥委託先名", " ⑦再委託の有無　※", " ⑧再委託の許諾方法", " ⑨再委託事項")
        else:
            units += self.choice(" ②委託先における取扱者数", F.O_NIN, get("handlers"))
            labels = (" ③委託先名", " ④再委託の有無　※", " ⑤再委託の許諾方法", " ⑥再委託事項")
        units += self.labeled(labels[0], get("contractor"))
        units.append(["再\n委\n託"])
        units += self.choice(labels[1], F.O_SAIITAKU, get("subcontract"))
        units += self.labeled(labels[2], get("subcontract_permission"), p1=False)
        units += self.labeled(labels[3], get("subcontract_items"))
        return units

    def flow_pages(self, f: dict[str, Any], base: list[str | int]) -> list[Page]:
        provisions, transfers = f["provisions"], f["transfers"]
        head: Page = [[" ５．特定個人情報の提供・移転（委託に伴うものを除く。）"]]
        p_count = f"（ {len(provisions)} ）件" if provisions else "（ ）件"
        t_count = f"（ {len(transfers)} ）件" if transfers else "（ ）件"
        if self.shuffle and self.rng.random() < 0.5:
            # the count cells split too: `] 提供を行っている 1 ） 件` with its `（` elsewhere (P14)
            p_count = f"{len(provisions) or ''} ） 件".lstrip()
            t_count = f"{len(transfers) or ''} ） 件".lstrip()
            head += [["（"], ["（"]]
        texts = {F.PROVISION_DONE: f"{F.PROVISION_DONE} {p_count}", F.TRANSFER_DONE: f"{F.TRANSFER_DONE} {t_count}"}
        checked = [o for o, on in ((F.PROVISION_DONE, provisions), (F.TRANSFER_DONE, transfers),
                                   (F.NOT_DONE, not provisions and not transfers)) if on]
        units, _ = self.grid(" 提供・移転の有無", (F.PROVISION_DONE, F.TRANSFER_DONE, F.NOT_DONE), checked, 2,
                             texts=texts)
        head += units
        # 提供先1 and 移転先1 usually share the section's first page with the 有無 grid, as in all three
        # real samples; a long 提供先1 can push 移転先1 onto the next page. Further instances get a
        # page each.
        together = self.rng.random() < 0.6
        mixed = together and bool(provisions) and bool(transfers)
        first_transfer = self.flow_units(f, base, 1, transfers[0] if transfers else None, transfer=True,
                                         mixed=mixed)
        head += self.flow_units(f, base, 1, provisions[0] if provisions else None, transfer=False, mixed=mixed)
        if together:
            head += first_transfer
        if mixed and self.shuffle:
            self.shared_labels_ambiguous(base, provisions[0], transfers[0])
        if self.shuffle and together:
            # ⑥提供方法 and ⑥移転方法 (filled or empty) share this page and most option texts, and
            # shuffled rows are not tied to their label: even an intact `[ ○ ] 専用線` is nobody's
            for key, flows in (("provisions", provisions), ("transfers", transfers)):
                path = [*base, key, 0, "methods"]
                if flows and self.get_truth(path) is not None:
                    shared = [o for o in (F.C_TEIKYO if key == "provisions" else F.C_ITEN)
                              if o in F.C_TEIKYO and o in F.C_ITEN]
                    self.abstain(path, shared, list(flows[0]["methods"]),
                                 reason="⑥提供方法 and ⑥移転方法 share the page and their option texts")
                    self.set_truth([*base, key, 0, "methods_other"], None)
        pages: list[Page] = [head]
        for i, flow in enumerate(provisions[1:], 2):
            caption = f" 提供先{F.SYSTEM_RANGES[0]}" if i <= 5 else " 提供先6～10"
            pages.append([[caption], *self.flow_units(f, base, i, flow, transfer=False)])
        if not together:
            pages.append(first_transfer)
        for i, flow in enumerate(transfers[1:], 2):
            caption = f" 移転先{F.SYSTEM_RANGES[0]}" if i <= 5 else " 移転先6～10"
            pages.append([[caption], *self.flow_units(f, base, i, flow, transfer=True)])
        for caption in F.SYSTEM_RANGES:
            pages[-1].append([f" 提供先{caption}"])
            pages[-1].append([f" 移転先{caption}"])
        return pages

    def shared_labels_ambiguous(self, base: list[str | int], provision: dict[str, Any],
                                transfer: dict[str, Any]) -> None:
        """①法令上の根拠 and ⑦時期・頻度 print the same label for 提供先 and 移転先: on a shuffled page
        holding both, nothing in the layout says which value is whose (the real extractor may still
        argue from content, which the truth does not count against it)."""
        for key in ("legal_basis", "timing"):
            values = [provision[key], transfer[key]]
            if values[0] == values[1]:
                continue
            for kind, flow in (("provisions", provision), ("transfers", transfer)):
                path = [*base, kind, 0, key]
                self.set_truth(path, None)
                self.truth["uncertain"].append({
                    "path": "/" + "/".join(map(str, path)), "candidates": values,
                    "reason": "提供先1 and 移転先1 share the page and the label; value not tied to either",
                    "hidden": flow[key]})

    def flow_units(self, f: dict[str, Any], base: list[str | int], i: int, flow: dict[str, Any] | None, *,
                   transfer: bool, mixed: bool = False) -> list[Unit]:
        word = "移転" if transfer else "提供"
        get = (lambda key: flow.get(key)) if flow else (lambda key: None)
        units: list[Unit] = []
        if transfer:
            units.append([f" 移転先{i} {flow['recipient']}" if flow else f" 移転先{i}"])
        else:
            units.append([f"{flow['recipient']} 提供先{i}" if flow else f" 提供先{i}"])
        units += self.labeled(" ①法令上の根拠", get("legal_basis"), p1=False)
        units += self.labeled(f" ②{word}先における用途", get("purpose"), p1=False)
        units += self.labeled(f" ③{word}する情報", get("information"), p1=False)
        # on a page with both kinds two ④ share one option list: keep each value on its label
        units += self.choice(f" ④{word}する情報の対象となる\n本人の数", F.O_HONNIN, get("subject_count"),
                             detach=not mixed)
        units += self.labeled(f" ⑤{word}する情報の対象となる\n本人の範囲", get("subject_scope"))
        other = get("methods_other")
        options = F.C_ITEN if transfer else F.C_TEIKYO
        grid, unreadable = self.grid(f" ⑥{word}方法", options, get("methods"), 2,
                                     texts={F.OTHER: f"その他 （ {other} ）" if other else "その他 （ ）"})
        units += grid
        if flow and unreadable:
            key = "transfers" if transfer else "provisions"
            self.abstain([*base, key, i - 1, "methods"], unreadable, list(flow["methods"]))
            self.set_truth([*base, key, i - 1, "methods_other"], None)
        units += self.labeled(" ⑦時期・頻度", get("timing"))
        return units

    def appendix_page(self, index: int) -> Page:
        f = self.record["files"][index]
        rng = self.rng
        count = rng.randint(15, len(_ITEM_NAMES))
        names = rng.sample(_ITEM_NAMES, min(count, len(_ITEM_NAMES)))
        lines = ["　".join(f"{i}. {name}" for i, name in enumerate(names[j:j + 5], j + 1))
                 for j in range(0, len(names), 5)]
        heading = "　（別添２） 特定個人情報ファイル記録項目" if self.full else " （別添１） 特定個人情報ファイル記録項目"
        return [[heading], [f["name"] + "\n" + "\n".join(lines)]]

    def risk_pages(self, index: int) -> list[Page]:
        f = self.record["files"][index]
        rng = self.rng
        sections = F.RISK_ZENKOUMOKU if self.full else F.RISK_JUUTEN
        heading = ("Ⅲ　特定個人情報ファイルの取扱いプロセスにおけるリスク対策 ※（７．リスク１⑨を除く。）"
                   if self.full else "Ⅲ　リスク対策　※（７．②を除く。）")
        pages: list[Page] = []
        page: Page = [[heading], [" １．特定個人情報ファイル名", f["name"]]]
        linkage = self.record["info_network_linkage"] == "実施する"
        flags = {
            " ４．特定個人情報ファイルの取扱いの委託": [("委託しない", f["entrustment"] == "委託しない")],
            " ６．情報提供ネットワークシステムとの接続": [("接続しない（入手）", not linkage),
                                                       ("接続しない（提供）", not linkage)],
        }
        flags[F.RISK_JUUTEN[3][0]] = [("提供・移転しない", not f["provisions"] and not f["transfers"])]
        for number, (section, items) in enumerate(sections):
            if number in (2, 4) or (self.full and number in (1, 3)):
                pages.append(page)
                page = []
            flag = flags.get(section)
            if flag:
                marks = " ".join(f"{'[ ○ ]' if on else '[ ]'} {name}" for name, on in flag)
                if self.shuffle and rng.random() < 0.6:
                    page.append([section])
                    page.append([marks.replace("[ ○ ] ", "○ ] ").replace("[ ] ", "] ")])
                else:
                    page.append([f"{section} {marks}"])
            else:
                page.append([section])
            for label, options in items:
                if options is None:
                    if label.startswith(" リスク") and "：" in label:
                        page.append([label])
                    elif label in (" その内容", " 再発防止策の内容"):
                        page.append([label])
                    else:
                        page += self.labeled(label, self.prose(rng.randint(2, 4)), p1=False)
                else:
                    page += self.choice(label, options, rng.choice(options[:2]))
        if not self.full:
            grid, _ = self.grid(" ８．監査\n 実施の有無", F.C_KANSA, rng.sample(F.C_KANSA, rng.randint(1, 2)), 3)
            page += grid
            page.append([" ９．従業者に対する教育・啓発"])
            page += self.choice(" 従業者に対する教育・啓発", F.O_OKONAI3, rng.choice(F.O_OKONAI3[:2]))
            page += self.labeled(" 具体的な方法", self.prose(1), p1=False)
            page.append([" １０．その他のリスク対策"])
        pages.append(page)
        return pages

    def closing_pages(self) -> list[Page]:
        r = self.record
        rng = self.rng
        org = r["assessment"]["organization"][:-1]
        contact = (f"{r['department']}\n〒{rng.randint(100, 999)}-{rng.randint(1000, 9999)}　{org}中央"
                   f"{rng.randint(1, 9)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号\n"
                   f"電話 0{rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}")
        pages: list[Page] = []
        if self.full:
            page: Page = [["Ⅳ　その他のリスク対策 ※\n １．監査"]]
            page += self.choice(" ①自己点検", F.O_OKONAI3, rng.choice(F.O_OKONAI3[:2]))
            page += self.labeled(" 具体的なチェック方法", self.prose(1), p1=False)
            page += self.choice(" ②監査", F.O_OKONAI3, rng.choice(F.O_OKONAI3[:2]))
            page += [[" ２．従業者に対する教育・啓発"], [" ３．その他のリスク対策"]]
            pages.append(page)
        disclosure = "Ⅴ　開示請求、問合せ" if self.full else "Ⅳ　開示請求、問合せ"
        page = [[f"{disclosure}\n １．特定個人情報の開示・訂正・利用停止請求"]]
        page += self.labeled(" ①請求先", f"{org}総務部総務課\n電話 0{rng.randint(100, 999)}-{rng.randint(10, 99)}-"
                                          f"{rng.randint(1000, 9999)}".replace("\n", "　"))
        page += self.labeled(" ②請求方法", "所定の請求書に必要事項を記入し、窓口に提出する。")
        if self.full:
            page += self.choice(" ③手数料等", F.O_FEE, "無料")
        page += [[" ③法令による特別の手続" if not self.full else " ⑤法令による特別の手続", "―"],
                 [" ④個人情報ファイル簿への不\n記載等" if not self.full else " ⑥個人情報ファイル簿への不\n記載等"],
                 [" ２．特定個人情報ファイルの取扱いに関する問合せ"], [" ①連絡先", contact]]
        page += self.labeled(" ②対応方法", "問合せの内容と回答を受付簿に記録する。")
        pages.append(page)
        procedure = "Ⅵ　評価実施手続" if self.full else "Ⅴ　評価実施手続"
        proc = r.get("procedure") or {}
        page = [[f"{procedure}\n １．基礎項目評価"]]
        page += self.labeled(" ①実施日", _date_text(proc.get("basic_assessment_date")))
        page += self.choice(" ②しきい値判断結果", F.O_SHIKII_Z if self.full else F.O_SHIKII_J,
                            proc.get("threshold_result"))
        optional = "" if self.full else F.OPTIONAL_MARK
        page += [[f" ２．国民・住民等からの意見の聴取{optional}"], [" ①方法"], [" ②実施日・期間"],
                 [" ③主な意見の内容"], [f" ３．第三者点検{optional}"], [" ①実施日"], [" ②方法"], [" ③結果"]]
        pages.append(page)
        return pages

    def history_pages(self) -> list[Page]:
        rows = self.record.get("changes") or []
        appendix = F.HISTORY_TITLES[self.kind]
        header = self.rng.choice(F.HISTORY_HEADERS)
        # some bodies print each 変更日 before its row, others collect the dates of a page in a run of
        # their own that cannot be paired with the rows by position (form-fields.md §2.6 c)
        dates_apart = self.shuffle and self.rng.random() < 0.5
        pages: list[Page] = []
        page: Page = [[f"{appendix}\n{header}"]]
        for number, row in enumerate(rows):
            if number and number % 5 == 0:
                pages.append(page)
                page = [[header]]
            item = "\n".join(_chunks(row["item"], 14))
            before_after = f"{row['before']} {row['after']} {row['timing']}"
            reason = "\n".join(_chunks(row["timing_reason"], 12))
            if dates_apart:
                page += [[row["date_printed"]], [item, before_after, reason]]
                self.set_truth(["changes", number, "date"], None)
                self.truth["uncertain"].append({
                    "path": f"/changes/{number}/date", "candidates": sorted({r["date"] for r in rows}),
                    "reason": "変更日 printed in a run apart from the rows", "hidden": row["date"]})
            else:
                page.append([row["date_printed"], item, before_after, reason])
        pages.append(page)
        return pages

    # --- document ----------------------------------------------------------------------------
    def render(self) -> str:
        pages: list[Page] = [self.cover(), self.toc(), *self.basic_pages()]
        for index in range(len(self.record["files"])):
            pages += self.file_pages(index)
            pages.append(self.appendix_page(index))
            pages += self.risk_pages(index)
        pages += self.closing_pages()
        pages += self.history_pages()
        out: list[str] = []
        for page in pages:
            if self.shuffle:
                self.rng.shuffle(page)
            out.append("\n\n".join(block for unit in page for block in unit))
        lead = "\n" if self.rng.random() < 0.5 else ""
        return lead + "\n\n\n\n".join(out) + "\n"


@functools.lru_cache(maxsize=64)
def _option_lines(options: tuple[str, ...]) -> tuple[str, ...]:
    marker = ")" if options in F.HALF_WIDTH_LISTS else "）"
    return tuple(f"{i}{marker} {option}" for i, option in enumerate(options, 1))


def _chunks(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]


def render_text_with_truth(record: dict[str, Any], rng: random.Random, *,
                           shuffle: bool = True) -> tuple[str, dict[str, Any]]:
    """Render ``record``; also return the truth record (ambiguous values null, listed in ``uncertain``)."""
    renderer = _Renderer(record, rng, shuffle)
    text = renderer.render()
    return text, renderer.truth


def render_text(record: dict[str, Any], rng: random.Random, *, shuffle: bool = True) -> str:
    """Render ``record`` as PDF-extracted text in the layout of the real assessments."""
    return render_text_with_truth(record, rng, shuffle=shuffle)[0]
