"""Property-based tests (fuzz) of the header, cell and name parsers: a header, a line label or a subject printed
with spaces, line breaks or full-width characters means what it means printed plainly; a code printed inside
its name cell, in any of the ways publishers print it, reads back as the code and the name; and no text
whatever, in any cell of any table, makes a parser fail otherwise than by saying so (a problem, a None).

`HYPOTHESIS_PROFILE=fuzz pytest -p no:xdist tests/test_parser_properties.py` searches far longer (CI: the
'ci' profile, a few seconds in all).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from hypothesis import example, given
from hypothesis import strategies as st

from extract.cells import code_prefix, is_body_row
from extract.classification import load_classification
from extract.header import body_start, column_paths
from extract.money import figure_of, spilled_words
from extract.names import is_organisation
from extract.specs import Phrasebook, load_specs
from extract.text import fold, has_ordinal, label
from extract.units import units_listed
from tests.test_readers import grid, read

SPECS = load_specs()
VOCABULARY = SPECS.vocabulary
CLASSIFICATION = load_classification()
PHRASEBOOKS: dict[str, Phrasebook] = {
    "measures": VOCABULARY.measures,
    "fund_table_measures": VOCABULARY.fund_table_measures,
    "scope_headers": VOCABULARY.scope_headers,
    "income_lines": VOCABULARY.income_lines,
    "expense_lines": VOCABULARY.expense_lines,
    "three_public_items": VOCABULARY.three_public_items,
    "three_public_measures": VOCABULARY.three_public_measures,
    "total_rows": VOCABULARY.total_rows,
    "fund_parts": VOCABULARY.fund_parts,
}
# Printed the other way: what fold() reads as the same character
FULL_WIDTH = str.maketrans("0123456789():,.-%/", "０１２３４５６７８９（）：，．－％／")
BREAKS = st.sampled_from([" ", "\n", "\u3000", "  ", " \n", "\t"])
SUBJECTS = sorted((code, name.name) for code, subject in CLASSIFICATION.function.items() for name in subject.names)
MATRIX_TABLES = sorted(kind for kind, spec in SPECS.tables.items() if spec.shape == "subject_matrix")


@cache
def _aliases(book: str) -> list[tuple[str, str]]:
    """(printed alias, meaning): the vocabulary's own words, as it writes them (their label()s are the keys)."""
    return list(PHRASEBOOKS[book].entries)


@st.composite
def reprinted(draw: st.DrawFn, text: str) -> str:
    """`text` as another publisher sets it: full-width digits and punctuation, and spaces or line breaks
    between any of its characters (a header wrapped in its cell, words spaced out to fill it)."""
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    cuts = draw(st.lists(st.integers(0, len(text)), max_size=4))
    for cut in sorted(cuts, reverse=True):
        text = text[:cut] + draw(BREAKS) + text[cut:]
    return text


# --- a printed word means what the vocabulary says, however it is set ------------------------------------------


@st.composite
def vocabulary_words(draw: st.DrawFn) -> tuple[str, str, str]:
    book = draw(st.sampled_from(sorted(PHRASEBOOKS)))
    alias, _ = draw(st.sampled_from(_aliases(book)))
    return book, alias, draw(reprinted(alias))


@given(vocabulary_words())
def test_a_vocabulary_word_set_with_spaces_breaks_or_full_width_characters_means_the_same(
    word: tuple[str, str, str],
) -> None:
    book, alias, printed = word
    phrasebook = PHRASEBOOKS[book]
    assert phrasebook.exact(printed) == phrasebook.exact(alias) is not None
    assert phrasebook.lenient(printed) == phrasebook.lenient(alias)


# How a row's label is numbered: summary lines (一、财政拨款收入), three-public items ((一)因公出国费), 其中：
ORDINALS = st.sampled_from(
    ["", "一、", "十二、", "（一）", "(一)", "（三）、", "1.", "1、", "12．", "①", "(1)", "其中：", "其中"]
)
LINE_BOOKS = ("income_lines", "expense_lines", "three_public_items", "total_rows")


@st.composite
def numbered_lines(draw: st.DrawFn) -> tuple[str, str, str]:
    book = draw(st.sampled_from(LINE_BOOKS))
    alias, _ = draw(st.sampled_from(_aliases(book)))
    return book, alias, draw(reprinted(draw(ORDINALS) + alias))


@given(numbered_lines())
def test_a_line_label_numbered_any_way_means_the_same(line: tuple[str, str, str]) -> None:
    book, alias, printed = line
    assert PHRASEBOOKS[book].exact(printed) == PHRASEBOOKS[book].exact(alias) is not None


@st.composite
def matrix_headers(draw: st.DrawFn) -> tuple[str, str, str]:
    """A subject table's amount column: its table kind, its header as the vocabulary writes it, and reprinted."""
    table_kind = draw(st.sampled_from(MATRIX_TABLES))
    book = "fund_table_measures" if SPECS.tables[table_kind].is_fund_table else "measures"
    alias, _ = draw(st.sampled_from(_aliases(book) + _aliases("measures")))
    return table_kind, alias, draw(reprinted(alias))


