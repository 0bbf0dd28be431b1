"""The figures the 情况说明 states, read from the document's text and compared with its tables.

A department's narrative repeats its key figures in prose ("本年支出合计 863.25 万元，其中：基本支出
535.68 万元"); DOMAIN.md 6 says they must equal the tables. Each figure is found by its words, converted
exactly from 万元 to yuan and compared with the table figure that means the same thing. A narrative figure
copies one printed figure (no sum of rounded terms, so DOMAIN's 0.01 × n allowance is nil): it must equal
a 万元 table's figure, and may differ from a 元 table's only by its rounding to 0.01 万元 (50 yuan). Any
other difference is the publisher's inconsistency (a warning), reported on the narrative's page.
Years of comparisons ("与2022年度相比" in a 2024 document) and of headings are checked against the
document's fiscal year.

Pure functions of an ExtractedDocument; nothing is reported for a figure whose table is not printed
(a missing table is reported once, by the completeness checks) or whose subject cannot be named.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from expectations.document_checks import DocumentCheck
from expectations.heading_names import heading_name_checks
from expectations.narrative_arithmetic import AMOUNT, LINK, arithmetic_checks, printed_wan
from expectations.narrative_comparison import comparison_checks
from expectations.narrative_funds import fund_checks
from expectations.printed_rules import printed_value
from extract.classification import Classification, load_classification
from extract.model import ExtractedDocument, Fact
from extract.names import ORGANISATION_ENDS
from extract.text import fold

# A narrative figure copies one table figure: equal when the table is in 万元 (nothing is rounded), within
# half of 0.01 万元 when the narrative rounds a 元 figure to 万元.
TOLERANCE_YUAN: dict[str, Decimal] = {"万元": Decimal(0), "元": Decimal(50)}
WAN = "万元"  # the narrative's figures are read in 万元
_FOOTER = re.compile(r"^\s*(?:[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页.*|\d{1,3})\s*$")
_QUOTES = str.maketrans({c: "" for c in '“”"‘’「」'})

Cell = tuple[str, str, str, str, str]  # table_kind, fund_scope, fact_kind, key, measure
SUMMARY, GPB = "income_expense_summary", "general_public_budget"


def _line(key: str, table: str = SUMMARY, scope: str = "all") -> Cell:
    return (table, scope, "summary", key, "amount")


def _total(table: str, measure: str, scope: str, key: str = "table_total") -> Cell:
    return (table, scope, "table_total", key, measure)


def _basic_part(measure: str) -> tuple[tuple[Cell, ...], ...]:
    """人员经费 / 公用经费 of 一般公共预算财政拨款基本支出: the economic table's panel total, else a column."""
    panel = f"{measure}_total"
    return (
        (_total("gpb_basic_economic", "total", GPB, panel),),
        (_total("gpb_basic_economic", measure, GPB, panel),),
        (_total("gpb_basic_economic", measure, GPB),),
        (_total("gpb_expenditure", measure, GPB),),
        (_total("gpb_expenditure_detail", measure, GPB),),
    )


def _fiscal_expense(scope: str) -> tuple[tuple[Cell, ...], ...]:
    """A fund's expenditure in the fiscal summary: 本年支出合计, else 支出总计 (a budget has no carry-over)."""
    return (
        (_line("expense.total", "fiscal_summary", scope),),
        (_line("expense.grand_total", "fiscal_summary", scope),),
    )


# --- what a statement's words mean ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Topic:
    """A figure the narrative states: its words (a regex ending where the amount begins) and the table
    figures it must equal, tried in order (each a sum of cells); `report_kind` limits it to one kind."""

    check_name: str
    words: str
    label: str
    sources: tuple[tuple[Cell, ...], ...]
    report_kind: str | None = None
    subject_code: str | None = None
    blank_is_zero: bool = False  # a line the table leaves out is a zero (income sources)


_FISCAL_INCOME = tuple(_line(k) for k in ("income.general_public_budget", "income.government_fund",
                                           "income.soe_capital"))  # fmt: skip

