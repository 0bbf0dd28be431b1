"""The canonical model: one document → its tables → its facts.

Every stage of caijue speaks these types: the extractor produces them from PDF bytes, the
sample-corpus generator produces their truth, the gate checks them, the warehouse loads them.
Money is always `Decimal` yuan with two decimals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

ReportKind = Literal["final", "budget"]
ReportLevel = Literal["department", "unit"]
Unit = Literal["万元", "元"]
DocumentStatus = Literal["loaded", "quarantined", "failed"]
Severity = Literal["error", "warning"]
Attribution = Literal["publisher", "extraction"]  # whose error a failed check is: the publisher's, or ours
# What a file turned out to be, in the words a person reads in the run summary and in dim_document.
FileKind = Literal[
    "budget",
    "final account",
    "explanation only",
    "scanned",
    "not a budget document",
    "web page",
    "not a PDF",
    "unreadable PDF",
]
FactIdentity = tuple[str, str, str, str, str]  # table_kind, fund_scope, fact_kind, key, measure
CellBox = tuple[float, float, float, float]  # x0, top, x1, bottom in points from the page's top-left corner

# What a fact's key is:
#   function      key = functional subject code (3/5/7 digits), measure from the column
#   economic      key = economic subject code (3/5 digits), measure from the column
#   summary       key = CONTRACT line_key (income.total, expense.grand_total, ...), measure 'amount'
#   three_public  key = item (total, overseas_travel, ...), measure 'budget' | 'actual'
#   table_total   key = 'table_total' | 'personnel_total' | 'public_use_total' (a printed 合计 row),
#                 measure from the column; kept for identities, not a contract fact
FactKind = Literal["function", "economic", "summary", "three_public", "table_total"]
FACT_KINDS: tuple[FactKind, ...] = ("function", "economic", "summary", "three_public", "table_total")
SUBJECT_FACT_KINDS: tuple[FactKind, ...] = ("function", "economic")  # rows keyed by a classification code
# The extractor's warnings that name printed words the specs could not place, and what those words are.
UNPLACED_CHECKS: dict[str, str] = {
    "unknown_column": "column",
    "row_without_code": "row",
    "unknown_summary_line": "row",
    "unknown_table": "table",
    "table_without_title": "table",
}

YUAN_PER_WAN = Decimal(10000)
CENT = Decimal("0.01")
# DECIMAL(20,2), the warehouse's money type, holds at most 18 digits before the point
LARGEST_YUAN = Decimal(10) ** 18 - CENT


@dataclass(frozen=True, slots=True)
class Fact:
    """One printed amount, in yuan, with where it was printed."""

    table_kind: str
    fund_scope: str
    fact_kind: FactKind
    key: str
    measure: str
    amount_yuan: Decimal
    page: int
    row_label: str = ""
    box: CellBox | None = field(default=None, compare=False)  # the printed cell, for a second reading

    @property
    def identity(self) -> FactIdentity:
        """What makes a fact unique inside one document."""
        return (self.table_kind, self.fund_scope, self.fact_kind, self.key, self.measure)


@dataclass(frozen=True, slots=True)
class TableRead:
    """One table as located in the document (a table spanning pages is one TableRead)."""

    table_kind: str
    title: str
    first_page: int
    last_page: int
    unit: Unit
    is_empty: bool
    decimals: int = 2  # the most decimals an amount of the table prints (万元 to 6 places in some provinces)

    @property
    def step_yuan(self) -> Decimal:
        return printed_step(self.unit, self.decimals)


def printed_step(unit: Unit, decimals: int) -> Decimal:
    """One unit of the last printed decimal, in yuan (never below a cent): a printed figure's rounding."""
    factor = YUAN_PER_WAN if unit == "万元" else Decimal(1)
    return max(factor * Decimal(1).scaleb(-decimals), CENT)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the extractor could not read, or a check that failed (ours or the publisher's)."""

    check_name: str
    severity: Severity
    message: str
    table_kind: str | None = None
    page: int | None = None
    subject_code: str | None = None
    expected: Decimal | None = None
    actual: Decimal | None = None
    attributed_to: Attribution | None = None
    evidence: str | None = None  # what the attribution rests on, in words a person can check on the page
    printed: str | None = None  # the printed words the problem is about (an unplaced line, header or title)
    document_id: str | None = None  # only where the problem does not belong to one document already (a mart check)


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    document_id: str
    file_name: str
    department_name: str | None
    fiscal_year: int | None
    report_kind: ReportKind | None
    report_level: ReportLevel | None
    region: str | None
    page_count: int


@dataclass(slots=True)
class ExtractedDocument:
    """Everything one PDF yields. `problems` are extraction problems (unreadable cells, pages
    without a text layer, tables not found); the gate adds its own checks on top."""

    meta: DocumentMeta
    tables: list[TableRead] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    narrative: dict[int, str] = field(default_factory=dict)  # page → text outside the tables
    file_kind: FileKind | None = None
    # Cells whose second, independent reading (extract.reread: the other engine's characters in the cell's box)
    # disagrees with the first (the cell text): fact identity → both readings, in words. Evidence that we may have
    # misread. The second reading covers the pages in `second_read` (those the gate found contested).
    disputed: dict[FactIdentity, str] = field(default_factory=dict)
    second_read: set[int] = field(default_factory=set)
    read_by_pdfplumber: set[int] = field(default_factory=set)  # ruled pages PDFium could not judge
    # The department named over the tables ("编制单位：XX局", "XX局2026年度部门预算"): page → name as printed.
    table_preambles: dict[int, str] = field(default_factory=dict)

    def facts_of(self, fact_kind: FactKind) -> list[Fact]:
        return [f for f in self.facts if f.fact_kind == fact_kind]


class ExtractionError(Exception):
    """The file cannot be read as a department budget or final account at all."""

    def __init__(self, file_name: str, reason: str, page: int | None = None, file_kind: FileKind = "unreadable PDF"):
        where = f"{file_name}, page {page}" if page else file_name
        super().__init__(f"{where}: {reason}")
        self.file_name = file_name
        self.reason = reason
        self.page = page
        self.file_kind: FileKind = file_kind
