"""Hostile and broken PDFs, written by caijue's own code: the bad-input corpus of issue 12.

    cases = bad_cases()                 # every case, its bytes in memory
    write_bad_corpus(Path("inbox"))     # <name>.pdf for each

Each case says what `caijue ingest` must record for it: the status and a reason a person understands
(`status_reason` in raw.documents). Where a case is about a budget it mutates a real generated one
(`base_budget()`, a Sichuan department budget of the sample corpus): cut short, its cross-reference table
broken, a page's content stream garbled, its page tree looped back, encrypted. The rest are written as raw
PDF syntax (`_RawPdf`): a document of 2,000 pages, a page of 50,000 tiny objects, decompression bombs, one
stream drawn 100,000 times, a page a million points wide, objects nested 10,000 deep.

| case               | what it is                                                     | recorded                   |
|--------------------|----------------------------------------------------------------|----------------------------|
| zero_bytes         | an empty file                                                  | failed: not a PDF          |
| truncated_50/_95   | the budget cut at 50% / 95% of its bytes                       | failed: cut short          |
| html/text/png/zip  | not a PDF, named .pdf                                          | failed: what it looks like |
| encrypted_user     | the budget, opened only with a password                        | failed: encrypted          |
| encrypted_owner    | the budget with only an owner password (no copying): readable  | loaded in full             |
| broken_xref        | the budget, its xref offsets zeroed, startxref past the end    | loaded in full (rebuilt)   |
| garbage_text_page  | the budget, one narrative page's content random bytes          | loaded in full             |
| garbage_table_page | the budget, a table page's content garbled mid-way             | loaded, that table withheld|
| pages_2000         | 2,000 pages sharing one content stream                         | failed: not a budget       |
| tiny_objects_50000 | 50,000 tiny rectangles and glyphs over a budget table page     | loaded, lacking that table |
| flate_bomb         | a content stream inflating to 1 GiB                            | failed: decompression bomb |
| image_bomb         | an image of 65,536 × 16,384 pixels inflating to 1 GiB           | failed: decompression bomb |
| repeated_stream    | a budget table page naming its content stream 100,000 times    | failed: repeated content   |
| page_tree_cycle    | the budget, its page tree holding a /Kids back to its parent   | failed: page tree damaged  |
| huge_mediabox      | the budget, a table page 1,000,000 points wide                 | loaded in full             |
| deep_nesting       | arrays nested 10,000 deep in a page, q nested 10,000 deep      | failed: not a budget       |

An owner password only forbids copying or changing: every reader opens the file with the empty user password,
as a PDF viewer does, and caijue reads what it prints like a person reading it on screen. A budget lacking a
table another copy reads is loaded but never the current reading (int_documents: damage never wins).
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.lib.pdfencrypt import StandardEncryption, encodePDF

from samples.corpus import Planned, build_document, plan_corpus
from samples.document import Document, DocumentSource, render
from samples.narrative import DocumentText
from samples.tables import TableContent

BASE_SEED = 20240101
BASE_LAYOUTS = frozenset({"sichuan_budget", "sichuan_final"})
GIB = 1 << 30
# The cases every one of whose figures loads: damaged or locked in ways every reader repairs or opens.
LOADS_IN_FULL = frozenset({"encrypted_owner", "broken_xref", "garbage_text_page", "huge_mediabox"})


@dataclass(frozen=True)
class BadCase:
    """One hostile input and what a run must record for it."""

    name: str
    data: bytes
    status: str  # raw.documents.status
    reason: re.Pattern[str] | str  # status_reason: the exact text, or a pattern it matches (re.search)

    @property
    def file_name(self) -> str:
        return f"{self.name}.pdf"

    def reason_matches(self, reason: str | None) -> bool:
        if isinstance(self.reason, re.Pattern):
            return self.reason.search(reason or "") is not None
        return (reason or "") == self.reason


def bad_cases() -> list[BadCase]:
    """Every case, its bytes in memory (the bombs are about 1 MB each, compressed)."""
    return [make() for make in _CASES]


def write_bad_corpus(folder: Path) -> list[BadCase]:
    """`<name>.pdf` in `folder` for every case; returns the cases."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = bad_cases()
    for case in cases:
        (folder / case.file_name).write_bytes(case.data)
    return cases


# --- the base: a real generated budget -------------------------------------------------------------------