# fmt: off
# The department's own 收入预算 / 支出预算 open a clause or follow its name or year ("2026年支出预算…", "（二）支出
# 预算：", "本部门支出预算", "XX局收入预算"); a subject before them (基本支出预算, “三公”经费支出预算) makes them
# another figure.
# (部 is left out: 全部支出预算 is all of some spending, not the department's.)
CLAUSE_START = r"(?:(?<![\u4e00-\u9fff])|(?<=[年度门位" + "".join(sorted(ORGANISATION_ENDS - {"部"})) + "]))"

TOPICS: tuple[Topic, ...] = (
    Topic("narrative.grand_total", r"(?<!财政拨款)(?:收、?支总计|收入支出总计)(?:均为|各为)?", "收、支总计",
          ((_line("income.grand_total"),), (_line("expense.grand_total"),)), "final"),
    Topic("narrative.fiscal_grand_total", r"财政拨款(?:收、?支总计|收入支出总计)(?:均为|各为)?", "财政拨款收、支总计",
          ((_line("income.grand_total", "fiscal_summary", "fiscal"),),
           (_line("expense.grand_total", "fiscal_summary", "fiscal"),)), "final"),
    Topic("narrative.income_total", r"本年收入合计", "本年收入合计",
          ((_line("income.total"),), (_total("income", "total", "all"),))),
    Topic("narrative.expense_total", r"本年支出合计", "本年支出合计",
          ((_line("expense.total"),), (_total("expenditure", "total", "all"),))),
    Topic("narrative.income_source", r"一般公共预算财政拨款收入", "一般公共预算财政拨款收入",
          ((_line("income.general_public_budget"),),), subject_code="income.general_public_budget", blank_is_zero=True),
    Topic("narrative.income_source", r"政府性基金预算财政拨款收入", "政府性基金预算财政拨款收入",
          ((_line("income.government_fund"),),), subject_code="income.government_fund", blank_is_zero=True),
    Topic("narrative.income_source", r"国有资本经营预算财政拨款收入", "国有资本经营预算财政拨款收入",
          ((_line("income.soe_capital"),),), subject_code="income.soe_capital", blank_is_zero=True),
    Topic("narrative.income_source", r"(?<!预算)财政拨款收入", "财政拨款收入",
          ((_line("income.fiscal_appropriation"),), _FISCAL_INCOME,
           (_total("income", "fiscal_appropriation", "all"),)),
          subject_code="income.fiscal_appropriation", blank_is_zero=True),
    Topic("narrative.income_source", r"上级补助收入", "上级补助收入",
          ((_line("income.higher_subsidy"),),), subject_code="income.higher_subsidy", blank_is_zero=True),
    Topic("narrative.income_source", r"(?<!事业单位)(?<!单位)事业收入", "事业收入",
          ((_line("income.business"),),), subject_code="income.business", blank_is_zero=True),
    Topic("narrative.income_source", r"(?:事业单位)?经营收入", "经营收入",
          ((_line("income.operating"),),), subject_code="income.operating", blank_is_zero=True),
    Topic("narrative.income_source", r"附属单位上缴收入", "附属单位上缴收入",
          ((_line("income.subordinate_remit"),),), subject_code="income.subordinate_remit", blank_is_zero=True),
    Topic("narrative.income_source", r"其他收入", "其他收入",
          ((_line("income.other"),),), subject_code="income.other", blank_is_zero=True),
    Topic("narrative.basic_expenditure", r"(?<!财政拨款)基本支出", "基本支出",
          ((_total("expenditure", "basic", "all"),),), "final"),
    Topic("narrative.project_expenditure", r"(?<!财政拨款)项目支出", "项目支出",
          ((_total("expenditure", "project", "all"),),), "final"),
    Topic("narrative.gpb_expenditure", r"一般公共预算(?:财政拨款支出|支出(?=决算))", "一般公共预算财政拨款支出",
          ((_line("expense.total", "fiscal_summary", GPB),), (_total("gpb_expenditure", "total", GPB),)), "final"),
    Topic("narrative.gpb_basic_expenditure", r"一般公共预算财政拨款基本支出", "一般公共预算财政拨款基本支出",
          ((_total("gpb_expenditure", "basic", GPB),), (_total("gpb_basic_economic", "total", GPB),),
           (_total("gpb_basic_economic", "total", GPB, "personnel_total"),
            _total("gpb_basic_economic", "total", GPB, "public_use_total"))), "final"),
    Topic("narrative.personnel", r"(?<!机关)人员经费", "人员经费", _basic_part("personnel"), "final"),
    Topic("narrative.public_use", r"(?<!日常)公用经费", "公用经费", _basic_part("public_use"), "final"),
    Topic("narrative.income_budget", CLAUSE_START + r"(?<!财政拨款)(?<!、)收入预算", "收入预算",
          ((_line("income.grand_total"),), (_line("income.total"),)), "budget"),
    Topic("narrative.expense_budget", CLAUSE_START + r"(?<!拨款)支出预算", "支出预算",
          ((_line("expense.grand_total"),), (_line("expense.total"),)), "budget"),
    Topic("narrative.fiscal_expense_budget", r"财政拨款支出预算", "财政拨款支出预算",
          (*_fiscal_expense("fiscal"), (_line("income.fiscal_appropriation"),)), "budget"),
    Topic("narrative.gpb_expense_budget", r"一般公共预算拨款支出预算", "一般公共预算拨款支出预算",
          (*_fiscal_expense(GPB), (_total("gpb_expenditure", "total", GPB),)), "budget", blank_is_zero=True),
    Topic("narrative.gov_fund_expense_budget", r"政府性基金(?:预算)?拨款支出预算", "政府性基金拨款支出预算",
          (*_fiscal_expense("government_fund"), (_total("gov_fund", "total", "government_fund"),)), "budget",
          blank_is_zero=True),
)

