"""Pages whose content stream is damaged: bytes in it that are no PDF syntax.

Both engines read a garbled content stream without a word: they skip what they cannot parse and draw the
rest. A table page garbled mid-way is then read with rows missing and its sums broken, and the broken sums
look like the publisher's (both readings agree on every figure they see). A writer never puts bytes outside
the PDF syntax into a content stream: finding them is positive evidence that what was read is not all that
was printed, and the tables on that page are withheld (extract/document.py).

The scan is one regular expression over the page's decoded content: every token of the syntax (numbers,
names, strings, arrays, dictionaries, inline images, the operators of ISO 32000-1 Annex A) is matched and
dropped; what matches none of them is counted. Unknown operators are allowed between BX and EX
(compatibility sections): a page with one is not judged.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream, resolve1

DAMAGED_FROM = 8  # this many bytes or tokens outside the syntax on one page: damaged, not a stray byte
OPERATORS = frozenset(
    b"b B b* B* BDC BI BMC BT BX c cm CS cs d d0 d1 Do DP EI EMC ET EX f F f* G g gs h i ID j J K k l m M MP n "
    b"q Q re RG rg ri s S SC sc SCN scn sh T* Tc Td TD Tf Tj TJ TL Tm Tr Ts Tw Tz v w W W* y ' \"".split()
)
_SYNTAX = re.compile(
    rb"""
      [\x00\s]+ | %[^\r\n]*                                    # white space (NUL is white space too), comments
    | \((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)               # a literal string (one level of nested brackets)
    | << | >> | <[0-9A-Fa-f\s]*>                               # dictionary brackets, a hex string
    | /[^\s()<>\[\]{}/%]*                                      # a name
    | [+-]?(?:\d+\.?\d*|\.\d+)                                 # a number
    | [\[\]{}]                                                 # array brackets
    | BI\b.*?\bID\s.*?\sEI\b                                   # an inline image, its binary data included
    | (?P<word>[A-Za-z'"][A-Za-z0-9*'"]*)                      # an operator (or a keyword: true, false, null)
    | (?P<stray>.)                                             # a byte of no syntax
    """,
    re.VERBOSE | re.DOTALL,
)
_KEYWORDS = frozenset({b"true", b"false", b"null"})


def damaged_pages(data: bytes, numbers: Iterable[int]) -> dict[int, int]:
    """Page number → how many bytes and words of its content are outside the PDF syntax, for those of `numbers`
    with at least DAMAGED_FROM."""
    wanted = set(numbers)
    if not wanted:
        return {}
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        found: dict[int, int] = {}
        for number, page in enumerate(PDFPage.create_pages(document), start=1):
            if number in wanted and (outside := outside_the_syntax(_content(page))) >= DAMAGED_FROM:
                found[number] = outside
            if number >= max(wanted):
                break
    except Exception:  # what pdfminer cannot parse here, the readers already reported
        return {}
    return found


def outside_the_syntax(content: bytes) -> int:
    """How many bytes and unknown words of a content stream are no PDF syntax (0 for a page with BX/EX)."""
    outside = 0
    for word, stray in _SYNTAX.findall(content):
        if word == b"BX":
            return 0
        if stray or (word and word not in OPERATORS and word not in _KEYWORDS):
            outside += 1
    return outside


def _content(page: PDFPage) -> bytes:
    parts = []
    for part in page.contents:
        stream = resolve1(part)
        if isinstance(stream, PDFStream):
            parts.append(stream.get_data())
    return b"\n".join(parts)
