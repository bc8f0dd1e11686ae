"""Render a record as a PDF laid out like the published 評価書 forms (for tests and demos).

The published forms are spreadsheets printed to PDF: bordered cells, a label column whose texts
begin with a space, a value column, single-choice fields printed as a ``[ value ]`` box next to a
``＜選択肢＞`` list, and multi-choice fields printed as grids of two or three checkboxes per row.
Each checkbox is three separately placed pieces, ``[``, the mark, and ``] label``, with the mark
set in a larger size close to the ``[`` and well left of the ``]``. That placement is what makes
plain text extraction detach the marks from their labels (form-fields.md P3), so a PDF from this
module reproduces the problem :mod:`pia_graph.extract.pdf.reader` solves.

Only the record is drawn: schema keys, plus extra keys where present (``system_details``,
``record_categories``, ``sources``/``sources_detail``, ``acquisition_methods``, ``user_count``,
``subject_count`` of a 提供先/移転先 …, all read with ``.get``); nothing is copied from the sample texts. Text is set in a TrueType
Japanese font (IPA Gothic from Debian's ``fonts-ipafont-gothic``) when one is installed, because
its embedded ToUnicode map gives back exactly the characters drawn; otherwise reportlab's built-in
CID font is used, which maps a few code points (U+3000, U+FF0D, U+FF5E …) to look-alikes on
extraction. :data:`EXACT_FONT` says which one is in use.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas

# --- fonts ------------------------------------------------------------------------------------

_TTF_CANDIDATES = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf",
)
FONT_ENV = "PIA_GRAPH_PDF_FONT"


def _register_font() -> tuple[str, bool]:
    """Register the drawing font once; return (font name, whether extraction gives it back exactly)."""
    from reportlab.pdfbase.ttfonts import TTFont

    chosen = os.environ.get(FONT_ENV, "")
    # PIA_GRAPH_PDF_FONT: a TrueType file to use, or "cid" for reportlab's built-in CID font.
    candidates = [] if chosen == "cid" else [chosen] if chosen else []
    if chosen != "cid":
        candidates += list(_TTF_CANDIDATES)
    for candidate in candidates:
        if Path(candidate).is_file():
            try:
                pdfmetrics.registerFont(TTFont("PiaGothic", candidate))
            except Exception:  # a font file reportlab cannot embed (e.g. CFF outlines): try the next
                continue
            return "PiaGothic", True
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    return "HeiseiKakuGo-W5", False


FONT, EXACT_FONT = _register_font()

# --- option lists (generic form texts, printed on every form; form-fields.md §1.5) ------------

O_NINZU = ("1,000人未満", "1,000人以上1万人未満", "1万人以上10万人未満", "10万人以上30万人未満", "30万人以上")
O_RENKEI = ("実施する", "実施しない", "未定")
O_FTYPE = ("システム用ファイル", "その他の電子ファイル（表計算ファイル等）")
O_HONNIN = ("1万人未満", "1万人以上10万人未満", "10万人以上100万人未満", "100万人以上1,000万人未満", "1,000万人以上")
O_KOUMOKU = ("10項目未満", "10項目以上50項目未満", "50項目以上100項目未満", "100項目以上")
O_NIN = ("10人未満", "10人以上50人未満", "50人以上100人未満", "100人以上500人未満", "500人以上1,000人未満", "1,000人以上")
O_ITAKU = ("委託する", "委託しない")
O_SAIITAKU = ("再委託する", "再委託しない")
O_CONN = ("情報提供ネットワークシステム", "庁内連携システム", "住民基本台帳ネットワークシステム",
          "既存住民基本台帳システム", "宛名システム等", "税務システム", "その他")
O_KIROKU_GROUPS = (
    ("・識別情報", ("個人番号", "個人番号対応符号", "その他識別情報（内部番号）")),
    ("・連絡先等情報", ("4情報（氏名、性別、生年月日、住所）", "連絡先（電話番号等）", "その他住民票関係情報")),
    ("・業務関係情報", ("国税関係情報", "地方税関係情報", "健康・医療関係情報", "医療保険関係情報",
                 "児童福祉・子育て関係情報", "障害者福祉関係情報", "生活保護・社会福祉関係情報",
                 "介護・高齢者福祉関係情報", "雇用・労働関係情報", "年金関係情報", "学校・教育関係情報",
                 "災害関係情報", "その他")),
)
O_NYUSHUMOTO = ("本人又は本人の代理人", "評価実施機関内の他部署", "行政機関・独立行政法人等",
                "地方公共団体・地方独立行政法人", "民間事業者", "その他")
O_NYUSHU = ("紙", "電子記録媒体（フラッシュメモリを除く。）", "フラッシュメモリ", "電子メール", "専用線",
            "庁内連携システム", "情報提供ネットワークシステム", "その他")
O_TEIKYO = ("情報提供ネットワークシステム", "専用線", "電子メール", "電子記録媒体（フラッシュメモリを除く。）",
            "フラッシュメモリ", "紙", "その他")
O_ITEN = ("庁内連携システム", "専用線", "電子メール", "電子記録媒体（フラッシュメモリを除く。）",
          "フラッシュメモリ", "紙", "その他")
O_HANI = ("特定個人情報ファイルの全体", "特定個人情報ファイルの一部")
O_ITAKU_TEIKYO = ("専用線", "電子メール", "電子記録媒体（フラッシュメモリを除く。）", "フラッシュメモリ", "紙", "その他")
OTHER = "その他"

# --- page geometry (points; y measured from the top of the page) ------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 40.0
MARGIN_TOP = 48.0
MARGIN_BOTTOM = 48.0
TABLE_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
LABEL_WIDTH = 120.0
VALUE_X = MARGIN_X + LABEL_WIDTH
VALUE_WIDTH = TABLE_WIDTH - LABEL_WIDTH
TEXT_SIZE = 8.5
OPTION_SIZE = 7.5  # the ＜選択肢＞ lists are printed smaller
MARK_SIZE = 11.0
LINE_STEP = 12.0
PAD = 4.0
# Checkbox pieces, relative to the start of an option cell: "[" at 0, the mark close to it, "]"
# well to the right (a wide mark cell in the spreadsheet), then the label.
MARK_OFFSET = 5.0
MARK_DROP = 4.5
CLOSE_OFFSET = 44.0
LABEL_OFFSET = 48.5
# A checkbox label wraps under itself in its column up to this many lines (``] フラッシュメモ`` /
# ``リ``), as in the published forms; a longer one takes a row of its own.
WRAP_LINES = 2


def text_width(text: str, size: float = TEXT_SIZE) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def wrap(text: str, width: float, size: float = TEXT_SIZE) -> list[str]:
    """Break ``text`` into lines that fit ``width`` (by character: Japanese has no word spaces)."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        current = ""
        for char in paragraph:
            if current and text_width(current + char, size) > width:
                lines.append(current)
                current = char
            else:
                current += char
        lines.append(current)
    return lines