# 三公: words per item; the measure is the report's ('actual' in a final account, 'budget' in a budget).
THREE_PUBLIC_WORDS: tuple[tuple[str, str, str, str | None], ...] = (
    ("total", r"三公经费财政拨款支出(?:年初预算为[\d.,]+万元,)?(?:支出)?决算(?:数)?为?", "“三公”经费财政拨款支出",
     "final"),
    ("total", r"三公经费预算(?:数)?为?", "“三公”经费预算", "budget"),
    ("overseas_travel", r"因公出国\(境\)(?:费|经费)(?:用)?(?:支出)?(?:决算)?(?:为)?", "因公出国（境）费", None),
    ("vehicle_total", r"公务用车购置及运行(?:维护)?费(?:支出)?(?:决算)?(?:为)?", "公务用车购置及运行维护费", None),
    ("vehicle_purchase", r"公务用车购置(?:费|支出)(?:支出)?(?:为)?", "公务用车购置费", None),
    ("vehicle_operation", r"公务用车运行(?:维护)?费?(?:支出)?(?:为)?", "公务用车运行维护费", None),
    ("reception", r"公务接待费(?:支出)?(?:决算)?(?:为)?", "公务接待费", None),
    ("office_operation", r"机关运行经费(?:支出)?(?:预算)?(?:为)?", "机关运行经费", None),
)

# fmt: on

