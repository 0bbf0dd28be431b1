"""The bounds check reads plain dictionaries and arrays from the bytes alone (extract.bounds._plainly_no_stream):
it must find every stream pdfminer finds, however a stream is disguised; and it reads cross-reference streams at once
(extract.bounds._listed_at_once): they must list what pdfminer lists. Cost: a few small PDFs, 200 generated objects
and the 4 real documents parsed by pdfminer, ~1 s."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream

from extract.bounds import _listed_at_once, _location, _plainly_no_stream, _streams, over_the_bounds
from samples.bad_pdfs import raw_pdf
from tests.shared_data import REAL, absent

REAL_PDFS = sorted(REAL.glob("*/*.pdf")) if REAL.is_dir() else []
# An image declaring 1 GiB of pixels (its readers would allocate them), in 9 bytes of data.
_IMAGE_ENTRIES = (
    b"/Type /XObject /Subtype /Image /Width 65536 /Height 16384 /ColorSpace /DeviceGray /BitsPerComponent 8"
)


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1: the catalog, the page tree, one page drawing nothing, then yours)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
        *objects,
    ]
    return raw_pdf(objects)


def _document(data: bytes) -> PDFDocument:
    return PDFDocument(PDFParser(io.BytesIO(data)))


def _parsed_at(document: PDFDocument, objid: int) -> int | None:
    """The offset pdfminer parses the object from (getobj's choice: the first cross-reference section that has
    it), or None where it is not parsed from an offset of the file."""
    for xref in document.xrefs:
        try:
            return _location(xref, objid)[1]
        except KeyError:
            continue
    return None


# Streams whose dictionary hides an `endobj` (or brackets) from a reading that does not tokenize as pdfminer does.
DISGUISED = {
    "endobj in a string": b"<< IMAGE /Note (endobj) /Length 9 >>\nstream\n123456789\nendstream",
    "endobj after an escaped bracket": b"<< IMAGE /Note (a\\) endobj) /Length 9 >>\nstream\n123456789\nendstream",
    "endobj in a comment": b"<< IMAGE % endobj\n /Length 9 >>\nstream\n123456789\nendstream",
    "endobj as a name": b"<< IMAGE /endobj 1 /Length 9 >>\nstream\n123456789\nendstream",
    "endobj in a keyword": b"<< IMAGE /K xendobj /Length 9 >>\nstream\n123456789\nendstream",
    "a dictionary in an array": b"<< IMAGE /A [ << /B 1 >> ] /Length 9 >>\nstream\n123456789\nendstream",
}


@pytest.mark.parametrize("body", DISGUISED.values(), ids=DISGUISED.keys())
def test_a_disguised_stream_is_parsed_and_its_bomb_refused(body: bytes) -> None:
    data = _pdf([body.replace(b"IMAGE", _IMAGE_ENTRIES)])
    document = _document(data)
    assert isinstance(document.getobj(4), PDFStream)  # pdfminer reads it as a stream
    assert not _plainly_no_stream(data, 4, _parsed_at(document, 4))
    refused = over_the_bounds(document, PDFPage.create_pages(document), data)
    assert refused is not None and refused[0].startswith("a decompression bomb: an image of")


def test_plain_dictionaries_and_arrays_are_read_from_the_bytes_and_nothing_else_is() -> None:
    plain = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", b"[ 1 0 R [2 3] << /A (x\\)) >> ]"]
    not_plain = [b"<< /A <414243> >>", b"<< /A 1 >> [ 2 ]", b"<< /A [ 1 >>", b"<< /A 1 >> % endobj", b"12"]
    data = _pdf(plain + not_plain)
    document = _document(data)
    read = [_plainly_no_stream(data, objid, _parsed_at(document, objid)) for objid in range(4, 4 + 7)]
    assert read == [True, True, False, False, False, False, False]


def test_an_object_whose_number_is_not_the_one_looked_up_is_parsed() -> None:
    data = _pdf([b"<< /A 1 >>"])
    assert not _plainly_no_stream(data, 5, _parsed_at(_document(data), 4))


@pytest.mark.skipif(not REAL_PDFS, reason=absent(REAL))
@pytest.mark.parametrize("pdf", REAL_PDFS, ids=lambda p: p.parent.name)
def test_a_real_document_s_streams_are_those_pdfminer_finds_in_every_object(pdf: Path) -> None:
    data = pdf.read_bytes()
    every = [objid for objid, _ in _streams(_document(data))]
    assert every and [objid for objid, _ in _streams(_document(data), data)] == every


@pytest.mark.skipif(not REAL_PDFS, reason=absent(REAL))
@pytest.mark.parametrize("pdf", REAL_PDFS, ids=lambda p: p.parent.name)
def test_a_cross_reference_stream_read_at_once_lists_what_pdfminer_lists(pdf: Path) -> None:
    """Its objects (get_objids) and those in object streams (get_pos), read from its table with numpy."""
    for xref in _document(pdf.read_bytes()).xrefs:
        if (listed := _listed_at_once(xref)) is not None:
            objids = list(xref.get_objids())
            assert listed == (objids, {objid for objid in objids if xref.get_pos(objid)[0] is not None})


_PIECES = [b"<<", b">>", b"[", b"]", b"(", b")", b"\\", b"%", b"endobj", b"stream\n", b"\nendstream", b"/Length 3",
           b" ", b"\n", b"/A", b"1", b"0 R", b"<41>", b"xref", b"null", b"#", b"{", b"}", b"/endobj", b"(endobj)",
           b"\x00"]  # fmt: skip
_SHAPES = [b"<< # >>", b"[ # ]", b"<<#>>#", b"#", b"<< /A << # >> >>", b"<< /S (#) >>"]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(_SHAPES),
    st.lists(st.sampled_from(_PIECES), max_size=8),
    st.sampled_from([b"", b"\nendobj\n5 0 obj << /Length 3 >>\nstream\nabc\nendstream"]),
)
def test_no_object_read_as_plain_is_a_stream_to_pdfminer(shape: bytes, pieces: list[bytes], tail: bytes) -> None:
    data = _pdf([shape.replace(b"#", b"".join(pieces)) + tail])
    try:
        document = _document(data)
        parsed = document.getobj(4)
    except Exception:  # pdfminer cannot parse it: no stream either way
        return
    if _plainly_no_stream(data, 4, _parsed_at(document, 4)):
        assert not isinstance(parsed, PDFStream)