def base_plan() -> Planned:
    """The generated department budget the budget cases mutate (the sample corpus's first Sichuan budget)."""
    return plan_corpus(1, (2024,), BASE_SEED, set(BASE_LAYOUTS))[0]


def good_plans() -> list[Planned]:
    """Two other generated documents (another department's budget and final account) to run beside the cases."""
    return plan_corpus(2, (2024,), BASE_SEED, set(BASE_LAYOUTS))[2:4]


@cache
def base_budget() -> Document:
    return build_document(base_plan())


def _base_pdf() -> bytes:
    return base_budget().rendered.pdf


def _rendered_with(encrypt: StandardEncryption) -> bytes:
    """The base budget rendered encrypted. reportlab leaves the strings of its CID font's /CIDSystemInfo
    unencrypted (a reader decrypts them into noise and loses the font's Unicode map, which no real encrypted
    budget does): an incremental update writes that object again with its strings encrypted."""
    parts: list[tuple[DocumentSource, list[TableContent], DocumentText]] = []
    build_document(base_plan(), lambda source, tables, text: parts.append((source, tables, text)))
    source, tables, text = parts[0]
    pdf = render(source, tables, text, encrypt=encrypt).pdf
    fixed = {}
    for found in _OBJECT.finditer(pdf):
        number = int(found.group(1))
        body = _object_body(pdf, number)
        if b"stream\n" in body:
            continue
        encrypted = _PLAIN_STRING.sub(
            lambda m, n=number: (
                b"<%s>" % encodePDF(encrypt.key, n, 0, m.group(1), revision=encrypt.revision).hex().encode()
            ),
            body,
        )
        if encrypted != body:
            fixed[number] = encrypted
    return _update(pdf, fixed)


# --- the cases ---------------------------------------------------------------------------------------------

_CUT_SHORT = re.compile(r"^unreadable PDF: the file is cut short")
_TREE_DAMAGED = re.compile(r"^unreadable PDF: its page tree is damaged \(PDFium cannot load page \d+")
_NOT_A_BUDGET = re.compile(r"^not a department budget or final account: no page prints one of their tables")
_LOADED = re.compile(r"^loaded: \d+ tables?, \d+ facts?$")  # flows/summary.py loaded_reason: none withheld


def _zero_bytes() -> BadCase:
    return BadCase("zero_bytes", b"", "failed", "not a PDF file: an empty file")


def _truncated(share: float) -> Callable[[], BadCase]:
    def make() -> BadCase:
        pdf = _base_pdf()
        return BadCase(f"truncated_{round(share * 100)}", pdf[: int(len(pdf) * share)], "failed", _CUT_SHORT)

    return make


def _html() -> BadCase:
    page = b"<!DOCTYPE html><html><head><title>404</title></head><body>Not Found</body></html>\n"
    return BadCase("html", page, "failed", "not a PDF file: a web page (HTML) saved under a .pdf name")


def _text() -> BadCase:
    return BadCase("text", "部门预算公开\n请见附件。\n".encode(), "failed", "not a PDF file: plain text")


def _png() -> BadCase:
    header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
    return BadCase("png", header + b"\x00\x00\x00\x00IEND\xaeB`\x82", "failed", "not a PDF file: an image (PNG)")


def _zip() -> BadCase:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("budget.pdf", date_time=(2024, 1, 1, 0, 0, 0)), _base_pdf())
    return BadCase("zip", buffer.getvalue(), "failed", "not a PDF file: a ZIP archive or an Office file (docx, xlsx)")


def _encrypted_user() -> BadCase:
    pdf = _rendered_with(StandardEncryption("secret", "owner", strength=128))
    return BadCase("encrypted_user", pdf, "failed", "encrypted PDF (a password is needed to open it)")


def _encrypted_owner() -> BadCase:
    """Only an owner password (copying and changing forbidden): every reader opens it with the empty user
    password, as a PDF viewer does. caijue reads what it prints, like a person reading it on screen."""
    encrypt = StandardEncryption("", "owner", canCopy=0, canModify=0, strength=128)
    return BadCase("encrypted_owner", _rendered_with(encrypt), "loaded", _LOADED)