_COMPARISON_YEAR = re.compile(
    r"(?:与|比|较)(?P<y>20\d{2})年度?(?P<what>相比|同期|预算|决算|增|减|持平|下降|上升|增长|少|多|相同|对比)"
)
_HEADING_YEAR = re.compile(r"(?P<y>20\d{2})年度?(?:部门|单位)(?:决算|预算)(?:情况说明|编制说明)")
_CLASS_LIST = re.compile(r"主要用于以下方面[:：](?P<list>[^。]*)")
_CLASS_ENTRY = re.compile(r"^(?P<name>[^\d]+?)(?:\(类\))?" + AMOUNT)
_ORDINAL_IN_PATH = r"(?:\([一二三四五六七八九十\d]+\))?"  # "(类)(一)制造业(款)": a list's numbering inside the path
_ITEM_BY_NAME = re.compile(
    r"(?P<cls>[^\d,.;；:。、()“”\"]+?)\(类\)"
    + _ORDINAL_IN_PATH
    + r"(?P<sec>[^;；:。]+?)\(款\)"
    + _ORDINAL_IN_PATH
    + r"(?P<item>[^;；:。]+?)\(项\)"
)
_ITEM_BY_CODE = re.compile(r"\((?P<cls>\d{3})类\)[^;；:。]*?\((?P<sec>\d{2})款\)[^;；:。]*?\((?P<item>\d{2})项\)")
_ITEM_FINAL_FIGURE = re.compile(r"支出决算(?:数)?为?" + AMOUNT)
_ITEM_BUDGET_FIGURE = re.compile(r"^[”\"]?" + AMOUNT)
_ITEM_WINDOW = 400


# --- the text ---------------------------------------------------------------------------------------


def _running_lines(narrative: dict[int, str]) -> set[str]:
    """Lines printed on many pages — a running header such as "XX局2026年度单位预算公开" — are no part of the
    sentences they interrupt."""
    counts: dict[str, int] = {}
    for text in narrative.values():
        for line in {line.strip() for line in text.splitlines() if line.strip()}:
            counts[line] = counts.get(line, 0) + 1
    return {line for line, n in counts.items() if n >= 3 and n * 2 >= len(narrative)}


class NarrativeText:
    """The narrative pages as one folded string (whitespace removed, full-width folded, quotes and page
    footers dropped, so a figure broken over two lines or pages reads whole), with each offset's page."""

    def __init__(self, narrative: dict[int, str]):
        parts: list[str] = []
        self._starts: list[int] = []
        self._pages: list[int] = []
        offset = 0
        running = _running_lines(narrative)
        for page in sorted(narrative):
            lines = [
                line for line in narrative[page].splitlines() if not _FOOTER.match(line) and line.strip() not in running
            ]
            text = fold("\n".join(lines)).translate(_QUOTES).replace("其它", "其他")
            self._starts.append(offset)
            self._pages.append(page)
            parts.append(text)
            offset += len(text)
        self.text = "".join(parts)

    def page_at(self, offset: int) -> int:
        index = bisect.bisect_right(self._starts, offset) - 1
        return self._pages[max(index, 0)]


def wan_to_yuan(printed: str) -> Decimal:
    """A 万元 figure as printed ("1,234.5") in exact yuan."""
    value = printed_value(printed, WAN)
    if value is None:
        raise ValueError(f"not a printed figure: {printed!r}")
    return value


# --- the tables -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """A table figure a statement is compared with, and where it is printed."""

    amount: Decimal
    table_kind: str
    page: int | None


class Tables:
    """The document's facts by cell; a cell of a printed table with no fact is a blank (zero)."""

    def __init__(self, doc: ExtractedDocument):
        self.present = {t.table_kind for t in doc.tables}
        self.titles = {t.table_kind: t.title for t in doc.tables}
        self.first_pages = {t.table_kind: t.first_page for t in doc.tables}
        self.units = {t.table_kind: t.unit for t in doc.tables}
        self.cells: dict[Cell, Fact] = {}
        for fact in doc.facts:
            self.cells.setdefault(fact.identity, fact)

    def figure(self, sources: Sequence[Sequence[Cell]], blank_is_zero: bool) -> Figure | None:
        """The first source with a printed cell; else, for a line a table may leave blank, zero when the
        first source's table is printed. None: nothing to compare with."""
        for cells in sources:
            facts = [self.cells[c] for c in cells if c in self.cells]
            if facts:
                return Figure(sum((f.amount_yuan for f in facts), Decimal(0)), cells[0][0], facts[0].page)
        if blank_is_zero and sources and sources[0][0][0] in self.present:
            table_kind = sources[0][0][0]
            return Figure(Decimal(0), table_kind, self.first_pages.get(table_kind))
        return None

    def title(self, table_kind: str) -> str:
        return self.titles.get(table_kind, table_kind)

    def codes(self, table_kinds: Sequence[str], length: int) -> set[str]:
        return {c[3] for c in self.cells if c[0] in table_kinds and c[2] == "function" and len(c[3]) == length}


