"""The shortcuts extraction takes for speed give what the long way gives: a path's segments read as one block
are those PDFium's calls give one by one, a character's matrix asked of its text object is the one its text page
gives, the bounds' upper limit of what a stream inflates to is never below what it inflates to, the cells
placed by bisection are those the linear search finds, PDFium's calls by index made without argument types give
what pypdfium2's declared calls give, text objects measured alike (grouped by their bytes) are measured as each
alone, matrices multiplied at once are those multiplied one by one, and paths' segment blocks asked at once are
each path's. (The whole reading is compared with the previous reader's, page for page, by
tests/test_pdfium_reader.py against pdfplumber's.)

Cost: ~5 s (three real documents opened with PDFium; 100 generated streams, grids and matrix sets).
"""

from __future__ import annotations

import ctypes
import zlib
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream

from extract import bounds, pdfium_pages
from extract.pages import Cell, _covering_each
from tests.shared_data import REAL, absent

REAL_PDFS = sorted(REAL.glob("*/*.pdf"))[:3] if REAL.is_dir() else []


def _ruled_pages(pdf: Path) -> list[pdfium.PdfPage]:
    """The document's ruled pages (each holds its document open)."""
    document = pdfium.PdfDocument(pdf.read_bytes())
    pages = [document[i] for i in range(len(document))]
    return [p for p in pages if pdfium_pages.page_objects(p).ruling_segments >= 8]


@pytest.mark.skipif(not REAL_PDFS, reason=absent(REAL))
@pytest.mark.parametrize("pdf", REAL_PDFS, ids=lambda p: p.parent.name)
def test_a_paths_segments_read_as_one_block_are_those_read_one_by_one(pdf: Path) -> None:
    pages = _ruled_pages(pdf)  # held: a page closed frees its paths
    paths = [path for page in pages for path in pdfium_pages._paths(page.raw).paths]
    assert paths
    for path in paths:
        one_by_one = [
            pdfium_pages._segment(pdfium_pages._segment_at(path, i)) for i in range(pdfium_pages._count_segments(path))
        ]
        assert pdfium_pages._segments(path) == one_by_one
    assert pdfium_pages._segment_block_read[0] is True  # the block was read: the check above is not vacuous


@pytest.mark.skipif(not REAL_PDFS, reason=absent(REAL))
@pytest.mark.parametrize("pdf", REAL_PDFS, ids=lambda p: p.parent.name)
def test_a_characters_matrix_is_its_text_objects_on_a_page_without_forms(pdf: Path) -> None:
    checked = 0
    for page in _ruled_pages(pdf):
        drawn = pdfium_pages.page_objects(page)
        if any(pdfium_pages._object_type(o) == pdfium_c.FPDF_PAGEOBJ_FORM for o in drawn.drawings):
            continue
        textpage = page.get_textpage()
        of_char, of_object = pdfium_c.FS_MATRIX(), pdfium_c.FS_MATRIX()
        for index in range(pdfium_c.FPDFText_CountChars(textpage.raw)):
            obj = pdfium_pages._text_object_of(textpage.raw, index)
            if not obj:
                continue  # a blank PDFium generated
            assert pdfium_pages._char_matrix(textpage.raw, index, ctypes.byref(of_char))
            assert pdfium_pages._object_matrix(obj, ctypes.byref(of_object))
            fields = ("a", "b", "c", "d")
            assert [getattr(of_char, f) for f in fields] == [getattr(of_object, f) for f in fields]
            checked += 1
    assert checked


def _flate_stream(data: bytes) -> PDFStream:
    return PDFStream({"Filter": LITERALS_FLATE_DECODE[0]}, zlib.compress(data, 9))


@settings(max_examples=100)
@given(st.binary(max_size=2000), st.integers(min_value=0, max_value=200_000))
def test_a_stream_never_inflates_past_its_upper_limit(head: bytes, zeros: int) -> None:
    stream = _flate_stream(head + bytes(zeros))  # zeros: deflate's best ratio
    assert bounds._inflated_bytes(stream) <= bounds._most_inflated(stream)


def test_the_densest_stream_stays_under_its_upper_limit() -> None:
    stream = _flate_stream(bytes(8 << 20))
    inflated = bounds._inflated_bytes(stream)
    assert inflated == 8 << 20
    assert inflated <= bounds._most_inflated(stream) < 2 * inflated  # the limit is near: deflate's ratio is ~1,032


_EDGES = st.lists(st.sampled_from([0.0, 10.0, 20.0, 30.0, 45.5, 60.0, 80.0]), min_size=2, max_size=2, unique=True)