# --- rows: what one table row draws -------------------------------------------------------------

@dataclass
class Checkbox:
    label: str
    checked: bool
    # False for a label that takes a row of its own (その他, or too long even to wrap in a column)
    label_fits_column: bool = True


def _column_width(columns: int) -> float:
    return (VALUE_WIDTH - 2 * PAD) / columns


def _label_lines(box: Checkbox, width: float) -> list[str]:
    """The label of a checkbox in a column of ``width``, wrapped under itself as the forms do."""
    return wrap(box.label, width - LABEL_OFFSET - 4)


def _grid_row_step(grid_row: list[Checkbox] | str, columns: int) -> float:
    """Height of one grid row: a caption, or checkboxes whose labels may wrap."""
    if isinstance(grid_row, str):
        return LINE_STEP * 1.35
    width = _column_width(columns) if len(grid_row) > 1 or grid_row[0].label_fits_column else VALUE_WIDTH - 2 * PAD
    lines = max(len(_label_lines(box, width)) for box in grid_row)
    return LINE_STEP * (lines - 1) + LINE_STEP * 1.35


@dataclass
class Row:
    """One table row: a label cell and value content, or a full-width section heading."""

    label: str | None
    text: str | None = None
    choice: tuple[str | None, Sequence[str]] | None = None  # (chosen value, options)
    grid: list[list[Checkbox] | str] | None = None  # rows of checkboxes, or a sub-heading line
    heading: str | None = None  # text outside the table (page titles)
    section: bool = False  # a full-width bordered row holding only the label text
    columns: int = 2
    extra_lines: list[str] = field(default_factory=list)  # printed below a grid or choice

    def height(self) -> float:
        if self.heading is not None:
            return 26.0
        if self.section:
            return len(wrap(self.label or "", TABLE_WIDTH - 2 * PAD)) * LINE_STEP + 2 * PAD
        label_lines = len(wrap(self.label or "", LABEL_WIDTH - 2 * PAD))
        value_lines = 1
        if self.text is not None:
            value_lines = len(wrap(self.text, VALUE_WIDTH - 2 * PAD))
        elif self.choice is not None:
            value_lines = max(len(self.choice[1]) + 1, 1)
        elif self.grid is not None:
            value_lines = sum(_grid_row_step(grid_row, self.columns) for grid_row in self.grid) / LINE_STEP
        value_lines += len(self.extra_lines)
        return max(label_lines, value_lines) * LINE_STEP + 2 * PAD