def _broken_xref() -> BadCase:
    """Every xref offset zeroed and startxref pointing past the end: readers rebuild the table by scanning."""
    pdf = _base_pdf()
    start = pdf.rindex(b"\nxref\n") + 1
    table_end = pdf.index(b"trailer", start)
    broken = re.sub(rb"\d{10} 00000 n", b"0000000000 00000 n", pdf[start:table_end])
    tail = re.sub(rb"startxref\s+\d+", b"startxref\n99999999", pdf[table_end:])
    return BadCase("broken_xref", pdf[:start] + broken + tail, "loaded", _LOADED)


def _garbage_text_page() -> BadCase:
    pdf = _base_pdf()
    page = _first_text_page(pdf)
    garbage = random.Random("garbage_text_page").randbytes(4096)
    return BadCase("garbage_text_page", _replace_content(pdf, page, garbage), "loaded", _LOADED)


def _garbage_table_page() -> BadCase:
    """A table page's content stream with a run of random bytes written over its middle: part of the table is
    drawn, part is not. Its table must be withheld or the document not loaded: never a wrong figure."""
    pdf = _base_pdf()
    page = _table_page(pdf)
    content = _content_of(pdf, page)
    middle = len(content) // 2
    noise = random.Random("garbage_table_page").randbytes(len(content) // 5)
    garbled = content[:middle] + noise + content[middle + len(noise) :]
    withheld = re.compile(
        r"^1 table withheld: gpb_expenditure \(reading\.damaged_page p\d+: page \d+'s content stream is damaged"
    )
    return BadCase("garbage_table_page", _replace_content(pdf, page, garbled), "loaded", withheld)


def _pages_2000() -> BadCase:
    raw = _RawPdf()
    content = raw.add(_stream(b"BT /F1 12 Tf 72 720 Td (This page is repeated.) Tj ET"))
    raw.pages([_page_dict(content) for _ in range(2000)])
    return BadCase("pages_2000", raw.bytes(), "failed", _NOT_A_BUDGET)


def _tiny_objects() -> BadCase:
    """50,000 tiny filled rectangles and glyphs over a budget table page (a chart drawn as vector dust)."""
    pdf = _base_pdf()
    page = _table_page(pdf)
    rng = random.Random("tiny_objects")
    ops = [b"q 0 g"]
    for _ in range(25_000):
        x, y = rng.uniform(40, 800), rng.uniform(40, 560)
        ops.append(b"%.2f %.2f 0.3 0.3 re f" % (x, y))
    ops.append(b"BT /F1 1 Tf")
    for _ in range(25_000):
        ops.append(b"1 0 0 1 %.2f %.2f Tm (.) Tj" % (rng.uniform(40, 800), rng.uniform(40, 560)))
    ops.append(b"ET Q")
    dust = zlib.compress(b"\n".join(ops))
    return BadCase("tiny_objects_50000", _add_content(pdf, page, dust), "loaded", _LOADED)


@cache
def _bomb_data() -> bytes:
    """zlib data inflating to 1 GiB of spaces in about 1 MB: one 16 MiB block compressed once and repeated
    (a full flush before each makes them independent), the checksum of the whole computed directly."""
    block = b" " * (16 << 20)
    compressor = zlib.compressobj(9)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(GIB // len(block)):
        checksum = zlib.adler32(block, checksum)
    final_empty_block = b"\x01\x00\x00\xff\xff"
    return first + repeated * (GIB // len(block) - 1) + final_empty_block + checksum.to_bytes(4, "big")


def _flate_bomb() -> BadCase:
    raw = _RawPdf()
    text = raw.add(_stream(b"BT /F1 12 Tf 72 720 Td (A page.) Tj ET"))
    bomb = raw.add(_stream(_bomb_data(), b"/Filter /FlateDecode"))
    raw.pages([_page_dict(f"[{text} 0 R {bomb} 0 R]")])
    return BadCase("flate_bomb", raw.bytes(), "failed", re.compile(r"^a decompression bomb: a stream inflating to"))


def _image_bomb() -> BadCase:
    raw = _RawPdf()
    image = raw.add(
        _stream(
            _bomb_data(),
            b"/Type /XObject /Subtype /Image /Width 65536 /Height 16384 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /FlateDecode",
        )
    )
    draw = raw.add(_stream(b"q 500 0 0 125 40 600 cm /Im1 Do Q BT /F1 12 Tf 72 500 Td (A picture.) Tj ET"))
    raw.pages([_page_dict(draw, f"/XObject << /Im1 {image} 0 R >>")])
    return BadCase("image_bomb", raw.bytes(), "failed", re.compile(r"^a decompression bomb: an image of"))


def _repeated_stream() -> BadCase:
    """The issue's 600 KB file: a budget table page whose /Contents names its own stream 100,000 times."""
    pdf = _base_pdf()
    page = _table_page(pdf)
    own = _contents_number(pdf, page)
    repeated = b"/Contents [ " + b"%d 0 R " % own * 100_000 + b"]"
    body = _object_body(pdf, page).replace(b"/Contents %d 0 R" % own, repeated)
    reason = re.compile(r"^page \d+ names 100,000 content streams \(a page repeating its content")
    return BadCase("repeated_stream", _update(pdf, {page: body}), "failed", reason)


def _page_tree_cycle() -> BadCase:
    """The budget's page tree with one more kid: a /Pages node whose only kid is the root, its own parent."""
    pdf = _base_pdf()
    root_number, root_body = _pages_root(pdf)
    loop = _next_number(pdf)
    kids = re.sub(rb"/Kids \[", b"/Kids [ %d 0 R" % loop, root_body, count=1)
    looped = b"<< /Type /Pages /Parent %d 0 R /Kids [ %d 0 R ] /Count 1 >>" % (root_number, root_number)
    return BadCase("page_tree_cycle", _update(pdf, {root_number: kids, loop: looped}), "failed", _TREE_DAMAGED)


def _huge_mediabox() -> BadCase:
    pdf = _base_pdf()
    page = _table_page(pdf)
    body = _object_body(pdf, page)
    wide = re.sub(rb"/MediaBox \[[^\]]*\]", b"/MediaBox [ 0 0 1000000 1000000 ]", body)
    return BadCase("huge_mediabox", _update(pdf, {page: wide}), "loaded", _LOADED)


def _deep_nesting() -> BadCase:
    raw = _RawPdf()
    content = raw.add(_stream(b"q " * 10_000 + b"BT /F1 12 Tf 72 720 Td (Deep.) Tj ET" + b" Q" * 10_000))
    deep = b"[" * 10_000 + b"1" + b"]" * 10_000
    raw.pages([_page_dict(content, "/Deep " + deep.decode())])
    return BadCase("deep_nesting", raw.bytes(), "failed", _NOT_A_BUDGET)


_CASES: tuple[Callable[[], BadCase], ...] = (
    _zero_bytes,
    _truncated(0.5),
    _truncated(0.95),
    _html,
    _text,
    _png,
    _zip,
    _encrypted_user,
    _encrypted_owner,
    _broken_xref,
    _garbage_text_page,
    _garbage_table_page,
    _pages_2000,
    _tiny_objects,
    _flate_bomb,
    _image_bomb,
    _repeated_stream,
    _page_tree_cycle,
    _huge_mediabox,
    _deep_nesting,
)


# --- raw PDF syntax ----------------------------------------------------------------------------------------


class _RawPdf:
    """A PDF written object by object: 1 is the catalog, 2 the page tree, 3 Helvetica; `add` the rest."""

    def __init__(self) -> None:
        self._objects: list[bytes] = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"",  # the page tree, once the pages are known
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]

    def add(self, body: bytes) -> int:
        self._objects.append(body)
        return len(self._objects)

    def pages(self, page_dicts: Sequence[str]) -> None:
        numbers = [self.add(body.encode()) for body in page_dicts]
        kids = " ".join(f"{n} 0 R" for n in numbers)
        self._objects[1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(numbers)} >>".encode()

    def bytes(self) -> bytes:
        return raw_pdf(self._objects)


def raw_pdf(objects: Sequence[bytes]) -> bytes:
    """A PDF of these object bodies, numbered from 1 (1 is the catalog), with a classic cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    return bytes(out)


def _stream(data: bytes, entries: bytes = b"") -> bytes:
    return b"<< /Length %d %b >>\nstream\n%b\nendstream" % (len(data), entries, data)


def _page_dict(contents: int | str, resources: str = "") -> str:
    reference = f"{contents} 0 R" if isinstance(contents, int) else contents
    return (
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        f"/Resources << /Font << /F1 3 0 R >> {resources} >> /Contents {reference} >>"
    )


# --- mutations of a generated PDF: an incremental update replaces or adds objects ---------------------------

_OBJECT = re.compile(rb"(?m)^(\d+) 0 obj\n")
_PLAIN_STRING = re.compile(rb"\(([A-Za-z0-9 .-]{2,})\)")  # a literal string in plain words, never encrypted


def _object_body(pdf: bytes, number: int) -> bytes:
    found = re.search(rb"(?m)^%d 0 obj\n" % number, pdf)
    if found is None:
        raise ValueError(f"object {number} not in the PDF")
    return pdf[found.end() : pdf.index(b"\nendobj", found.end())]


def _next_number(pdf: bytes) -> int:
    return max(int(m.group(1)) for m in _OBJECT.finditer(pdf)) + 1


def _pages_root(pdf: bytes) -> tuple[int, bytes]:
    root = int(re.search(rb"/Root (\d+) 0 R", pdf).group(1))  # type: ignore[union-attr]
    pages = int(re.search(rb"/Pages (\d+) 0 R", _object_body(pdf, root)).group(1))  # type: ignore[union-attr]
    return pages, _object_body(pdf, pages)


def _page_numbers(pdf: bytes) -> list[int]:
    """The page objects in page order (a generated PDF's tree is one flat /Kids)."""
    _, body = _pages_root(pdf)
    kids = re.search(rb"/Kids \[([^\]]*)\]", body).group(1)  # type: ignore[union-attr]
    return [int(n) for n in re.findall(rb"(\d+) 0 R", kids)]


def _page_object(pdf: bytes, page_number: int) -> int:
    return _page_numbers(pdf)[page_number - 1]


def _table_page(pdf: bytes) -> int:
    """The page object of the first page of 一般公共预算财政拨款支出表 (figures in every row)."""
    return _page_object(pdf, base_budget().rendered.table_pages["gpb_expenditure"][0])


def _first_text_page(pdf: bytes) -> int:
    """The page object of the first page of narrative text (after the cover and contents)."""
    table_pages = {p for pages in base_budget().rendered.table_pages.values() for p in pages}
    first = next(n for n in range(3, base_budget().rendered.page_count + 1) if n not in table_pages)
    return _page_object(pdf, first)


def _contents_number(pdf: bytes, page: int) -> int:
    return int(re.search(rb"/Contents (\d+) 0 R", _object_body(pdf, page)).group(1))  # type: ignore[union-attr]


def _content_of(pdf: bytes, page: int) -> bytes:
    """A generated page's content stream, decoded (reportlab writes ASCII85 over Flate)."""
    import base64

    body = _object_body(pdf, _contents_number(pdf, page))
    data = body[body.index(b"stream\n") + 7 : body.rindex(b"endstream")].strip()
    return zlib.decompress(base64.a85decode(data, adobe=True))


def _replace_content(pdf: bytes, page: int, content: bytes) -> bytes:
    return _update(pdf, {_contents_number(pdf, page): _stream(content)})


def _add_content(pdf: bytes, page: int, flate_content: bytes) -> bytes:
    """The page draws its own content, then `flate_content` (FlateDecode) over it."""
    extra = _next_number(pdf)
    body = _object_body(pdf, page)
    own = _contents_number(pdf, page)
    both = body.replace(b"/Contents %d 0 R" % own, b"/Contents [ %d 0 R %d 0 R ]" % (own, extra))
    return _update(pdf, {page: both, extra: _stream(flate_content, b"/Filter /FlateDecode")})


def _update(pdf: bytes, objects: dict[int, bytes]) -> bytes:
    """`pdf` with an incremental update appended: `objects` (number → body) replace or join its own, as a
    PDF editor saves a change."""
    previous = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    trailer = pdf[pdf.rindex(b"trailer") :]
    root = re.search(rb"/Root \d+ 0 R", trailer).group(0)  # type: ignore[union-attr]
    kept = b" ".join(
        m.group(0)
        for key in (rb"/Info \d+ 0 R", rb"/Encrypt \d+ 0 R", rb"/ID\s*\[[^\]]*\]")
        if (m := re.search(key, trailer))
    )
    size = max(int(re.search(rb"/Size (\d+)", trailer).group(1)), max(objects) + 1)  # type: ignore[union-attr]
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n"
    for number, offset in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    out += b"trailer\n<< /Size %d %b %b /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, kept, previous, start)
    return bytes(out)