def _column_reading(table_kind: str, header: str) -> set[tuple[str, str, str]]:
    result = read(table_kind, grid([["科目编码", "科目名称", header], ["2010101", "行政运行", "12.50"]]))
    return {(f.fact_kind, f.key, f.measure) for f in result.facts} | {(p.check_name, "", "") for p in result.problems}


@given(matrix_headers())
@example(("expenditure", "基本支出", "基 本\n支 出"))
def test_a_column_header_set_any_way_is_read_as_the_same_measure(header: tuple[str, str, str]) -> None:
    table_kind, alias, printed = header
    assert _column_reading(table_kind, printed) == _column_reading(table_kind, alias)


# --- a subject printed with its code in the name cell ------------------------------------------------------------


@st.composite
def coded_names(draw: st.DrawFn) -> tuple[str, str, str]:
    """(code, name, the cell): "2010101行政运行", "[2010101]行政运行", "2010101-行政运行", "2010101 行政运行",
    full-width or not."""
    code, name = draw(st.sampled_from(SUBJECTS))
    form = draw(st.sampled_from(["{code}{name}", "[{code}]{name}", "{code}-{name}", "{code} {name}", "{code}：{name}"]))
    cell = form.format(code=code, name=name)
    if draw(st.booleans()):
        cell = cell.translate(FULL_WIDTH)
    return code, name, cell


@given(coded_names())
def test_a_code_printed_inside_its_name_cell_reads_back_as_the_code_and_the_name(subject: tuple[str, str, str]) -> None:
    code, name, cell = subject
    assert code_prefix(cell) == (code, fold(name))
    assert is_body_row([cell, "1.00"])


@given(st.sampled_from(SUBJECTS), st.integers(1, 6))
def test_a_wrapped_name_s_tail_drawn_before_its_hyphenated_code_is_put_back(subject: tuple[str, str], cut: int) -> None:
    """ "护2130306-水利工程运行与维": the last characters of a wrapped name drawn before the code."""
    code, name = subject
    if cut >= len(name) or any(ch.isdigit() for ch in name):
        return
    head, tail = name[:-cut], name[-cut:]
    assert code_prefix(f"{tail}{code}-{head}") == (code, fold(head + tail))


# --- no text breaks a parser ---------------------------------------------------------------------------------------

ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
CELL_WORDS = st.one_of(
    ANY_TEXT,
    st.sampled_from([alias for book in PHRASEBOOKS for alias, _ in _aliases(book)]),
    st.sampled_from([code for code, _ in SUBJECTS]),
    st.sampled_from([name for _, name in SUBJECTS]),
    st.sampled_from(
        ["", "<", "-", "—", "0.00", "(1.00)", "1,234.56", "栏次", "行次", "类", "款", "项", "合计", "小计"]
    ),
    st.decimals(min_value=-(10**12), max_value=10**12, places=2).map(str),
)


@given(ANY_TEXT)
@example("一、")
@example("()、")
@example("其中：")
@example("(本级)")  # found: is_organisation raised IndexError on a name tail alone (nothing left before it)
def test_any_text_is_labelled_folded_and_tested_without_failing(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded and not re.search(r"\s", folded)
    label(text)
    has_ordinal(text)
    code_prefix(text)
    is_organisation(text)
    spilled_words(text)
    figure_of(text, "万元")
    for book in PHRASEBOOKS.values():
        book.exact(text)
        book.lenient(text)
    CLASSIFICATION.class_code_for_name(text)
    CLASSIFICATION.economic_code_for_name(text, None)


@given(
    st.lists(
        st.one_of(ANY_TEXT, st.sampled_from(["1. ", "、", "。", "\n二、", "具体包括：", "单位包括："])), max_size=12
    )
)
def test_any_narrative_lists_units_without_failing(parts: list[str]) -> None:
    for page_unit in units_listed({1: "".join(parts)}):
        assert page_unit.name and not page_unit.name.isspace()


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    """A ruled table of 1–7 rows × 1–6 columns of any cells: words of the vocabulary, codes, names, amounts,
    the marks of numbering rows, text of any kind; "<" merges a cell with the one on its left."""
    columns = draw(st.integers(1, 6))
    rows = draw(st.lists(st.lists(CELL_WORDS, min_size=columns, max_size=columns), min_size=1, max_size=7))
    for row in rows:
        if row[0] == "<":
            row[0] = ""
    return rows


@given(st.sampled_from(sorted(SPECS.tables)), tables())
@example("expenditure", [["²"]])  # a digit int() cannot read (str.isdigit, not isdecimal): found by this test
@example("expenditure", [["1", "²"], ["²", "3"]])
def test_a_table_of_any_cells_is_read_or_reported_never_failing(table_kind: str, rows: list[list[str]]) -> None:
    drawn = grid(rows)
    start = body_start(drawn, 0)
    assert 0 <= start <= len(rows)
    assert len(column_paths(drawn, range(start))) == len(rows[0])
    result = read(table_kind, drawn)
    for fact in result.facts:
        assert fact.amount_yuan == fact.amount_yuan.quantize(Decimal("0.01"))
