"""Pages whose content stream is damaged: bytes in it that no PDF writer puts there.

Both engines read a garbled content stream without a word: they skip what they cannot parse and draw the
rest. A table page garbled mid-way is then read with rows missing and its sums broken, and the broken sums
look like the publisher's (both readings agree on every figure they see). Outside its strings, inline images,
comments and names, a content stream is printable ASCII (ISO 32000-1 §7.2: operators, numbers, brackets,
white space); a byte outside that is positive evidence that what was read is not all that was printed, and
the tables on that page are withheld (extract/document.py).

Two passes of the regular expression engine, not a tokenizer: the parts that may hold any byte are cut out,
then the bytes outside printable ASCII are counted; a page all of whose content is printable ASCII (hex
strings) is passed at once. A 328-page budget's 17 MB of content takes under half a second.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream, resolve1

DAMAGED_FROM = 8  # this many such bytes on one page: damaged, not a stray byte
_ANY_BYTES = re.compile(
    rb"""
    (?=[(B%/])                                                  # (the engine tries the rest only at these bytes)
    (?: \((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)          # a literal string (one level of nested brackets)
    | \bBI\b.*?\bID\s.*?\sEI\b                                # an inline image, its binary data
    | %[^\r\n]*                                               # a comment
    | /[^\x00\s()<>\[\]{}/%\x80-\xff]*[\x80-\xff][^\x00\s()<>\[\]{}/%]*  # a name with raw bytes (GBK font names)
    )""",
    re.VERBOSE | re.DOTALL,
)
_SYNTAX_BYTES = bytes([0, 9, 10, 12, 13, *range(0x20, 0x7F)])  # printable ASCII and white space (NUL is, in a PDF)


def damaged_pages(data: bytes, numbers: Iterable[int], pages: Iterable[PDFPage] | None = None) -> dict[int, int]:
    """Page number → how many bytes of its content are outside the PDF syntax, for those of `numbers`
    with at least DAMAGED_FROM. `pages`: the document's pages as pdfminer parsed them already (else it is
    parsed here)."""
    wanted = set(numbers)
    if not wanted:
        return {}
    try:
        if pages is None:
            pages = PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(data))))
        found: dict[int, int] = {}
        for number, page in enumerate(pages, start=1):
            if number in wanted and (outside := outside_the_syntax(_content(page))) >= DAMAGED_FROM:
                found[number] = outside
            if number >= max(wanted):
                break
    except Exception:  # what pdfminer cannot parse here, the readers already reported
        return {}
    return found


def outside_the_syntax(content: bytes) -> int:
    """How many bytes of a content stream are outside its syntax: not printable ASCII, and not in a string, an
    inline image, a comment or a name."""
    if not content.translate(None, _SYNTAX_BYTES):  # all of it printable ASCII: nothing to look into
        return 0
    return len(_ANY_BYTES.sub(b" ", content).translate(None, _SYNTAX_BYTES))


def _content(page: PDFPage) -> bytes:
    parts = []
    for part in page.contents:
        stream = resolve1(part)
        if isinstance(stream, PDFStream):
            parts.append(stream.get_data())
    return b"\n".join(parts)