@settings(max_examples=100)
@given(
    st.lists(st.tuples(_EDGES, _EDGES), max_size=12),
    st.lists(st.floats(-5, 90, allow_nan=False), max_size=8),
    st.lists(st.floats(-5, 90, allow_nan=False), max_size=8),
)
def test_cells_placed_by_bisection_are_those_a_linear_search_finds(
    spans: list[tuple[list[float], list[float]]], xs: list[float], ys: list[float]
) -> None:
    cells = [Cell(str(i), min(h), min(v), max(h), max(v)) for i, (h, v) in enumerate(spans)]

    def first_covering(x: float, y: float) -> Cell | None:
        return next((c for c in cells if c.x0 <= x < c.x1 and c.top <= y < c.bottom), None)

    assert _covering_each(cells, xs, ys) == [[first_covering(x, y) for x in xs] for y in ys]


@pytest.mark.skipif(not REAL_PDFS, reason=absent(REAL))
@pytest.mark.parametrize("pdf", REAL_PDFS, ids=lambda p: p.parent.name)
def test_a_pages_rectangles_and_lines_read_at_once_are_its_edges_read_path_by_path(pdf: Path) -> None:
    at_once = 0
    for page in _ruled_pages(pdf):
        space = pdfium_pages._PlumberSpace.of(page)
        painted = pdfium_pages._paths(page.raw)
        found = pdfium_pages._rectangles_and_lines(painted, space)
        if found is not None:
            at_once += 1
            _assert_same_edges(found, pdfium_pages._edges_path_by_path(painted, space))
    assert at_once  # the real documents' ruling is rectangles and lines: the comparison is not vacuous


def _assert_same_edges(found: tuple[np.ndarray, np.ndarray], expected: tuple[np.ndarray, np.ndarray]) -> None:
    for edges, expected_edges in zip(found, expected, strict=True):
        assert edges.shape == expected_edges.shape
        assert edges.tobytes() == expected_edges.tobytes()  # bit for bit, the sign of a zero too


_COORDINATE = st.sampled_from([-0.0, 0.0, 1.5, 10.0, 10.25, 30.0, 100.0])
_MATRICES = st.sampled_from([(1.0, 0.0, 0.0, 1.0, 0.0, 0.0), (1.0, 0.0, 0.0, -1.0, 5.0, 800.0),
                             (0.0, 1.0, -1.0, 0.0, 595.0, 0.0), (0.5, 0.0, 0.0, 2.0, -3.0, 7.5),
                             (1.0, 0.2, 0.0, 1.0, 0.0, 0.0), (-1.0, 0.0, 0.0, 1.0, 600.0, 0.0)])  # fmt: skip
_SHAPES = st.tuples(st.sampled_from(["rectangle", "line", "curve"]), *[_COORDINATE] * 4, _MATRICES)


@settings(max_examples=100, deadline=None)
@given(st.lists(_SHAPES, min_size=1, max_size=8), _MATRICES)
def test_rectangles_and_lines_read_at_once_are_their_edges_read_path_by_path(
    shapes: list[tuple[str, float, float, float, float, tuple[float, ...]]], ctm: tuple[float, ...]
) -> None:
    """Any mix of PDF rectangles, lines and curves, under any matrix: the edges read at once are those read path
    by path, or the page is left to the long way."""
    made = [_path(kind, x, y, u, v) for kind, x, y, u, v, _ in shapes]
    try:
        found_paths = [(pdfium_pages._address(path), matrix) for path, (*_, matrix) in zip(made, shapes, strict=True)]
        painted = pdfium_pages.Painted.of(found_paths)  # type: ignore[arg-type]
        space = pdfium_pages._PlumberSpace(ctm, 2.0, 842.0, 595.0, 842.0, 0)  # type: ignore[arg-type]
        found = pdfium_pages._rectangles_and_lines(painted, space)  # type: ignore[arg-type]
        if any(kind == "curve" for kind, *_ in shapes):
            assert found is None
        if found is not None:
            _assert_same_edges(found, pdfium_pages._edges_path_by_path(painted, space))  # type: ignore[arg-type]
    finally:
        for path in made:
            pdfium_c.FPDFPageObj_Destroy(path)


def _path(kind: str, x: float, y: float, u: float, v: float) -> object:
    if kind == "rectangle":  # what a PDF `re` makes
        return pdfium_c.FPDFPageObj_CreateNewRect(x, y, u, v)
    path = pdfium_c.FPDFPageObj_CreateNewPath(x, y)
    if kind == "line":
        pdfium_c.FPDFPath_LineTo(path, u, v)
    else:
        pdfium_c.FPDFPath_BezierTo(path, x, v, u, y, u, v)
    return path


