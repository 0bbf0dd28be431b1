"""The expected/ folder: the facts one PDF prints, checked by hand (corpus/real/*/expected/) or known by
construction (every generated sample's truth). The one statement of its format, with its writer and reader.

    meta.json         the document: file, sha256, cover facts, unit(s), tables present and printed empty
    function.csv      table_kind, fund_scope, subject_code, measure, amount_yuan
    economic.csv      table_kind, fund_scope, econ_code, measure, amount_yuan
    summary.csv       table_kind, fund_scope, line_key, amount_yuan
    three_public.csv  item, measure, amount_yuan
    notes.md          optional: how the facts were checked (real) or generated (samples)
    injected.json     optional: the errors a generated sample was given on purpose (samples/inject.py)

Amounts are yuan with two decimals. A fact of the extractor's model (`extract.model.Fact`) is one row: a
function, economic, summary or three_public fact goes to the file of its kind; a printed 合计 row (fact kind
`table_total`) is a summary row `table_total:<measure>` when it totals a table, and an economic row keyed
`personnel_total` / `public_use_total` (the `*_total` keys) when it totals a panel of the basic-expenditure
table. three_public.csv names no table kind or fund scope: its rows are the `three_public` table's, in that
table's fund scope (specs/tables.yaml). Summary rows have no measure column: theirs is `amount`. By the
corpus's convention the function, economic and summary files list non-zero amounts only, three_public.csv
every printed cell.

No file is read or written here (extract reads nothing but the PDF): `format_expected` gives each file's
text, `parse_expected` takes them back. samples/truth.py writes the files, warehouse/accuracy.py reads them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal, get_args

from extract.model import CENT, DocumentMeta, ExtractedDocument, Fact, FactKind, TableRead, Unit
from extract.specs import load_specs

ExpectedFile = Literal["function", "economic", "summary", "three_public"]
EXPECTED_FILES: tuple[ExpectedFile, ...] = get_args(ExpectedFile)

META_FILE = "meta.json"
NOTES_FILE = "notes.md"
INJECTED_FILE = "injected.json"

THREE_PUBLIC_TABLE = "three_public"
SUMMARY_MEASURE = "amount"
TABLE_TOTAL_KEY = "table_total"  # the key of a table_total fact that totals a whole table
TABLE_TOTAL_PREFIX = f"{TABLE_TOTAL_KEY}:"  # summary.csv: table_total:<measure>
PANEL_TOTAL_SUFFIX = "_total"  # economic.csv: personnel_total, public_use_total
DEFAULT_UNIT: Unit = "万元"  # of a table meta.json gives no unit for
COVER_FIELDS = ("department_name", "fiscal_year", "report_kind", "report_level", "page_count")  # as dim_document


@dataclass(frozen=True, slots=True)
class ExpectedCsv:
    """One CSV of the folder: its file name, its columns, and the column holding a row's key."""

    name: str
    columns: tuple[str, ...]
    key_column: str


EXPECTED_CSVS: dict[ExpectedFile, ExpectedCsv] = {
    "function": ExpectedCsv(
        "function.csv", ("table_kind", "fund_scope", "subject_code", "measure", "amount_yuan"), "subject_code"
    ),
    "economic": ExpectedCsv(
        "economic.csv", ("table_kind", "fund_scope", "econ_code", "measure", "amount_yuan"), "econ_code"
    ),
    "summary": ExpectedCsv("summary.csv", ("table_kind", "fund_scope", "line_key", "amount_yuan"), "line_key"),
    "three_public": ExpectedCsv("three_public.csv", ("item", "measure", "amount_yuan"), "item"),
}
# Every file the folder may hold, in the order they are listed above.
EXPECTED_FILE_NAMES = (META_FILE, *(spec.name for spec in EXPECTED_CSVS.values()), NOTES_FILE, INJECTED_FILE)


class ExpectedFormatError(ValueError):
    """An expected/ file that does not follow the format: which file, which line, what is wrong."""


@dataclass(frozen=True, slots=True, order=True)
class ExpectedRow:
    """One row of an expected/ CSV, with the table kind and fund scope the three-public file leaves unsaid
    and the measure the summary file leaves unsaid filled in."""

    file: ExpectedFile
    table_kind: str
    fund_scope: str
    key: str
    measure: str
    amount_yuan: Decimal

    def fields(self) -> dict[str, str]:
        """The row as its CSV's columns hold it."""
        spec = EXPECTED_CSVS[self.file]
        values = {
            "table_kind": self.table_kind,
            "fund_scope": self.fund_scope,
            "measure": self.measure,
            "amount_yuan": format_amount(self.amount_yuan),
            spec.key_column: self.key,
        }
        return {column: values[column] for column in spec.columns}

    def fact(self, page: int = 1) -> Fact:
        """The row as the extractor's fact. expected/ does not say where a fact is printed: `page` stands in."""
        kind: FactKind = self.file
        key, measure = self.key, self.measure
        if self.file == "summary" and key.startswith(TABLE_TOTAL_PREFIX):
            kind, key, measure = "table_total", TABLE_TOTAL_KEY, key.removeprefix(TABLE_TOTAL_PREFIX)
        elif self.file == "economic" and key.endswith(PANEL_TOTAL_SUFFIX):
            kind = "table_total"
        return Fact(self.table_kind, self.fund_scope, kind, key, measure, self.amount_yuan, page)


