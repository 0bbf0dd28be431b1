"""The expected/ format (extract/expected.py): a fact of the model is one row and back, the real corpus's
hand-checked files read and write as they are, and a file off the format is one clear error.

No PDF is read or rendered here: well under a second."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from extract.expected import (
    EXPECTED_CSVS,
    META_FILE,
    Expected,
    ExpectedFormatError,
    expected_of_document,
    format_expected,
    parse_expected,
    row_of_fact,
)
from extract.model import DocumentMeta, ExtractedDocument, Fact, TableRead
from flows.cli import main
from samples.truth import write_expected_folder
from tests.shared_data import absent
from tests.test_extract_real import REAL, REAL_DOCUMENTS
from warehouse.accuracy import read_expected, read_expected_folder

D = Decimal


def budget() -> ExtractedDocument:
    """One fact of every kind and every printed 合计, zeros among them."""
    facts = [
        Fact("expenditure", "all", "function", "201", "basic", D("1200.50"), 3),
        Fact("expenditure", "all", "function", "20101", "project", D("0.00"), 3),
        Fact("expenditure", "all", "table_total", "table_total", "basic", D("1200.50"), 3),
        Fact("gpb_basic_economic", "general_public_budget", "economic", "301", "total", D("900.00"), 4),
        Fact("gpb_basic_economic", "general_public_budget", "table_total", "personnel_total", "total", D("900.00"), 4),
        Fact("gpb_basic_economic", "general_public_budget", "table_total", "public_use_total", "total", D("0.00"), 4),
        Fact("income_expense_summary", "all", "summary", "expense.total", "amount", D("1200.50"), 2),
        Fact("income_expense_summary", "all", "summary", "income.carryover_begin", "amount", D("0.00"), 2),
        Fact("three_public", "fiscal", "three_public", "total", "budget", D("30000.00"), 5),
        Fact("three_public", "fiscal", "three_public", "reception", "budget", D("0.00"), 5),
    ]
    tables = [
        TableRead("income_expense_summary", "收支总表", 2, 2, "万元", False),
        TableRead("expenditure", "支出预算表", 3, 3, "万元", False),
        TableRead("gpb_basic_economic", "基本支出表", 4, 4, "万元", False),
        TableRead("three_public", "三公表", 5, 5, "元", False),
        TableRead("gov_fund", "政府性基金表", 6, 6, "万元", True),
    ]
    meta = DocumentMeta("ab" * 32, "x.pdf", "测试局", 2024, "budget", "department", None, 6)
    return ExtractedDocument(meta=meta, tables=tables, facts=facts)


def test_each_fact_is_one_row_of_its_file_and_reads_back_as_itself(tmp_path: Path) -> None:
    document = budget()
    write_expected_folder(tmp_path, expected_of_document(document))
    assert (tmp_path / "summary.csv").read_text(encoding="utf-8").splitlines() == [
        "table_kind,fund_scope,line_key,amount_yuan",
        "expenditure,all,table_total:basic,1200.50",
        "income_expense_summary,all,expense.total,1200.50",
    ]
    assert (tmp_path / "economic.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "gpb_basic_economic,general_public_budget,301,total,900.00",
        "gpb_basic_economic,general_public_budget,personnel_total,total,900.00",
    ]
    assert (tmp_path / "three_public.csv").read_text(encoding="utf-8").splitlines() == [
        "item,measure,amount_yuan",
        "total,budget,30000.00",
        "reception,budget,0.00",  # a three-public cell is written even when it is zero
    ]
    read = read_expected_folder(tmp_path)
    kept = [f for f in document.facts if f.amount_yuan != 0 or f.fact_kind == "three_public"]
    assert sorted((f.identity, f.amount_yuan) for f in read.facts()) == sorted(
        (f.identity, f.amount_yuan) for f in kept
    )
    assert read.meta.units["three_public"] == "元" and read.meta.tables_empty == ["gov_fund"]
    assert read.document().meta == document.meta


@pytest.mark.skipif(not REAL_DOCUMENTS, reason=absent(REAL))
@pytest.mark.parametrize("folder", REAL_DOCUMENTS)
def test_the_hand_checked_files_read_and_write_as_they_are(folder: str) -> None:
    expected = read_expected_folder(REAL / folder)
    assert len(expected.rows) > 0 or folder.startswith("sh-template")
    assert [row_of_fact(fact) for fact in expected.facts()] == expected.rows
    written = format_expected(expected)
    assert parse_expected(written) == expected
    for spec in EXPECTED_CSVS.values():
        printed = (REAL / folder / "expected" / spec.name).read_text(encoding="utf-8").replace("\r\n", "\n")
        assert written[spec.name] == printed, spec.name


def folder_with(tmp_path: Path, name: str, text: str) -> Path:
    write_expected_folder(tmp_path, expected_of_document(budget()))
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("function.csv", "subject_code,amount_yuan\n201,1.00\n", "function.csv: columns 'subject_code,amount_yuan'"),
        ("summary.csv", "table_kind,fund_scope,line_key,amount_yuan\na,all,b,1.234\n", "summary.csv line 2: amount_"),
        ("three_public.csv", "item,measure,amount_yuan\ntotal,budget,12,3\n", "three_public.csv line 2: 4 values"),
        ("economic.csv", "table_kind,fund_scope,econ_code,measure,amount_yuan\na,b,301,total,n/a\n", "not a number"),
        (META_FILE, '{"file": "x.pdf"}', "meta.json: no sha256"),
        (META_FILE, "[1, 2", "meta.json: not JSON"),
    ],
)
def test_a_file_off_the_format_is_one_error_naming_it(tmp_path: Path, name: str, text: str, error: str) -> None:
    folder = folder_with(tmp_path, name, text)
    with pytest.raises(ExpectedFormatError, match=error.replace("(", r"\(")) as raised:
        read_expected(folder)
    assert str(raised.value).startswith(f"{folder}: ")


def test_caijue_accuracy_on_a_folder_off_the_format_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    (tmp_path / "doc" / "expected").mkdir(parents=True)
    code = main(["accuracy", str(tmp_path / "doc"), "--warehouse", str(warehouse)])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("caijue: ") and "no meta.json" in lines[0]


def test_a_folder_is_its_files_and_nothing_else() -> None:
    expected = Expected(expected_of_document(budget()).meta, [], notes="# notes\n", injected=[{"kind": "x"}])
    names = set(format_expected(expected))
    assert names == {META_FILE, *(spec.name for spec in EXPECTED_CSVS.values()), "notes.md", "injected.json"}
    assert parse_expected(format_expected(expected)) == expected