class _Pages:
    """A canvas with a top-down cursor that starts a new page when a row does not fit."""

    def __init__(self, path: Path, encrypt: str | None, label_spaces: bool = True) -> None:
        self.canvas = rl_canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt, pageCompression=1)
        self.label_spaces = label_spaces
        self.canvas.setTitle("特定個人情報保護評価書")
        self.y = MARGIN_TOP
        self.page_started = False

    def new_page(self) -> None:
        if self.page_started:
            self.canvas.showPage()
        self.y = MARGIN_TOP
        self.page_started = True

    def ensure(self, height: float) -> None:
        if not self.page_started or self.y + height > PAGE_HEIGHT - MARGIN_BOTTOM:
            self.new_page()

    def text(self, x: float, top: float, text: str, size: float = TEXT_SIZE) -> None:
        """Draw ``text`` with its line box starting at ``top`` (baseline placed for the size)."""
        self.canvas.setFont(FONT, size)
        self.canvas.drawString(x, PAGE_HEIGHT - top - size * 0.88, text)

    def cell(self, x: float, top: float, width: float, height: float) -> None:
        self.canvas.setLineWidth(0.6)
        self.canvas.rect(x, PAGE_HEIGHT - top - height, width, height, stroke=1, fill=0)

    def save(self) -> None:
        self.canvas.save()


def _choice_box_width(chosen: str | None) -> float:
    """The chosen-value box: 45% of the value column, wider when the value needs it."""
    needed = text_width(f"[ {chosen} ]") + 2 * PAD + 4 if chosen else 0.0
    return min(max(VALUE_WIDTH * 0.45, needed), VALUE_WIDTH * 0.52)


def _draw_checkbox(pages: _Pages, x: float, top: float, box: Checkbox, width: float) -> None:
    pages.text(x, top, "[")
    if box.checked:
        # The mark is set larger and lower, centred in its own (spreadsheet) cell.
        pages.text(x + MARK_OFFSET, top + (TEXT_SIZE - MARK_SIZE) / 2 + MARK_DROP, "○", MARK_SIZE)
    pages.text(x + CLOSE_OFFSET, top, "]")
    for index, line in enumerate(_label_lines(box, width)):
        pages.text(x + LABEL_OFFSET, top + index * LINE_STEP, line)


def _label_text(pages: _Pages, row: Row) -> str:
    """The label as drawn: with its leading space (as the published forms print it) or without."""
    label = row.label or ""
    return label if pages.label_spaces else label.lstrip(" ")