@pytest.mark.skipif(not REAL_PDFS, reason=absent(REAL))
def test_calls_by_index_without_argument_types_are_pypdfium2s_declared_calls() -> None:
    page = _ruled_pages(REAL_PDFS[0])[0]
    textpage = page.get_textpage()
    chars = range(pdfium_c.FPDFText_CountChars(textpage.raw))
    objects = range(pdfium_c.FPDFPage_CountObjects(page.raw))
    text, raw_page = pdfium_pages._handle(pdfium_pages._address(textpage.raw)), pdfium_pages._handle(page.raw)

    assert [pdfium_pages._text_object_of(text, i) for i in chars] == [
        pdfium_pages._address(pdfium_c.FPDFText_GetTextObject(textpage.raw, i)) or None for i in chars
    ]
    assert [pdfium_pages._is_generated(text, i) for i in chars] == [
        pdfium_c.FPDFText_IsGenerated(textpage.raw, i) for i in chars
    ]
    assert [pdfium_pages._object_at(raw_page, i) for i in objects] == [
        pdfium_pages._address(pdfium_c.FPDFPage_GetObject(page.raw, i)) or None for i in objects
    ]
    assert any(pdfium_pages._is_generated(text, i) for i in chars) and len(objects) > 100  # not vacuous


@pytest.mark.skipif(not REAL_PDFS, reason=absent(REAL))
@pytest.mark.parametrize("pdf", REAL_PDFS, ids=lambda p: p.parent.name)
def test_text_objects_measured_alike_are_measured_as_each_alone(pdf: Path) -> None:
    """Objects grouped by their bytes (matrix, size, font) take the measures each one's own numbers give."""
    measured_objects = 0
    for page in _ruled_pages(pdf):
        textpage = page.get_textpage()
        raw = pdfium_pages._address(textpage.raw)
        count = pdfium_c.FPDFText_CountChars(textpage.raw)
        first_of = {}
        for index in range(count):
            obj = pdfium_pages._text_object_of(pdfium_pages._handle(raw), index)
            if obj:
                first_of.setdefault(obj, index)
        metrics = pdfium_pages._Metrics(pdfium_pages._PlumberSpace.of(page).ctm)
        measures, fonts, key_of = metrics.measures(raw, list(first_of.values()), list(first_of))
        alone = pdfium_pages._Metrics(pdfium_pages._PlumberSpace.of(page).ctm)
        matrix, size = pdfium_c.FS_MATRIX(), ctypes.c_float()
        for k, (obj, index) in enumerate(first_of.items()):
            assert pdfium_pages._char_matrix(raw, index, ctypes.byref(matrix))
            assert pdfium_pages._font_size(obj, ctypes.byref(size))
            font = pdfium_pages._font_of(obj)
            own = alone._measured(matrix.a, matrix.b, matrix.c, matrix.d, size.value, font)
            assert tuple(measures[key_of[k]].tolist()) == own and fonts[key_of[k]] == font
            measured_objects += 1
    assert measured_objects


@settings(max_examples=100)
@given(st.lists(st.tuples(*[st.floats(-1e4, 1e4, allow_nan=False, width=32)] * 6), max_size=6), _MATRICES)
def test_matrices_multiplied_at_once_are_those_multiplied_one_by_one(
    rows: list[tuple[float, ...]], outer: tuple[float, ...]
) -> None:
    at_once = pdfium_pages._times_each(np.asarray(rows, dtype=float).reshape(-1, 6), outer)  # type: ignore[arg-type]
    one_by_one = [pdfium_pages._times(row, outer) for row in rows]  # type: ignore[arg-type]
    assert at_once.tobytes() == np.asarray(one_by_one, dtype=float).reshape(-1, 6).tobytes()


@pytest.mark.skipif(not REAL_PDFS, reason=absent(REAL))
def test_segment_blocks_asked_at_once_are_each_paths_block() -> None:
    pages = _ruled_pages(REAL_PDFS[0])
    paths = [path for page in pages for path in pdfium_pages._paths(page.raw).paths]
    pdfium_pages._segment_block(paths[0])  # the block reading checked once, as a page's first path does
    assert pdfium_pages._segment_blocks(paths) == [pdfium_pages._segment_block(path) for path in paths]
    assert all(block is not None for block in pdfium_pages._segment_blocks(paths))  # not vacuous