def row_of_fact(fact: Fact) -> ExpectedRow:
    """The row a fact of the extractor's model is written as."""
    if fact.fact_kind != "table_total":
        return ExpectedRow(fact.fact_kind, fact.table_kind, fact.fund_scope, fact.key, fact.measure, fact.amount_yuan)
    if fact.key == TABLE_TOTAL_KEY:
        key = f"{TABLE_TOTAL_PREFIX}{fact.measure}"
        return ExpectedRow("summary", fact.table_kind, fact.fund_scope, key, SUMMARY_MEASURE, fact.amount_yuan)
    return ExpectedRow("economic", fact.table_kind, fact.fund_scope, fact.key, fact.measure, fact.amount_yuan)


def rows_of_facts(facts: Iterable[Fact]) -> list[ExpectedRow]:
    """The rows of a folder holding these facts, by the corpus's convention: zero amounts only in three_public."""
    rows = (row_of_fact(fact) for fact in facts)
    return [row for row in rows if row.amount_yuan != 0 or row.file == "three_public"]


@dataclass(slots=True)
class ExpectedMeta:
    """meta.json. Fields it does not know (a sample's layout, a bureau's department_key and region) are kept
    in `extra`, in their order, and written after the cover facts."""

    file: str
    sha256: str
    department_name: str | None = None
    fiscal_year: int | None = None
    report_kind: str | None = None
    report_level: str | None = None
    page_count: int | None = None
    extra: dict[str, object] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)  # table_kind → 万元 | 元
    tables_present: list[str] = field(default_factory=list)
    tables_empty: list[str] = field(default_factory=list)

    def unit_of(self, table_kind: str) -> Unit:
        return self.units.get(table_kind, DEFAULT_UNIT)

    def document_meta(self) -> DocumentMeta:
        return DocumentMeta(
            document_id=self.sha256.lower(),
            file_name=self.file,
            department_name=self.department_name,
            fiscal_year=self.fiscal_year,
            report_kind=self.report_kind,
            report_level=self.report_level,
            region=None,
            page_count=self.page_count or 0,
        )

    def to_json(self) -> dict[str, object]:
        """The JSON object, in the corpus's key order; a unit shared by every table is written once, as `unit`;
        a cover fact not known (None) is left out."""
        cover = {name: getattr(self, name) for name in COVER_FIELDS}
        document: dict[str, object] = {
            "file": self.file,
            "sha256": self.sha256,
            **{name: value for name, value in cover.items() if value is not None},
            **self.extra,
        }
        if len(set(self.units.values())) == 1:
            document["unit"] = next(iter(self.units.values()))
        else:
            document["units"] = self.units
        document["tables_present"] = self.tables_present
        document["tables_empty"] = self.tables_empty
        return document


_META_KEYS = frozenset({"file", "sha256", *COVER_FIELDS, "unit", "units", "tables_present", "tables_empty"})


@dataclass(slots=True)
class Expected:
    """One expected/ folder."""

    meta: ExpectedMeta
    rows: list[ExpectedRow]
    notes: str | None = None
    injected: list[dict[str, object]] | None = None

    def facts(self, page: int = 1) -> list[Fact]:
        return [row.fact(page) for row in self.rows]

    def document(self) -> ExtractedDocument:
        """The document as the extractor should read it: every table on page 1 (expected/ has no pages)."""
        meta = self.meta
        tables = [
            TableRead(kind, kind, 1, 1, meta.unit_of(kind), kind in meta.tables_empty) for kind in meta.tables_present
        ]
        return ExtractedDocument(meta=meta.document_meta(), tables=tables, facts=self.facts())


def expected_of_document(document: ExtractedDocument) -> Expected:
    """The folder an extraction would be checked against, were every fact right: a draft to check by hand."""
    meta = document.meta
    expected_meta = ExpectedMeta(
        file=meta.file_name,
        sha256=meta.document_id,
        department_name=meta.department_name,
        fiscal_year=meta.fiscal_year,
        report_kind=meta.report_kind,
        report_level=meta.report_level,
        page_count=meta.page_count,
        units={table.table_kind: table.unit for table in document.tables},
        tables_present=[table.table_kind for table in document.tables],
        tables_empty=[table.table_kind for table in document.tables if table.is_empty],
    )
    return Expected(expected_meta, rows_of_facts(document.facts))


# --- text ---------------------------------------------------------------------------------------------------


