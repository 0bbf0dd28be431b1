"""Sizes no budget reaches, checked before either engine decodes a stream.

A PDF is a few MB that its readers inflate. A hostile one inflates further than the machine holds: a
stream of 1 MB that inflates to 1 GiB (a decompression bomb), an image declaring 65,536 × 16,384
pixels, a page whose /Contents names one stream 100,000 times (the issue's 600 KB file took a run to
5.9 GB). pdfminer and PDFium would each decode all of it. Here every stream is inflated once, stopping
at the limit, and each page's content is counted as often as the page names it: a document over a
limit is refused with the reason in words, in about the time it takes to inflate its streams once.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator

import numpy as np
from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.pdfdocument import PDFDocument, PDFXRefStream
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import (
    LITERALS_ASCII85_DECODE,
    LITERALS_ASCIIHEX_DECODE,
    LITERALS_FLATE_DECODE,
    PDFObjRef,
    PDFStream,
    resolve1,
)
from pdfminer.psparser import LIT

MB = 1 << 20
MAX_STREAM_BYTES = 256 * MB  # a 600 dpi colour scan of an A4 page is about 100 MB
MAX_PAGE_CONTENT_BYTES = 64 * MB  # a dense table page draws well under 1 MB
MAX_PAGE_CONTENT_STREAMS = 10_000
_CHUNK = 16 * MB  # a page's /Contents array: a handful, a few hundred at most
_IMAGE = LIT("Image")
_COMPONENTS = {"DeviceGray": 1, "CalGray": 1, "DeviceRGB": 3, "CalRGB": 3, "Lab": 3, "DeviceCMYK": 4}


def over_the_bounds(
    document: PDFDocument, pages: Iterable[PDFPage], data: bytes | None = None
) -> tuple[str, int | None] | None:
    """Why the document is refused, and the page (None: not a page's), or None when it is within bounds.

    A stream is inflated only where its bound could be passed: Flate inflates a byte to at most 1,032, so a
    stream too short to reach a bound so is within it without inflating (most of a document's are). `data`: the
    bytes `document` is parsed from, where an object plainly a dictionary is seen to be no stream without
    parsing it (`_plainly_no_stream`)."""
    inflated: dict[int, int] = {}
    not_inflated: dict[int, PDFStream] = {}  # streams within every bound whatever they inflate to, so far
    for objid, stream in _streams(document, data):
        is_image = stream.get("Subtype") is _IMAGE
        if not is_image and _most_inflated(stream) <= MAX_STREAM_BYTES:
            not_inflated[objid] = stream
            continue
        size = _image_bytes(stream) if is_image else _inflated_bytes(stream)
        if size > MAX_STREAM_BYTES:
            what = "an image of" if is_image else "a stream inflating to"
            return (
                f"a decompression bomb: {what} more than {MAX_STREAM_BYTES // MB} MB (object {objid}; "
                "a budget's largest is a few MB): not read",
                None,
            )
        inflated[objid] = size
    for number, page in enumerate(pages, start=1):
        if len(page.contents) > MAX_PAGE_CONTENT_STREAMS:
            return (
                f"page {number} names {len(page.contents):,} content streams (a page repeating its content to "
                f"exhaust its reader; a real page has a few): not read",
                number,
            )
        if sum(_most_content_bytes(part, inflated, not_inflated) for part in page.contents) <= MAX_PAGE_CONTENT_BYTES:
            continue
        content = sum(_content_bytes(part, inflated, not_inflated) for part in page.contents)
        if content > MAX_PAGE_CONTENT_BYTES:
            return (
                f"page {number} draws {content // MB:,} MB of content (more than {MAX_PAGE_CONTENT_BYTES // MB} MB: "
                "a page repeating its content to exhaust its reader): not read",
                number,
            )
    return None


def _streams(document: PDFDocument, data: bytes | None = None) -> Iterator[tuple[int, PDFStream]]:
    seen: set[int] = set()
    for xref in document.xrefs:
        listed = _listed_at_once(xref)
        objids, compressed = listed if listed is not None else (xref.get_objids(), None)
        for objid in objids:
            if objid in seen:
                continue
            seen.add(objid)
            if compressed is not None and objid in compressed:  # known at once: no need to ask where it is
                continue
            try:  # this section is the first to list it: where getobj parses it from
                in_object_stream, position = _location(xref, objid)
            except KeyError:
                in_object_stream, position = False, None
            if in_object_stream:  # never a stream (PDF 32000 7.5.7); parsing them all costs more than the rest of
                continue  # the check
            if data is not None and _plainly_no_stream(data, objid, position):
                continue
            try:
                obj = document.getobj(objid)
            except Exception:  # a damaged or missing object: the readers say what they make of it
                continue
            if isinstance(obj, PDFStream):
                yield objid, obj


_TYPE_FIELDS = {1: ">u1", 2: ">u2", 4: ">u4", 8: ">u8"}  # a type field's width → numpy's reading of it, nunpack's
_FIELD_WIDTHS = (0, 1, 2, 3, 4, 8)  # the widths nunpack reads (any other raises)


def _listed_at_once(xref: object) -> tuple[list[int], set[int]] | None:
    """A cross-reference stream's objects (its get_objids) and those of them in an object stream (get_pos naming
    a stream), read from its table with numpy where it is one whole subsection of whole entries whose type field
    numpy reads as nunpack does; else None (asked object by object: both cost ~1 µs an object, and a
    cross-reference stream lists thousands)."""
    if type(xref) is not PDFXRefStream or len(xref.ranges) != 1:
        return None
    (start, count), data, entry = xref.ranges[0], xref.data, xref.entlen
    type_field = _TYPE_FIELDS.get(xref.fl1)  # type: ignore[arg-type]
    whole = isinstance(data, bytes) and isinstance(entry, int) and entry > 0 and len(data) == count * entry
    if not (type_field and whole and isinstance(start, int) and {xref.fl2, xref.fl3} <= set(_FIELD_WIDTHS)):
        return None
    kinds = np.frombuffer(data, dtype=np.uint8).reshape(count, entry)[:, : xref.fl1].copy().view(type_field)[:, 0]
    listed = start + np.flatnonzero((kinds == 1) | (kinds == 2))
    return listed.tolist(), set((start + np.flatnonzero(kinds == 2)).tolist())


def _location(xref: object, objid: int) -> tuple[bool, int | None]:
    """Whether the cross-reference section puts the object in an object stream, and else the offset pdfminer parses
    it from (None: not known). Raises KeyError where the section does not have it."""
    try:
        stream_id, position, _ = xref.get_pos(objid)  # type: ignore[attr-defined]
    except KeyError:
        raise
    except Exception:
        return False, None
    if stream_id is not None:
        return True, None
    return False, position if isinstance(position, int) else None


# A top-level object is parsed by pdfminer from its offset to the `endobj` keyword ending it (PDFDocument.getobj),
# and is a stream only where the `stream` keyword follows its dictionary. Most of a document's objects (fonts,
# descriptors, widths, pages) are dictionaries or arrays of names, numbers, references and short strings, and
# parsing them costs more than the rest of the check: such an object is read from the bytes alone where nothing in
# it can hide a token from a plain reading (its strings hold no bracket but an escaped one; no comment, hex string
# or procedure) — then its dictionary or array, properly nested and closing just before the first `endobj` after
# it, is the whole object, and without the bytes `stream` in it, pdfminer makes no stream of it. Anything else is
# parsed by pdfminer, as before.
_OBJECT_HEAD = re.compile(rb"\s*(\d+)\s+\d+\s*obj\s*(?=<<|\[)")  # pdfminer's white space is re's \s
_PLAIN_STRING = re.compile(rb"\((?:[^()\\]|\\[\s\S])*\)")  # ends at its first unescaped ')', as pdfminer's does
_HIDING = re.compile(rb"[()%{}\\]")  # what is left of a string, a comment, a procedure
_DELIMITERS = re.compile(rb"<<|>>|\[|\]")
_KEYWORD_ENDS = frozenset(bytes([b]) for b in b"#/%[]()<>{} \t\n\r\x0b\x0c")  # pdfminer's END_KEYWORD
_CLOSES = {b">>": b"<<", b"]": b"["}


def _plainly_no_stream(data: bytes, objid: int, position: int | None) -> bool:
    """Whether the object pdfminer parses at `position` is beyond doubt a dictionary or an array and no stream,
    read from the bytes alone (False: it may be anything, pdfminer parses it)."""
    head = None if position is None or position < 0 else _OBJECT_HEAD.match(data, position)
    if head is None or int(head.group(1)) != objid:
        return False
    end = data.find(b"endobj", head.end())
    if end < 0 or data.find(b"stream", head.end(), end) >= 0 or data[end + 6 : end + 7] not in _KEYWORD_ENDS:
        return False
    body = _PLAIN_STRING.sub(b" 0 ", data[head.end() : end]).rstrip()  # bytes.rstrip(): re's \s
    if not body.endswith((b">>", b"]")) or _HIDING.search(body):
        return False
    bare = body.replace(b"<<", b"").replace(b">>", b"")
    if b"<" in bare or b">" in bare:  # a hex string, or a bracket pdfminer reads otherwise
        return False
    delimiters = _DELIMITERS.findall(body)
    open_: list[bytes] = []
    for k, delimiter in enumerate(delimiters):
        if delimiter in _CLOSES:
            if not open_ or open_.pop() != _CLOSES[delimiter]:
                return False
        else:
            open_.append(delimiter)
        if not open_ and k < len(delimiters) - 1:  # the first one closes before the end: more follows
            return False
    return not open_


def _inflated_bytes(stream: PDFStream) -> int:
    """The stream's size once its filters are undone, stopping past MAX_STREAM_BYTES (only Flate inflates
    much; ASCII encodings before it are undone, any other filter counts as its raw size)."""
    data: bytes = stream.rawdata or b""
    try:
        if stream.decipher:  # an encrypted document: what the filters undo is the decrypted data
            data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
        for name, _ in _filters(stream):
            if name in LITERALS_ASCII85_DECODE:
                data = ascii85decode(data)
            elif name in LITERALS_ASCIIHEX_DECODE:
                data = asciihexdecode(data)
            elif name in LITERALS_FLATE_DECODE:
                return _bounded_inflate(data)
            else:
                break
    except Exception:  # damaged data: the readers say what they make of it; it counts as its raw size
        pass
    return len(data)


def _bounded_inflate(data: bytes) -> int:
    """How many bytes `data` inflates to, 16 MB at a time, stopping past MAX_STREAM_BYTES."""
    inflater = zlib.decompressobj()
    size, pending = 0, data
    try:
        while size <= MAX_STREAM_BYTES and not inflater.eof:
            size += len(out := inflater.decompress(pending, _CHUNK))
            pending = inflater.unconsumed_tail
            if not out and not pending:
                break
    except zlib.error:  # damaged data: what inflated so far is all a reader gets
        pass
    return size


def _image_bytes(stream: PDFStream) -> int:
    """What an image declares it holds (its readers allocate it), whatever its data inflates to."""
    width, height = (_number(stream.get(key)) for key in ("Width", "Height"))
    bits = _number(stream.get("BitsPerComponent")) or 8
    space = resolve1(stream.get("ColorSpace"))
    components = _COMPONENTS.get(getattr(space, "name", ""), 4)
    return width * height * components * bits // 8


def _content_bytes(part: object, inflated: dict[int, int], not_inflated: dict[int, PDFStream]) -> int:
    if isinstance(part, PDFObjRef):
        if part.objid in not_inflated:
            inflated[part.objid] = _inflated_bytes(not_inflated.pop(part.objid))
        return inflated.get(part.objid, 0)
    return _inflated_bytes(part) if isinstance(part, PDFStream) else 0


def _most_content_bytes(part: object, inflated: dict[int, int], not_inflated: dict[int, PDFStream]) -> int:
    """At least `_content_bytes`, without inflating."""
    if isinstance(part, PDFObjRef):
        if part.objid in not_inflated:
            return _most_inflated(not_inflated[part.objid])
        return inflated.get(part.objid, 0)
    return _most_inflated(part) if isinstance(part, PDFStream) else 0


_MOST_INFLATED_PER_BYTE = 1032  # Deflate's limit: a 258-byte match in two bits (RFC 1951); ASCII85, ASCIIHex and
_INFLATE_SLACK = 1 << 10  # decryption only shrink what they undo, and any other filter counts as its raw size


def _most_inflated(stream: PDFStream) -> int:
    """At least `_inflated_bytes(stream)`, from its raw length alone."""
    return len(stream.rawdata or b"") * _MOST_INFLATED_PER_BYTE + _INFLATE_SLACK


def _filters(stream: PDFStream) -> list[tuple[object, object]]:
    try:
        return stream.get_filters()
    except Exception:
        return []


def _number(value: object) -> int:
    value = resolve1(value)
    return int(value) if isinstance(value, int | float) and value > 0 else 0