# --- statements ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    """A figure as the narrative states it."""

    check_name: str
    label: str
    printed: str  # in 万元, as printed
    page: int
    sources: tuple[tuple[Cell, ...], ...]
    subject_code: str | None = None
    blank_is_zero: bool = False

    @property
    def amount(self) -> Decimal:
        return wan_to_yuan(self.printed)


def narrative_checks(doc: ExtractedDocument, names: Classification | None = None) -> list[DocumentCheck]:
    """Every figure and year the narrative states, compared with the tables (holding or not); its
    comparisons (narrative_comparison), what it says of the funds' tables (narrative_funds); and the
    department named over the tables against the cover (heading_names)."""
    if not doc.narrative:
        return heading_name_checks(doc)
    text = NarrativeText(doc.narrative)
    tables = Tables(doc)
    names = names or load_classification()
    item_tables = _item_tables(doc)
    items = list(_items(text.text, names, tables.codes(item_tables, 7)))
    statements = [
        *_topic_statements(text, doc),
        *_three_public_statements(text, doc),
        *_class_statements(text, tables, names, doc),
        *_item_statements(text, items, item_tables, doc),
    ]
    checks = [c for s in _distinct(statements) if (c := _compare(s, tables)) is not None]
    return [
        *checks,
        *_unknown_items(text, tables, items, item_tables),
        *arithmetic_checks(text.text, text.page_at),
        *_year_checks(text, doc),
        *comparison_checks(text.text, text.page_at),
        *fund_checks(doc, text.text, text.page_at),
        *heading_name_checks(doc),
    ]


def _topic_statements(text: NarrativeText, doc: ExtractedDocument) -> Iterator[Statement]:
    for topic in TOPICS:
        if topic.report_kind not in (None, doc.meta.report_kind):
            continue
        for match in re.finditer(topic.words + LINK + AMOUNT, text.text):
            yield Statement(
                topic.check_name,
                topic.label,
                match["n"],
                text.page_at(match.start()),
                topic.sources,
                topic.subject_code,
                topic.blank_is_zero,
            )


def _three_public_statements(text: NarrativeText, doc: ExtractedDocument) -> Iterator[Statement]:
    measure = "budget" if doc.meta.report_kind == "budget" else "actual"
    for item, words, label, kind in THREE_PUBLIC_WORDS:
        if kind not in (None, doc.meta.report_kind):
            continue
        cell: Cell = ("three_public", "fiscal", "three_public", item, measure)
        for match in re.finditer(words + AMOUNT, text.text):
            yield Statement(
                "narrative.three_public",
                label,
                match["n"],
                text.page_at(match.start()),
                ((cell,),),
                item,
                # the three-public reader records every item it finds, zeros included: a missing item is a column
                # not read, not a zero
                blank_is_zero=False,
            )


def _class_statements(
    text: NarrativeText, tables: Tables, names: Classification, doc: ExtractedDocument
) -> Iterator[Statement]:
    """§五（二）: "主要用于以下方面：社会保障和就业支出 67.49 万元，占 7.82%；…" against the 类 rows."""
    if doc.meta.report_kind != "final":
        return
    for listing in _CLASS_LIST.finditer(text.text):
        offset = listing.start("list")
        for entry in re.split(r"[;；]", listing["list"]):
            found = _CLASS_ENTRY.match(entry)
            code = names.class_code_for_name(found["name"]) if found else None
            if found and code:
                cell: Cell = ("gpb_expenditure", GPB, "function", code, "total")
                yield Statement(
                    "narrative.class_total", found["name"], found["n"], text.page_at(offset), ((cell,),), code
                )
            offset += len(entry) + 1