def _draw_row(pages: _Pages, row: Row) -> None:
    height = row.height()
    pages.ensure(height)
    top = pages.y
    if row.heading is not None:
        pages.text(MARGIN_X, top + 6, row.heading, 12.0)
        pages.y += height
        return
    if row.section:
        pages.cell(MARGIN_X, top, TABLE_WIDTH, height)
        for index, line in enumerate(wrap(_label_text(pages, row), TABLE_WIDTH - 2 * PAD)):
            pages.text(MARGIN_X + PAD, top + PAD + index * LINE_STEP, line)
        pages.y += height
        return
    pages.cell(MARGIN_X, top, LABEL_WIDTH, height)
    for index, line in enumerate(wrap(_label_text(pages, row), LABEL_WIDTH - 2 * PAD)):
        pages.text(MARGIN_X + PAD, top + PAD + index * LINE_STEP, line)
    line_top = top + PAD
    if row.choice is not None:
        chosen, options = row.choice
        box_width = _choice_box_width(chosen)
        pages.cell(VALUE_X, top, box_width, height)
        pages.cell(VALUE_X + box_width, top, VALUE_WIDTH - box_width, height)
        # "[" at the box's left edge, "]" at its right, the value between (the spreadsheet's
        # chosen-value cell), which plain extraction splits into "[ value" and "]".
        pages.text(VALUE_X + PAD, line_top, "[")
        if chosen:
            pages.text(VALUE_X + PAD + text_width("[ "), line_top, chosen)
        pages.text(VALUE_X + box_width - PAD - text_width("]"), line_top, "]")
        pages.text(VALUE_X + box_width + PAD, line_top, "＜選択肢＞", OPTION_SIZE)
        for index, option in enumerate(options, start=1):
            pages.text(VALUE_X + box_width + PAD, line_top + index * LINE_STEP, f"{index}） {option}", OPTION_SIZE)
        for index, extra in enumerate(row.extra_lines):
            pages.text(VALUE_X + PAD, line_top + (index + 1) * LINE_STEP, extra)
    else:
        pages.cell(VALUE_X, top, VALUE_WIDTH, height)
        if row.text is not None:
            for index, line in enumerate(wrap(row.text, VALUE_WIDTH - 2 * PAD)):
                pages.text(VALUE_X + PAD, line_top + index * LINE_STEP, line)
        elif row.grid is not None:
            column_width = _column_width(row.columns)
            row_top = line_top
            for grid_row in row.grid:
                if isinstance(grid_row, str):
                    pages.text(VALUE_X + PAD, row_top, grid_row)
                else:
                    for column, box in enumerate(grid_row):
                        width = column_width if len(grid_row) > 1 or box.label_fits_column else VALUE_WIDTH - 2 * PAD
                        _draw_checkbox(pages, VALUE_X + PAD + column * column_width, row_top, box, width)
                row_top += _grid_row_step(grid_row, row.columns)
            for index, extra in enumerate(row.extra_lines):
                pages.text(VALUE_X + PAD, row_top + index * LINE_STEP * 1.35, extra)
    pages.y += height


# --- record → rows --------------------------------------------------------------------------------

def wareki(iso: str | None) -> str | None:
    """``2025-08-01`` → ``令和7年8月1日`` (as the forms print dates); other text unchanged."""
    if not iso:
        return None
    try:
        date = _dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    if date >= _dt.date(2019, 5, 1):
        era, year = "令和", date.year - 2018
    elif date >= _dt.date(1989, 1, 8):
        era, year = "平成", date.year - 1988
    else:
        return iso
    year_text = "元" if year == 1 else str(year)
    return f"{era}{year_text}年{date.month}月{date.day}日"


def _fits(labels: Iterable[str], columns: int) -> bool:
    width = (VALUE_WIDTH - 2 * PAD) / columns - LABEL_OFFSET - 4
    return all(text_width(label) <= width for label in labels)


def grid_rows(options: Sequence[str], checked: Iterable[str], other_text: str | None = None,
              details: dict[str, str] | None = None, columns: int | None = None) -> tuple[list[list[Checkbox]], int]:
    """Lay ``options`` out in rows of two or three checkboxes.

    An option whose label does not fit one column takes a row of its own (as その他 always does),
    so no label runs into the next checkbox.
    """
    chosen = set(checked or [])
    details = details or {}

    def label_of(option: str) -> str:
        if option == OTHER:
            text = other_text or details.get(OTHER)
            return f"その他 （ {text} ）" if text else "その他 （ ）"
        if details.get(option):
            return f"{option} （ {details[option]} ）"
        return option

    plain = [option for option in options if option != OTHER]
    if columns is None:
        fitting = sum(1 for option in plain if _fits([label_of(option)], 3))
        columns = 3 if fitting >= len(plain) - 1 else 2
    rows: list[list[Checkbox]] = []
    current: list[Checkbox] = []
    for option in plain:
        box = Checkbox(label_of(option), option in chosen)
        if len(_label_lines(box, _column_width(columns))) > WRAP_LINES:
            box.label_fits_column = False
            if current:
                rows.append(current)
                current = []
            rows.append([box])
            continue
        current.append(box)
        if len(current) == columns:
            rows.append(current)
            current = []
    if current:
        rows.append(current)
    if OTHER in options:
        rows.append([Checkbox(label_of(OTHER), OTHER in chosen, label_fits_column=False)])
    return rows, columns


