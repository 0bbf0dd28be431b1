"""PDF bytes → ExtractedDocument: the extractor's single entry point (a pure function of the bytes)."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from pdfminer.pdfpage import PDFPage

from extract.classification import Classification, load_classification, normalise_name
from extract.damage import damaged_pages
from extract.locate import TableBlock, locate_tables, names_a_table
from extract.model import (
    DocumentMeta,
    ExtractedDocument,
    ExtractionError,
    Fact,
    FileKind,
    Problem,
    ReportKind,
    ReportLevel,
    TableRead,
    Unit,
)
from extract.names import NAME_TAIL, is_organisation
from extract.pages import Page, read_pages
from extract.preamble import table_preambles
from extract.readers import TableContext, TableResult, read_table
from extract.reread import NoSecondReading, ensure_second_reading
from extract.specs import load_specs
from extract.text import fold, label

_LABELLED_NAME = re.compile(
    r"(?:预算主管部门|预算单位|编制单位|部门名称|单位名称|决算单位|部门)[:：]\s*([^\s:：单]{2,40}?)(?=\s|单位[:：]|$)"
)
_YEAR = re.compile(r"(20\d{2})\s*年度?")
_KIND_SUFFIX = re.compile(r"(?:区级|市级|省级|县级)?(部门|单位)(?:综合)?(决算|预算)")
_REGION = re.compile(
    r"^(?:中共|中国共产党)?((?:[^省市]{2,6}(?:省|自治区))?(?:[^市省]{2,6}市)?(?:[^区县市]{1,5}(?:区|县))?)"
)
# "北京市人民政府办公厅主要职责包括" / "…有28个内设机构" in the 部门概况
_OVERVIEW_NAME = re.compile(r"([\u4e00-\u9fff()（）]{4,30}?)(?:主要职责|的主要职能|有\d+个内设机构|内设机构)")
# A department's budget or final account speaks of itself in these words on its opening pages.
_SPEAKS_OF_ACCOUNTS = re.compile(r"(?:部门|单位)(?:预算|决算)|预算(?:公开|编制|情况说明)|决算(?:公开|情况说明)")
_WORDY = re.compile(r"[\u4e00-\u9fff]{4}")  # a line of words, not a page number


def document_id_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def extract_document(data: bytes, file_name: str) -> ExtractedDocument:
    """Every table and fact of one PDF. Raises ExtractionError when the file is not a readable PDF."""
    specs = load_specs()
    parsed_pages: list[PDFPage] = []  # pdfminer's, for the damage check
    pages = list(read_pages(data, file_name, lambda text: names_a_table(text, specs), parsed_pages))
    problems: list[Problem] = [_needs_ocr(p) for p in pages if not p.has_text_layer and p.has_images]
    blocks = locate_tables(pages, specs, problems)
    meta = _meta(document_id_of(data), file_name, pages, blocks, problems)
    document = ExtractedDocument(meta=meta, problems=problems)
    document.narrative = {p.number: p.text for p in pages if not p.grids and p.text}
    document.table_preambles = table_preambles(pages, blocks)
    default_unit = _default_unit(blocks, meta.report_kind)
    printed_names: dict[tuple[str, str], str] = {}
    read: list[tuple[TableBlock, TableRead, TableResult]] = []
    # Tables keyed by codes first: the names they print beside each code place the names-only lines of the
    # summary tables.
    for block in sorted(
        _one_block_per_kind(blocks, problems), key=lambda b: specs.tables[b.title.table_kind].key is None
    ):
        unit = block.unit or default_unit
        ctx = TableContext(
            specs.tables[block.title.table_kind],
            block,
            unit,
            specs,
            load_classification(),
            meta.fiscal_year,
            printed_names,
        )
        result = read_table(ctx)
        printed_names.update(_names_beside_codes(result.facts))
        table = TableRead(
            block.title.table_kind,
            block.title.title,
            block.first_page,
            block.last_page,
            unit,
            not result.facts,
            result.decimals if result.facts else 2,
        )
        read.append((block, table, result))
    for _, table, result in sorted(read, key=lambda item: item[0].first_page):
        document.tables.append(table)
        document.facts.extend(result.facts)
        document.problems.extend(result.problems)
    document.problems.extend(_on_damaged_pages(data, parsed_pages, document.tables))
    document.file_kind = _file_kind(pages, document.tables, meta.report_kind)
    if document.tables and (meta.fiscal_year is None or meta.report_kind is None):
        missing = " and ".join(w for w, v in (("fiscal year", meta.fiscal_year), ("kind (预算/决算)", meta.report_kind))
                               if v is None)  # fmt: skip
        document.problems.append(Problem("meta.unplaced_document", "error",
                                         f"the document prints its {missing} nowhere (not on its pages, not in its "
                                         "file name): its figures cannot be placed in the warehouse"))  # fmt: skip
    if not document.tables:
        document.problems.append(_no_tables(pages, document.file_kind))
    document.facts = _distinct_facts(document.facts, document.problems)
    # The second reading (extract.reread) is made by the gate, of the pages it finds contested; PDFium must be
    # able to make it of the pages pdfplumber read.
    document.read_by_pdfplumber = {p.number for p in pages if p.grids and p.read_by == "pdfplumber"}
    try:
        ensure_second_reading(data, {f.page for f in document.facts if f.page in document.read_by_pdfplumber})
    except NoSecondReading as exc:
        raise ExtractionError(file_name, _NO_SECOND_READING.format(page=exc.page), exc.page) from exc
    return document


def _on_damaged_pages(data: bytes, parsed_pages: list[PDFPage], tables: list[TableRead]) -> list[Problem]:
    """A table printed on a page whose content stream is garbled is withheld: what was read of it may not be all
    that is printed (extract/damage.py)."""
    damaged = damaged_pages(data, {n for t in tables for n in range(t.first_page, t.last_page + 1)}, parsed_pages)
    problems = []
    for table in tables:
        page = next((n for n in range(table.first_page, table.last_page + 1) if n in damaged), None)
        if page is not None:
            problems.append(Problem("reading.damaged_page", "error",
                                    f"page {page}'s content stream is damaged ({damaged[page]:,} bytes in it are no "
                                    "PDF syntax): what was read of the table may not be all it prints",
                                    table_kind=table.table_kind, page=page, attributed_to="extraction"))  # fmt: skip
    return problems


def _names_beside_codes(facts: list[Fact]) -> dict[tuple[str, str], str]:
    """(parent code, printed name) → code, for every functional subject a table prints with its code and name."""
    names: dict[tuple[str, str], str] = {}
    for fact in facts:
        parent = Classification.parent(fact.key) if fact.fact_kind == "function" else None
        if parent and fact.row_label:
            names.setdefault((parent, normalise_name(label(fact.row_label))), fact.key)
    return names


def _distinct_facts(facts: list[Fact], problems: list[Problem]) -> list[Fact]:
    """A fact printed twice (the same subject listed again) is one fact; with two amounts it is unreadable."""
    seen: dict[tuple[str, str, str, str, str], Fact] = {}
    for fact in facts:
        first = seen.setdefault(fact.identity, fact)
        if first is not fact and first.amount_yuan != fact.amount_yuan:
            problems.append(
                Problem(
                    "conflicting_duplicate",
                    "error",
                    f"{'/'.join(fact.identity)} is printed twice with different amounts "
                    f"({first.amount_yuan} on page {first.page}, {fact.amount_yuan} on page {fact.page})",
                    table_kind=fact.table_kind,
                    page=fact.page,
                    subject_code=fact.key,
                    expected=first.amount_yuan,
                    actual=fact.amount_yuan,
                )
            )
    return list(seen.values())


def _needs_ocr(page: Page) -> Problem:
    return Problem(
        "needs_ocr", "warning", f"page {page.number} has no text layer (a scanned image): needs OCR", page=page.number
    )


_NO_TABLES_REASON: dict[FileKind, str] = {
    "scanned": "no page has a text layer: the document is scanned and needs OCR",
    "explanation only": "an explanation without its tables: it speaks of a budget or final account, but no page "
    "prints one of its tables (they may be published as a separate file)",
    "not a budget document": "not a department budget or final account: no page prints one of their tables, and "
    "its opening pages do not present one",
}


_NO_SECOND_READING = (
    "unreadable PDF: its page tree is damaged (PDFium cannot load page {page}, which pdfminer reads), so no "
    "figure can be read a second time"
)
_BLANK_PAGES_REASON = "no text and no images on any page: nothing to read (not a scan)"


def _file_kind(pages: list[Page], tables: list[TableRead], report_kind: ReportKind | None) -> FileKind:
    if tables:
        return "final account" if report_kind == "final" else "budget"
    if pages and all(not p.has_text_layer for p in pages):
        return "scanned" if any(p.has_images for p in pages) else "not a budget document"
    opening = fold("".join(p.text for p in pages[:3]))
    return "explanation only" if _SPEAKS_OF_ACCOUNTS.search(opening) else "not a budget document"


def _no_tables(pages: list[Page], file_kind: FileKind) -> Problem:
    if pages and not any(p.has_text_layer or p.has_images for p in pages):
        return Problem("no_tables_found", "error", _BLANK_PAGES_REASON)
    reason = _NO_TABLES_REASON.get(file_kind) or _NO_TABLES_REASON["not a budget document"]
    heading = next((fold(line.text) for p in pages[:2] for line in p.lines if _WORDY.search(line.text)), "")
    if file_kind == "not a budget document" and heading:
        reason += f" (it opens with {heading[:40]!r})"
    return Problem("no_tables_found", "error", reason)


def _one_block_per_kind(blocks: list[TableBlock], problems: list[Problem]) -> list[TableBlock]:
    """A kind printed twice (a reprint or a 续表 title) keeps its first block with grids."""
    chosen: dict[str, TableBlock] = {}
    for block in blocks:
        kind = block.title.table_kind
        if kind not in chosen or (not chosen[kind].grids and block.grids):
            chosen[kind] = block
        elif block.grids:
            problems.append(
                Problem(
                    "duplicate_table",
                    "warning",
                    f"{block.title.title} printed again on page {block.first_page}; "
                    f"the one on page {chosen[kind].first_page} is used",
                    table_kind=kind,
                    page=block.first_page,
                )
            )
    return sorted(chosen.values(), key=lambda b: b.first_page)


def _default_unit(blocks: list[TableBlock], report_kind: ReportKind | None) -> Unit:
    units = Counter(b.unit for b in blocks if b.unit)
    if units:
        return units.most_common(1)[0][0]  # type: ignore[return-value]
    return "元" if report_kind == "budget" else "万元"


def _meta(
    document_id: str, file_name: str, pages: list[Page], blocks: list[TableBlock], problems: list[Problem]
) -> DocumentMeta:
    cover = _cover_text(pages)
    name = _department_name(cover, pages)
    year = _fiscal_year(cover, pages)
    if blocks and (name is None or year is None):
        name, year = _from_file_name(file_name, name, year, problems)
    return DocumentMeta(
        document_id=document_id,
        file_name=file_name,
        department_name=name,
        fiscal_year=year,
        report_kind=_report_kind(cover, blocks),
        report_level=_report_level(cover, pages),
        region=_region(name),
        page_count=len(pages),
    )


def _from_file_name(
    file_name: str, name: str | None, year: int | None, problems: list[Problem]
) -> tuple[str | None, int | None]:
    """A tables-only attachment may print neither its department nor its year (北京's 预算01表…): its file
    name, as published, is then the only place that says them. Recorded, so a person can check."""
    stem = re.sub(r"(?:\.pdf)+$", "", file_name, flags=re.IGNORECASE)
    stem = re.split(r"[_：:]", stem)[-1]
    taken = []
    if year is None and (found := _YEAR.search(fold(stem))):
        year = int(found.group(1))
        taken.append(f"the fiscal year {year}")
    if name is None and (kind := _KIND_SUFFIX.search(fold(stem))):
        candidate = _clean_name(_YEAR.sub("", fold(stem)[: kind.start()]))
        if is_organisation(candidate):
            name = candidate
            taken.append(f"the department {name}")
    if taken:
        problems.append(Problem("meta.from_file_name", "warning",
                                f"the document prints {' and '.join(taken)} nowhere; taken from its file name "
                                f"{file_name!r}"))  # fmt: skip
    return name, year


def _cover_text(pages: list[Page]) -> str:
    for page in pages[:2]:
        text = fold(page.text)
        if _KIND_SUFFIX.search(text) or "预算" in text or "决算" in text:
            return "\n".join(line.text for line in page.lines[:12])
    return "\n".join(line.text for line in pages[0].lines[:12]) if pages else ""


def _department_name(cover: str, pages: list[Page]) -> str | None:
    labelled = _LABELLED_NAME.search(cover)
    if labelled and is_organisation(name := _clean_name(labelled.group(1))):
        return name
    joined = fold(cover)
    found = _KIND_SUFFIX.search(joined)
    if found:
        before = _YEAR.sub("", joined[: found.start()])
        before = re.sub(r"^.*?(?:年度|年)", "", before) if "年" in before else before
        if is_organisation(name := _clean_name(before)):
            return name
    for page in pages[:8]:
        labelled = _LABELLED_NAME.search(fold(page.text))
        if labelled and is_organisation(name := _clean_name(labelled.group(1))):
            return name
        for line in page.lines:
            overview = _OVERVIEW_NAME.match(fold(line.text))
            if overview and is_organisation(name := _clean_name(overview.group(1))):
                return name
    labelled = _LABELLED_NAME.search(_tables_first_rows(pages))  # a tables-only file: "部门：…" in the frame
    if labelled and is_organisation(name := _clean_name(labelled.group(1))):
        return name
    return None


def _tables_first_rows(pages: list[Page]) -> str:
    """The first rows of the tables, where some publishers print the title, 部门 and unit lines."""
    return "\n".join(
        t for p in pages for g in p.grids for r in range(min(3, len(g.cells))) for t in g.row_texts(r) if t
    )


def _clean_name(text: str) -> str | None:
    name = re.sub(r"^[\d\W_]+", "", fold(text)).strip("：:，,。")
    name = NAME_TAIL.sub("", name)
    name = re.sub(r"(?:20\d{2}年度?)", "", name)
    return name or None


def _fiscal_year(cover: str, pages: list[Page]) -> int | None:
    found = _YEAR.search(fold(cover))
    if found:
        return int(found.group(1))
    years = Counter(int(y) for p in pages[:10] for y in _YEAR.findall(fold(p.text)))
    if not years:
        years = Counter(int(y) for y in _YEAR.findall(fold(_tables_first_rows(pages))))
    return years.most_common(1)[0][0] if years else None


def _report_kind(cover: str, blocks: list[TableBlock]) -> ReportKind | None:
    text = fold(cover)
    if "决算" in text:
        return "final"
    if "预算" in text:
        return "budget"
    kinds = Counter(b.title.report_kind for b in blocks)
    return kinds.most_common(1)[0][0] if kinds else None  # type: ignore[return-value]


def _report_level(cover: str, pages: list[Page]) -> ReportLevel:
    text = fold(cover)
    if re.search(r"单位(?:决算|预算)", text) or "预算单位:" in text:
        return "unit"
    return "department"


def _region(name: str | None) -> str | None:
    if not name:
        return None
    found = _REGION.match(name)
    region = found.group(1) if found else ""
    return region or None