def _item_tables(doc: ExtractedDocument) -> tuple[str, ...]:
    """The tables a narrative 项 figure is compared with: a budget's 项 lists all three funds."""
    if doc.meta.report_kind == "budget":
        return ("gpb_expenditure", "gov_fund", "soe_capital")
    return ("gpb_expenditure",)


# A printed 项 path, the code it names among the printed rows, and the 项 the classification names by it.
ItemMatch = tuple[re.Match[str], str | None, str | None]


def _item_statements(
    text: NarrativeText, items: Sequence[ItemMatch], table_kinds: tuple[str, ...], doc: ExtractedDocument
) -> Iterator[Statement]:
    """ "X（类）Y（款）Z（项）：支出决算数为 N 万元" (a budget: "“X（类）Y（款）Z（项）”N 万元") against the 项 rows."""
    budget = doc.meta.report_kind == "budget"
    for match, code, _ in items:
        if code is None:
            continue
        window = text.text[match.end() : match.end() + _ITEM_WINDOW]
        following = _ITEM_BY_NAME.search(window) or _ITEM_BY_CODE.search(window)
        window = window[: following.start()] if following else window
        figure = _ITEM_BUDGET_FIGURE.match(window) if budget else _ITEM_FINAL_FIGURE.search(window)
        if figure is None:
            continue
        cells = tuple((t, _SCOPES[t], "function", code, "total") for t in table_kinds)
        label = _printed_label(match)
        yield Statement("narrative.item_expenditure", label, figure["n"], text.page_at(match.start()), (cells,), code)


_SCOPES = {"gpb_expenditure": GPB, "gov_fund": "government_fund", "soe_capital": "soe_capital"}


def _unknown_items(
    text: NarrativeText,
    tables: Tables,
    items: Sequence[ItemMatch],
    table_kinds: tuple[str, ...],
) -> Iterator[DocumentCheck]:
    """A "X（类）Y（款）Z（项）" whose 项 no table prints under that name (an old or misspelt subject name): its
    figure cannot be checked, so the reader is told which words to correct."""
    if not tables.codes(table_kinds, 7):  # not printed, or printed empty (a template): nothing to name
        return
    seen: set[str] = set()
    for match, code, subject in items:
        if code is not None or subject is not None:
            continue  # checked, or a subject the tables print as zero
        label = _printed_label(match)
        if label in seen:
            continue
        seen.add(label)
        page = text.page_at(match.start())
        message = (
            f"情况说明（第{page}页）所列“{label}”在{tables.title(table_kinds[0])}中"
            f"找不到同名科目（科目名称有误或已更名），其金额无法核对"
        )
        yield DocumentCheck("narrative.item_name", "warning", False, message, table_kinds[0], page)


def _printed_label(match: re.Match[str]) -> str:
    return match.group(0).replace("(", "（").replace(")", "）")


def _items(text: str, names: Classification, known: set[str]) -> Iterator[ItemMatch]:
    """Every 项 path the narrative prints: by code (kept when a table prints the code) and by name (with the
    code it resolves to among the printed rows, or None)."""
    for match in _ITEM_BY_CODE.finditer(text):
        code = match["cls"] + match["sec"] + match["item"]
        if code in known:
            yield match, code, code
    for match in _ITEM_BY_NAME.finditer(text):
        subject = _path_code(names, match["cls"], match["sec"], match["item"])
        yield match, _item_code(names, subject, match["cls"], match["item"], known), subject


def _item_code(
    names: Classification, subject: str | None, class_name: str, item_name: str, known: set[str]
) -> str | None:
    """The 项 code of a class / section / item name path (`subject`: the 项 the classification names by
    it), among the codes the tables print. A path whose 款 is misnamed resolves when the 项 name is unique
    within its class there; one whose class is printed by a short or old name ("其他（类）") when the 项 name
    is unique among the printed rows."""
    if subject in known:
        return subject
    class_code = subject[:3] if subject else (names.class_code_for_name(class_name) or "")
    item_key = _name_key(item_name)
    candidates = [c for c in known if c.startswith(class_code) and _name_key(names.function_name(c) or "") == item_key]
    return candidates[0] if len(candidates) == 1 else None