def _printable(value: Any) -> str:
    """A record value as the form prints it: a list one item per line, None as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(_printable(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(f"{key}：{_printable(item)}" for key, item in value.items())
    return str(value)


def _text_row(label: str, value: Any) -> Row:
    return Row(label=f" {label}", text=_printable(value))


def _choice_row(label: str, value: str | None, options: Sequence[str], extra: Sequence[str] = ()) -> Row:
    return Row(label=f" {label}", choice=(value, options), extra_lines=list(extra))


def _grid_row(label: str, options: Sequence[str], checked: Iterable[str] | None, other_text: str | None = None,
              details: dict[str, str] | None = None) -> Row:
    checked = list(checked or [])
    rows, columns = grid_rows(_with_unlisted(options, checked), checked, other_text, details)
    return Row(label=f" {label}", grid=list(rows), columns=columns)


FIVE_INFO = "5情報（氏名、氏名の振り仮名、性別、生年月日、住所）"


def _with_unlisted(options: Sequence[str], checked: Iterable[str]) -> list[str]:
    """``options`` plus any checked option the list lacks (kept before その他), so none is lost."""
    result = list(options)
    for option in checked:
        if option not in result:
            result.insert(result.index(OTHER) if OTHER in result else len(result), option)
    return result


def _kiroku_row(file: dict) -> Row:
    checked = list(file.get("record_categories") or [])
    grid: list[list[Checkbox] | str] = []
    listed = {option for _, options in O_KIROKU_GROUPS for option in options}
    # The 令和7年5月 form prints 5情報 where older forms print 4情報.
    five = any(option.startswith("5情報") for option in checked)
    for heading, options in O_KIROKU_GROUPS:
        group = [FIVE_INFO if five and option.startswith("4情報") else option for option in options]
        if heading == O_KIROKU_GROUPS[-1][0]:
            unlisted = [o for o in checked if o not in listed and not (five and o == FIVE_INFO)]
            group = _with_unlisted(group, unlisted)
        grid.append(heading)
        rows, _ = grid_rows(group, checked, file.get("record_categories_other"), columns=2)
        grid.extend(rows)
    return Row(label=" 主な記録項目　※", grid=grid, columns=2)


def _flow_rows(kind: str, index: int, flow: dict) -> list[Row]:
    """提供先N / 移転先N and its ①-⑦ rows."""
    noun = "提供" if kind == "provisions" else "移転"
    options = O_TEIKYO if kind == "provisions" else O_ITEN
    rows = [Row(label=f" {noun}先{index}", text=flow.get("recipient") or "")]
    rows.append(_text_row("①法令上の根拠", flow.get("legal_basis")))
    rows.append(_text_row(f"②{noun}先における用途", flow.get("purpose")))
    rows.append(_text_row(f"③{noun}する情報", flow.get("information")))
    rows.append(_choice_row(f"④{noun}する情報の対象となる本人の数", flow.get("subject_count"), O_HONNIN))
    rows.append(_text_row(f"⑤{noun}する情報の対象となる本人の範囲", flow.get("subject_scope")))
    rows.append(_grid_row(f"⑥{noun}方法", options, flow.get("methods"), flow.get("methods_other")))
    rows.append(_text_row("⑦時期・頻度", flow.get("timing")))
    return rows


def _entrustment_rows(index: int, item: dict, full: bool) -> list[Row]:
    """委託事項N: 重点 numbering (①-⑥), or 全項目 numbering (①-⑨, with 範囲/提供方法/確認方法)."""
    rows = [Row(label=f" 委託事項{index}", text=item.get("title") or ""), _text_row("①委託内容", item.get("content"))]
    if full:
        rows += [
            _choice_row("②取扱いを委託する特定個人情報ファイルの範囲", item.get("file_scope"), O_HANI),
            _choice_row("③委託先における取扱者数", item.get("handlers"), O_NIN),
            _grid_row("④委託先への特定個人情報ファイルの提供方法", O_ITAKU_TEIKYO, item.get("delivery_methods"),
                      item.get("delivery_methods_other")),
            _text_row("⑤委託先名の確認方法", item.get("contractor_disclosure")),
            _text_row("⑥委託先名", item.get("contractor")),
            _choice_row("⑦再委託の有無　※", item.get("subcontract"), O_SAIITAKU),
            _text_row("⑧再委託の許諾方法", item.get("subcontract_permission")),
            _text_row("⑨再委託事項", item.get("subcontract_items")),
        ]
    else:
        rows += [
            _choice_row("②委託先における取扱者数", item.get("handlers"), O_NIN),
            _text_row("③委託先名", item.get("contractor")),
            _choice_row("④再委託の有無　※", item.get("subcontract"), O_SAIITAKU),
            _text_row("⑤再委託の許諾方法", item.get("subcontract_permission")),
            _text_row("⑥再委託事項", item.get("subcontract_items")),
        ]
    return rows


def _use_rows(file: dict, full: bool) -> list[Row]:
    """Ⅱ3 after 入手方法: 重点 ③-⑥, or 全項目 ③-⑨ (入手の時期・頻度, 妥当性, 本人への明示 first)."""
    numbers = "⑥⑦⑧⑨" if full else "③④⑤⑥"
    rows: list[Row] = []
    if full:
        rows += [
            _text_row("③入手の時期・頻度", file.get("acquisition_timing")),
            _text_row("④入手に係る妥当性", file.get("acquisition_validity")),
            _text_row("⑤本人への明示", file.get("notice_to_subject")),
        ]
    rows += [
        _text_row(f"{numbers[0]}使用目的　※", file.get("purpose")),
        Row(label=f" {numbers[1]}使用の主体", section=True),
        _text_row("使用部署", file.get("user_departments")),
        _choice_row("使用者数", file.get("user_count"), O_NIN),
        _text_row(f"{numbers[2]}使用方法", file.get("usage")),
        _text_row(f"{numbers[3]}使用開始日", file.get("use_start")),
    ]
    return rows


def _file_rows(file: dict, full: bool = False) -> list[Row]:
    rows: list[Row] = [
        Row(label=None, heading="Ⅱ　特定個人情報ファイルの概要"),
        _text_row("１．特定個人情報ファイル名", file.get("name")),
        Row(label=" ２．基本情報", section=True),
        _choice_row("①ファイルの種類　※", file.get("file_type"), O_FTYPE),
        _choice_row("②対象となる本人の数", file.get("subject_count"), O_HONNIN),
        _text_row("③対象となる本人の範囲　※", file.get("subject_scope")),
        _choice_row("④記録される項目", file.get("record_item_count"), O_KOUMOKU),
        _kiroku_row(file),
        _text_row("⑤保有開始日", file.get("retention_start")),
        _text_row("⑥事務担当部署", file.get("responsible_department")),
        Row(label=" ３．特定個人情報の入手・使用", section=True),
        _grid_row("①入手元　※", O_NYUSHUMOTO, file.get("sources"), None, file.get("sources_detail")),
        _grid_row("②入手方法", O_NYUSHU, file.get("acquisition_methods"), file.get("acquisition_methods_other")),
        *_use_rows(file, full),
        Row(label=" ４．特定個人情報ファイルの取扱いの委託", section=True),
    ]
    entrustments = file.get("entrustments") or []
    count = file.get("entrustment_count", len(entrustments) if entrustments else None)
    rows.append(_choice_row("委託の有無　※", file.get("entrustment"), O_ITAKU,
                            [f"（ {count if count is not None else ''} ）件"]))
    for index, item in enumerate(entrustments, start=1):
        rows.extend(_entrustment_rows(index, item, full))
    rows.append(Row(label=" ５．特定個人情報の提供・移転（委託に伴うものを除く。）", section=True))
    provisions = file.get("provisions") or []
    transfers = file.get("transfers") or []
    provides = file.get("provision") == "提供を行っている" or bool(provisions)
    moves = file.get("transfer") == "移転を行っている" or bool(transfers)
    none = file.get("provision") == "行っていない" and not moves
    umu = [[Checkbox(f"提供を行っている （ {len(provisions) if provides else ''} ）件", provides),
            Checkbox(f"移転を行っている （ {len(transfers) if moves else ''} ）件", moves)],
           [Checkbox("行っていない", none)]]
    rows.append(Row(label=" 提供・移転の有無", grid=list(umu), columns=2))
    for index, flow in enumerate(provisions, start=1):
        rows.extend(_flow_rows("provisions", index, flow))
    for index, flow in enumerate(transfers, start=1):
        rows.extend(_flow_rows("transfers", index, flow))
    rows.append(Row(label=" ６．特定個人情報の保管・消去", section=True))
    if full:
        rows.append(_text_row("①保管場所　※", file.get("storage")))
        rows.append(_text_row("②保管期間", file.get("retention_period")))
        rows.append(_text_row("③消去方法", file.get("deletion_method")))
    else:
        rows.append(_text_row("保管場所　※", file.get("storage")))
    rows.append(_text_row("７．備考", file.get("remarks")))
    return rows


def record_rows(record: dict) -> list[list[Row]]:
    """The record as pages of rows (each inner list starts on a new page)."""
    assessment = record.get("assessment") or {}
    kind = assessment.get("kind") or "重点項目評価書"
    full = kind == "全項目評価書"  # 様式4 numbers Ⅰ4-8, Ⅱ3 and 委託 differently (form-fields.md §3)
    cover = [
        Row(label=None, heading=f"特定個人情報保護評価書（{kind}）"),
        Row(label=" 評価書番号", text=assessment.get("number") or ""),
        Row(label=" 評価書名", text=assessment.get("title") or ""),
        Row(label=" 個人のプライバシー等の権利利益の保護の宣言", text=record.get("declaration") or ""),
        Row(label=" 特記事項", text=record.get("special_notes") or ""),
    ]
    if assessment.get("form_version"):
        cover.append(Row(label=None, heading=f"[{assessment['form_version']}]"))
    cover += [
        Row(label=" 評価実施機関名", text=assessment.get("organization") or ""),
        Row(label=" 公表日", text=wareki(assessment.get("published")) or ""),
    ]
    basic: list[Row] = [
        Row(label=None, heading="Ⅰ　基本情報"),
        Row(label=" １．特定個人情報ファイルを取り扱う事務", section=True),
        _text_row("①事務の名称", record.get("business_name")),
        _text_row("②事務の内容", record.get("business_description")),
        _choice_row("③対象人数", record.get("target_population"), O_NINZU if full else O_NINZU[:4]),
        Row(label=" ２．特定個人情報ファイルを取り扱う事務において使用するシステム", section=True),
    ]
    details = record.get("system_details") or []
    for index, name in enumerate(record.get("systems") or [], start=1):
        detail = details[index - 1] if index - 1 < len(details) and isinstance(details[index - 1], dict) else {}
        basic += [
            Row(label=f" システム{index}", section=True),
            _text_row("①システムの名称", name),
            _text_row("②システムの機能", detail.get("functions")),
            _grid_row("③他のシステムとの接続", O_CONN, detail.get("connections"), detail.get("connections_other")),
        ]
    files = record.get("files") or []
    basic += [
        _text_row("３．特定個人情報ファイル名",
                  "\n".join(f"{number}．{file.get('name') or ''}" for number, file in
                            zip("１２３４５６７８９", files, strict=False)) if len(files) > 1
                  else (files[0].get("name") if files else None)),
    ]
    numbers = "５６７８" if full else "４５６７"
    if full:
        reasons = record.get("file_reasons") or {}
        basic += [
            Row(label=" ４．特定個人情報ファイルを取り扱う理由", section=True),
            _text_row("①事務実施上の必要性", reasons.get("necessity")),
            _text_row("②実現が期待されるメリット", reasons.get("benefits")),
        ]
    basic += [
        Row(label=f" {numbers[0]}．個人番号の利用　※", section=True),
        _text_row("法令上の根拠", record.get("mynumber_legal_basis")),
        Row(label=f" {numbers[1]}．情報提供ネットワークシステムによる情報連携　※", section=True),
        _choice_row("①実施の有無", record.get("info_network_linkage"), O_RENKEI),
        _text_row("②法令上の根拠", record.get("info_network_legal_basis")),
        Row(label=f" {numbers[2]}．評価実施機関における担当部署", section=True),
        _text_row("①部署", record.get("department")),
        _text_row("②所属長の役職名", record.get("department_head_title")),
        _text_row(f"{numbers[3]}．他の評価実施機関", record.get("other_assessing_bodies")),
    ]
    pages = [cover, basic]
    pages += [_file_rows(file, full) for file in files]
    return pages


def render_pdf(record: dict, path: str | os.PathLike[str], *, encrypt: Any = None,
               label_spaces: bool = True) -> Path:
    """Draw ``record`` as a multi-page 評価書 PDF at ``path``.

    ``encrypt``: a user password (or a reportlab ``StandardEncryption``). ``label_spaces=False``
    draws the label cells without their leading space, for readers that must find labels by
    position alone.
    """
    target = Path(path)
    pages = _Pages(target, encrypt, label_spaces)
    for page_rows in record_rows(record):
        pages.new_page()
        for row in page_rows:
            _draw_row(pages, row)
    pages.save()
    return target


__all__ = ["EXACT_FONT", "FONT", "grid_rows", "record_rows", "render_pdf", "wareki"]
