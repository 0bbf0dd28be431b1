"""PDFium's reading of the ruled pages (extract.pdfium_pages, the default) is pdfplumber's: the same grids, cell
for cell, the same text lines, and so the same facts — on every real document and on a generated document of
every layout. The whole corpus, wild folders included, is compared by `python benchmarks/page_readers.py`.

Where the readings differ it is in blanks only (extract.reading_equivalence): page 10 of
sh-putuo-sfj-2026-budget-dept prints "1. 一般公共预算" with a blank PDFium turns into one of its own, and reads
"1.一般公共预算"; pdfplumber's is right (the blank is printed), and every reader folds blanks away.

The generated documents print in STSong-Light, a CJK font they name without embedding it, as many real documents
do with 宋体. PDFium draws such a font from the machine's fonts; on a machine with no CJK font it has no glyph to
box, so its reading would depend on the machine: it leaves those pages to pdfplumber (extract.pdfium_pages
`_require_glyphs`), and the tests of generated documents hold that instead, on such a machine.

Cost: ~25 s (pdfplumber's reading of the 52 ruled real pages, twice: pages and facts; six generated documents).
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from extract import ExtractedDocument, extract_document
from extract.pages import PAGE_READER_VARIABLE
from extract.pdfium_pages import (
    NotJudged,
    _cell_texts,
    _chars_by_cell,
    _edges,
    _glyphs,
    _page_lines,
    _PlumberSpace,
    _tables,
    _text,
    _text_lines,
)
from extract.reading_equivalence import TOLERANCE, compare_document
from samples.corpus import Planned, build_document, plan_corpus
from samples.layouts import load_layouts
from tests.shared_data import REAL, absent

REAL_PDFS = sorted(REAL.glob("*/*.pdf")) if REAL.is_dir() else []
SAME = ("same", "same but for blanks")


def _one_per_layout() -> list[Planned]:
    plans = plan_corpus(12, (2024,), 20240607, set(load_layouts()), variants=True)
    return list({plan.layout.name: plan for plan in plans}.values())


GENERATED = _one_per_layout()


@cache
def _generated_pdf(stem: str) -> bytes:
    plan = next(p for p in GENERATED if p.stem == stem)
    return build_document(plan).rendered.pdf


def _first_page_glyphs(data: bytes) -> None:
    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        _glyphs(page.get_textpage(), _PlumberSpace.of(page))
    finally:
        document.close()


@cache
def _machine_has_the_samples_font() -> bool:
    """Whether PDFium finds a glyph for the generated documents' CJK characters among this machine's fonts."""
    try:
        _first_page_glyphs(_generated_pdf(GENERATED[0].stem))
    except NotJudged:
        return False
    return True


def _facts(document: ExtractedDocument) -> dict[tuple[str, ...], tuple[Decimal, int, str | None]]:
    return {f.identity: (f.amount_yuan, f.page, f.row_label) for f in document.facts}


def _boxes_apart(first: ExtractedDocument, second: ExtractedDocument) -> list[tuple[str, ...]]:
    """Facts whose cell boxes are more than TOLERANCE apart (PDFium's coordinates are single precision)."""
    boxes = {f.identity: f.box for f in second.facts}

    def apart(a: tuple[float, ...] | None, b: tuple[float, ...] | None) -> bool:
        if a is None or b is None:
            return a is not b
        return any(abs(x - y) > TOLERANCE for x, y in zip(a, b, strict=True))

    return [f.identity for f in first.facts if apart(f.box, boxes[f.identity])]


def _read_with(reader: str, data: bytes, name: str, monkeypatch: pytest.MonkeyPatch) -> ExtractedDocument:
    monkeypatch.setenv(PAGE_READER_VARIABLE, reader)
    return extract_document(data, name)


def _assert_same_reading(data: bytes) -> None:
    comparisons = list(compare_document(data))
    assert comparisons, "no ruled page"
    differing = [c for c in comparisons if c.verdict not in SAME]
    assert not differing, differing


def _assert_same_facts(data: bytes, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    by_pdfium = _read_with("pdfium", data, name, monkeypatch)
    by_pdfplumber = _read_with("pdfplumber", data, name, monkeypatch)
    assert by_pdfium.read_by_pdfplumber == set()  # no page was left to pdfplumber
    assert _facts(by_pdfium) == _facts(by_pdfplumber)
    assert not _boxes_apart(by_pdfium, by_pdfplumber)
    assert [(t.table_kind, t.first_page, t.last_page, t.unit) for t in by_pdfium.tables] == [
        (t.table_kind, t.first_page, t.last_page, t.unit) for t in by_pdfplumber.tables
    ]
    assert Counter(p.check_name for p in by_pdfium.problems) == Counter(p.check_name for p in by_pdfplumber.problems)
    assert by_pdfium.meta == by_pdfplumber.meta


@pytest.mark.skipif(not REAL_PDFS, reason=absent(REAL))
@pytest.mark.parametrize("pdf", REAL_PDFS, ids=lambda p: p.parent.name)
def test_pdfium_reads_every_ruled_page_of_a_real_document_as_pdfplumber_does(pdf: Path) -> None:
    _assert_same_reading(pdf.read_bytes())


@pytest.mark.skipif(not REAL_PDFS, reason=absent(REAL))
@pytest.mark.parametrize("pdf", REAL_PDFS, ids=lambda p: p.parent.name)
def test_a_page_s_lines_and_cell_texts_read_at_once_are_those_read_line_by_line(pdf: Path) -> None:
    """The page's text lines and its cells' texts computed with numpy for all at once (`_page_lines`,
    `_cell_texts`) are those of `_text_lines` and `_text`, one by one (~0.3 s a document)."""
    document = pdfium.PdfDocument(pdf.read_bytes())
    try:
        cells_read = 0
        for page in document:
            space = _PlumberSpace.of(page)
            glyphs = _glyphs(page.get_textpage(), space)
            if not glyphs.text:
                continue
            assert _page_lines(glyphs) == _text_lines(glyphs, range(len(glyphs.text)), page_lines=True)
            for cells in _tables(*_edges(page, space, None)):
                inside = _chars_by_cell(cells, glyphs)
                assert _cell_texts(glyphs, inside) == {
                    cell: _text(glyphs, chars) for cell, chars in inside.items() if chars
                }
                cells_read += len(inside)
        assert cells_read
    finally:
        document.close()


@pytest.mark.skipif(not REAL_PDFS, reason=absent(REAL))
@pytest.mark.parametrize("pdf", REAL_PDFS, ids=lambda p: p.parent.name)
def test_a_real_document_yields_the_same_facts_with_either_reader(pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _assert_same_facts(pdf.read_bytes(), pdf.name, monkeypatch)


@pytest.mark.parametrize("stem", [p.stem for p in GENERATED])
def test_a_generated_document_of_every_layout_reads_the_same_and_yields_the_same_facts(
    stem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _generated_pdf(stem)
    if not _machine_has_the_samples_font():
        _assert_left_to_pdfplumber(data, f"{stem}.pdf", monkeypatch)
        return
    _assert_same_reading(data)
    _assert_same_facts(data, f"{stem}.pdf", monkeypatch)


def _assert_left_to_pdfplumber(data: bytes, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the font, every ruled page is pdfplumber's, and so is every fact."""
    comparisons = list(compare_document(data))
    assert comparisons and {c.verdict for c in comparisons} == {"not judged"}
    by_pdfium = _read_with("pdfium", data, name, monkeypatch)
    assert by_pdfium.read_by_pdfplumber == {c.page for c in comparisons}
    assert _facts(by_pdfium) == _facts(_read_with("pdfplumber", data, name, monkeypatch))


def test_pdfium_judges_a_page_of_a_font_the_pdf_does_not_embed_only_with_the_machine_s_glyphs() -> None:
    """A generated document names STSong-Light without embedding it: PDFium reads its pages where the machine has
    a CJK font, and says why it does not where it has none — never a reading with the characters boxed flat."""
    data = _generated_pdf(GENERATED[0].stem)
    if _machine_has_the_samples_font():
        _first_page_glyphs(data)
    else:
        with pytest.raises(NotJudged, match=r"no glyph for .* in a font the PDF does not embed"):
            _first_page_glyphs(data)


def _changed(original: bytes, page: int, change: Callable[[pdfium.PdfPage], None]) -> bytes:
    document = pdfium.PdfDocument(original)
    change(document[page - 1])
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    return buffer.getvalue()


def test_a_page_pdfium_cannot_judge_is_read_by_pdfplumber() -> None:
    """A page turned a quarter to be displayed, its text drawn upright: displayed, the text runs sideways,
    which pdfminer boxes otherwise than upright text; PDFium is not asked to match it. (A page whose text is
    drawn sideways to be displayed upright reads the same: wild/js-rdcwhbgt, benchmarks/page_readers.py.)"""
    original = _generated_pdf(GENERATED[0].stem)
    ruled = next(c.page for c in compare_document(original))
    verdicts = {c.page: c.verdict for c in compare_document(_changed(original, ruled, lambda p: p.set_rotation(90)))}
    assert verdicts.pop(ruled) == "not judged"
    assert set(verdicts.values()) <= ({*SAME} if _machine_has_the_samples_font() else {"not judged"})


def test_an_unknown_page_reader_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PAGE_READER_VARIABLE, "ocr")
    with pytest.raises(ValueError, match="CAIJUE_PAGE_READER='ocr'"):
        extract_document(_generated_pdf(GENERATED[0].stem), "x.pdf")


def test_the_command_line_refuses_an_unknown_page_reader_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from flows.cli import main

    monkeypatch.setenv(PAGE_READER_VARIABLE, "ocr")
    assert main(["accuracy", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("caijue: CAIJUE_PAGE_READER='ocr'") and "pdfium or pdfplumber" in line