def _path_code(names: Classification, class_name: str, section_name: str, item_name: str) -> str | None:
    """The 项 the classification names by this class / section / item path, printed in the tables or not."""
    class_code = names.class_code_for_name(class_name)
    section = names.child_code_for_name(class_code, section_name) if class_code else None
    return names.child_code_for_name(section, item_name) if section else None


def _name_key(name: str) -> str:
    return fold(name).replace("其它", "其他").replace("（", "(").replace("）", ")")


def _distinct(statements: Sequence[Statement]) -> list[Statement]:
    """A figure stated again on the same page with the same words is one statement."""
    seen: dict[tuple[str, str | None, str, int, str], Statement] = {}
    for s in statements:
        seen.setdefault((s.check_name, s.subject_code, s.label, s.page, s.printed), s)
    return list(seen.values())


def _compare(statement: Statement, tables: Tables) -> DocumentCheck | None:
    figure = tables.figure(statement.sources, statement.blank_is_zero)
    if figure is None:
        return None
    stated = statement.amount
    title = tables.title(figure.table_kind)
    where = f"第{figure.page}页" if figure.page else ""
    difference = printed_wan(abs(stated - figure.amount))
    message = (
        f"情况说明（第{statement.page}页）称“{statement.label} {statement.printed} 万元”，"
        f"而{title}（{where}）为 {printed_wan(figure.amount)} 万元，相差 {difference} 万元"
    )
    # The rounding rule decides (expectations.printed_rules): equal within the table's allowance, or within half the
    # last printed digit when the narrative rounds further than the table ("19,302 万元" for 19,301.80).
    return DocumentCheck(
        statement.check_name,
        "warning",
        None,
        message,
        figure.table_kind,
        statement.page,
        statement.subject_code,
        figure.amount,
        stated,
        printed=statement.printed,
        printed_unit=WAN,
        source_yuan=figure.amount,
        source_tolerance_yuan=TOLERANCE_YUAN[tables.units.get(figure.table_kind, "元")],
    )


# --- years ----------------------------------------------------------------------------------------------


def _year_checks(text: NarrativeText, doc: ExtractedDocument) -> list[DocumentCheck]:
    year = doc.meta.fiscal_year
    if year is None:
        return []
    found: dict[tuple[int, int, str], DocumentCheck] = {}
    for match in _COMPARISON_YEAR.finditer(text.text):
        printed = int(match["y"])
        allowed = {year - 1} | ({year} if doc.meta.report_kind == "final" and match["what"] == "预算" else set())
        _add_year(
            found,
            text,
            match,
            printed,
            year - 1,
            printed in allowed,
            f"对比年度：{year}年度文件写“{_clause(text.text, match)}”，上年应为{year - 1}年",
        )
    for match in _HEADING_YEAR.finditer(text.text):
        printed = int(match["y"])
        _add_year(found, text, match, printed, year, printed == year, f"标题年度：{year}年度文件写“{match.group(0)}”")
    return list(found.values())


def _clause(text: str, match: re.Match[str]) -> str:
    """The words of a match up to the end of its clause (at most 16 more characters)."""
    rest = re.match(r"[^,，。;；]{0,16}", text[match.end() :])
    return match.group(0) + (rest.group(0) if rest else "")


def _add_year(
    found: dict[tuple[int, int, str], DocumentCheck],
    text: NarrativeText,
    match: re.Match[str],
    printed: int,
    expected: int,
    holds: bool,
    message: str,
) -> None:
    page = text.page_at(match.start())
    key = (page, printed, "holds" if holds else message)
    if key in found:
        return
    found[key] = DocumentCheck(
        "narrative.year", "warning", holds, message, None, page, None, Decimal(expected), Decimal(printed)
    )