def format_amount(amount_yuan: Decimal) -> str:
    if amount_yuan != amount_yuan.quantize(CENT):
        raise ValueError(f"{amount_yuan} yuan is not a whole number of fen")
    return f"{amount_yuan:.2f}"


def format_csv(file: ExpectedFile, rows: Iterable[ExpectedRow]) -> str:
    """The CSV text of one file: its header, then its rows in the order given."""
    spec = EXPECTED_CSVS[file]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(spec.columns)
    writer.writerows(row.fields().values() for row in rows if row.file == file)
    return text.getvalue()


def format_meta(meta: ExpectedMeta) -> str:
    return json.dumps(meta.to_json(), ensure_ascii=False, indent=2) + "\n"


def format_expected(expected: Expected) -> dict[str, str]:
    """Each file of the folder (by name) and its text."""
    files = {META_FILE: format_meta(expected.meta)}
    files |= {EXPECTED_CSVS[file].name: format_csv(file, expected.rows) for file in EXPECTED_FILES}
    if expected.notes is not None:
        files[NOTES_FILE] = expected.notes
    if expected.injected is not None:
        files[INJECTED_FILE] = json.dumps(expected.injected, ensure_ascii=False, indent=2) + "\n"
    return files


def parse_csv(file: ExpectedFile, text: str) -> list[ExpectedRow]:
    """The rows of one file's text; a header other than the file's columns, or an amount that is not yuan
    in whole fen, is an ExpectedFormatError naming the line."""
    spec = EXPECTED_CSVS[file]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = tuple(next(reader, ()))
    if header != spec.columns:
        raise ExpectedFormatError(f"{spec.name}: columns {','.join(header)!r}, not {','.join(spec.columns)!r}")
    rows = []
    for line, values in enumerate(reader, start=2):
        if not values:
            continue
        if len(values) != len(spec.columns):
            raise ExpectedFormatError(f"{spec.name} line {line}: {len(values)} values, not {len(spec.columns)}")
        rows.append(_row(file, dict(zip(spec.columns, values, strict=True)), f"{spec.name} line {line}"))
    return rows


def _row(file: ExpectedFile, fields: dict[str, str], where: str) -> ExpectedRow:
    three_public_scope = load_specs().tables[THREE_PUBLIC_TABLE].fund_scope
    return ExpectedRow(
        file,
        fields.get("table_kind", THREE_PUBLIC_TABLE),
        fields.get("fund_scope", three_public_scope),
        fields[EXPECTED_CSVS[file].key_column],
        fields.get("measure", SUMMARY_MEASURE),
        parse_amount(fields["amount_yuan"], where),
    )


def parse_amount(text: str, where: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ExpectedFormatError(f"{where}: amount_yuan {text!r} is not a number") from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ExpectedFormatError(f"{where}: amount_yuan {text!r} is not yuan in whole fen")
    return amount.quantize(CENT)


def parse_meta(text: str) -> ExpectedMeta:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExpectedFormatError(f"{META_FILE}: not JSON ({error})") from None
    return meta_of_json(document)


def meta_of_json(document: object) -> ExpectedMeta:
    """meta.json's object as an ExpectedMeta: `unit` (one for every table) or `units` (by table)."""
    if not isinstance(document, dict):
        raise ExpectedFormatError(f"{META_FILE}: not a JSON object")
    missing = [name for name in ("file", "sha256") if not isinstance(document.get(name), str)]
    if missing:
        raise ExpectedFormatError(f"{META_FILE}: no {' or '.join(missing)}")
    present = list(document.get("tables_present", []))
    units = document.get("units")
    if units is None and "unit" in document:
        units = dict.fromkeys(present, document["unit"])
    return ExpectedMeta(
        file=document["file"],
        sha256=document["sha256"],
        **{name: document.get(name) for name in COVER_FIELDS},
        extra={name: value for name, value in document.items() if name not in _META_KEYS},
        units=dict(units or {}),
        tables_present=present,
        tables_empty=list(document.get("tables_empty", [])),
    )


def parse_expected(files: Mapping[str, str]) -> Expected:
    """The folder from its files' texts (by name). meta.json is required; a CSV that is absent has no rows."""
    if META_FILE not in files:
        raise ExpectedFormatError(f"no {META_FILE}")
    rows = [
        row
        for file in EXPECTED_FILES
        if EXPECTED_CSVS[file].name in files
        for row in parse_csv(file, files[EXPECTED_CSVS[file].name])
    ]
    injected = _parse_injected(files[INJECTED_FILE]) if INJECTED_FILE in files else None
    return Expected(parse_meta(files[META_FILE]), rows, files.get(NOTES_FILE), injected)


def _parse_injected(text: str) -> list[dict[str, object]]:
    try:
        injected = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExpectedFormatError(f"{INJECTED_FILE}: not JSON ({error})") from None
    if not isinstance(injected, list):
        raise ExpectedFormatError(f"{INJECTED_FILE}: not a JSON list")
    return injected
