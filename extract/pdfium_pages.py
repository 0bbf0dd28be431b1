"""A ruled page read with PDFium: its characters, its drawn ruling, the tables they make and the text lines.

The reading is pdfplumber's, computed from PDFium's objects instead of pdfminer's parse of the content stream
(which costs ~80% of reading a ruled page in pure Python): the same character boxes (pdfminer's: the advance
width, from the font's descent to one em above it), the same edges (a rectangle's four sides, a line, a curve's
straight pieces), the same table finding (pdfplumber's "lines" strategy with extract.pages' tolerances: edges
snapped and joined, intersections, the smallest cell at each intersection, cells grouped by shared corners) and
the same cell text (the characters whose centre lies in the cell, assembled into words and lines as
pdfplumber's `extract_text` does). extract.pages turns the result into its Page/Grid model, exactly as it does
pdfplumber's tables. A page this reading cannot vouch for raises `NotJudged`, and pdfplumber reads it.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import struct
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS

Box = tuple[float, float, float, float]  # x0, top, x1, bottom: pdfplumber's page space (origin top-left)

SNAP = 3.0  # snap_tolerance: extract.pages._TABLE_SETTINGS takes it from here
JOIN = 3.0  # join_tolerance (pdfplumber's default)
INTERSECTION = 3.0  # intersection_tolerance (default)
EDGE_MIN_LENGTH = 3.0  # edge_min_length (default)
EDGE_MIN_LENGTH_PREFILTER = 1.0  # edge_min_length_prefilter (default)
TEXT_TOLERANCE = 3.0  # extract_text's x_tolerance and y_tolerance (defaults)
_LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}  # pdfplumber's


_LINE_END_HYPHEN = "\ufffe"  # what PDFium's text gives for a hyphen at the end of a line
# Whether each code point is a blank (str.isspace: re's \s), to U+3000, the ideographic space, the last blank; the
# last entry stands for every code point past it. Any other character is printed.
_IS_BLANK = np.asarray([chr(code).isspace() for code in range(0x3001)] + [False])
_BLANK = re.compile(r"[^\S\r\n]")  # a blank that is not a line break
_SURROGATE = re.compile("[\ud800-\udfff]")  # half of a character outside the basic plane


class NotJudged(Exception):
    """PDFium's reading of the page cannot be vouched to be pdfplumber's: the page is read with pdfplumber."""


@dataclass(frozen=True, slots=True)
class FoundTable:
    """One table as pdfplumber's TableFinder gives it: its rows' cells (None where no cell starts) and texts."""

    rows: list[list[Box | None]]
    texts: list[list[str | None]]
    bbox: Box


@dataclass(frozen=True, slots=True)
class FoundLine:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True, slots=True)
class RuledReading:
    tables: list[FoundTable]
    lines: list[FoundLine]  # every text line of the page, top to bottom (pdfplumber's extract_text_lines)
    has_text: bool
    width: float  # the page as pdfplumber sizes it: its MediaBox, turned as the page is displayed
    height: float


def read_ruled_page(
    page: pdfium.PdfPage,
    textpage: pdfium.PdfTextPage,
    drawings: Sequence[int] | None = None,
    *,
    drawings_are_paths: bool = False,
) -> RuledReading:
    """The tables and text lines of one page, as pdfplumber would find them. Raises NotJudged.

    `drawings`: the page's own path and form objects, in page order, where `page_objects` has listed them
    already (else every object of the page is looked at again); `drawings_are_paths`: they are all paths (the page
    draws no form), as `page_objects` tells, so that no kind is asked again."""
    space = _PlumberSpace.of(page)
    in_forms = drawings is None or (
        not drawings_are_paths and any(_object_type(obj) == pdfium_c.FPDF_PAGEOBJ_FORM for obj in drawings)
    )
    glyphs = _glyphs(textpage, space, text_in_forms=in_forms)
    if not glyphs.text:
        return RuledReading([], [], False, space.width, space.height)
    horizontal, vertical = _edges(page, space, drawings, drawings_are_paths)
    tables = [_found_table(cells, glyphs) for cells in _tables(horizontal, vertical)]
    lines = _page_lines(glyphs)
    return RuledReading(tables, lines, True, space.width, space.height)


Matrix = tuple[float, float, float, float, float, float]


@dataclass(frozen=True, slots=True)
class _PlumberSpace:
    """PDF user space → pdfplumber's page space: pdfminer's initial matrix for the page's rotation (its
    MediaBox's corner to the origin, turned as displayed), then pdfplumber's flip to a top-left origin and
    shift by the MediaBox's corner as pdfplumber normalises it."""

    ctm: Matrix
    x_shift: float  # added to pdfminer's x
    top_line: float  # pdfplumber's top = top_line - pdfminer's y
    width: float
    height: float
    rotation: int

    @classmethod
    def of(cls, page: pdfium.PdfPage) -> _PlumberSpace:
        x0, y0, x1, y1 = (float(v) for v in page.get_mediabox())
        rotation = page.get_rotation() % 360
        ctm: Matrix = {
            90: (0.0, -1.0, 1.0, 0.0, -y0, x1),
            180: (-1.0, 0.0, 0.0, -1.0, x1, y1),
            270: (0.0, 1.0, -1.0, 0.0, y1, -x0),
        }.get(rotation, (1.0, 0.0, 0.0, 1.0, -x0, -y0))
        if rotation in (90, 270):  # pdfplumber's MediaBox, normalised for the rotation: (y0, x0, y1, x1)
            x_shift, height, width, mediabox_top = y0, x1 - x0, y1 - y0, -x0
        else:
            x_shift, height, width, mediabox_top = x0, y1 - y0, x1 - x0, -y0
        return cls(ctm, x_shift, height + mediabox_top, width, height, rotation)

    def point(self, x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = self.ctm
        return a * x + c * y + e + self.x_shift, self.top_line - (b * x + d * y + f)


# --- characters ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Glyphs:
    """A page's printed characters in PDFium's order, with pdfminer's boxes, and where a printed blank stands
    between two of them (it ends a word). A blank is known by where it stands in PDFium's text, not by a box of
    its own. PDFium keeps most printed blanks but turns some into blanks of its own (generated, with no box),
    which cannot be told from those it inserts where glyphs stand apart: only the blanks it keeps count. Where
    two characters stand within 3 pt of each other with such a blank between, the cell reads as one word where
    pdfplumber reads two ("1.一般" for "1. 一般"); every reader folds blanks away (extract.text.fold), and the
    equivalence test counts these apart."""

    text: list[str]
    x0: np.ndarray
    x1: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    blank_before: frozenset[int]  # k: a blank stands between characters k - 1 and k in the text
    boxes: tuple[list[float], list[float], list[float], list[float]]  # x0, x1, top, bottom as lists (fast to index)
    shown: list[str]  # each character as pdfplumber's text gives it (a ligature as its letters)

    @property
    def h_mid(self) -> np.ndarray:
        return (self.x0 + self.x1) / 2

    @property
    def v_mid(self) -> np.ndarray:
        return (self.top + self.bottom) / 2


# A C function called without releasing the GIL (ctypes' PYFUNCTYPE, cdecl as CFUNCTYPE): releasing and taking it
# back costs ~10% of a getter's call, made ~100,000 times a document; no other thread of a reading process waits on
# these calls (microseconds each; PDFium's page loading, the long calls, goes through pypdfium2's own declarations).
_PDFIUM_GETTER = ctypes.PYFUNCTYPE


def _c_function(function: object, restype: type | None, *argtypes: type) -> ctypes._CFuncPtr:  # type: ignore[name-defined]
    """A PDFium function re-declared to take and return plain addresses: pypdfium2's declarations wrap every
    returned handle in a pointer object, which costs more than the call (~7 µs a character). Where called once a
    character or object, a pointer is declared void* and given as an address (an int): converting a pointer
    object costs about as much as the call. Each is a short getter, called holding the GIL (`_PDFIUM_GETTER`)."""
    address = ctypes.cast(function, ctypes.c_void_p).value
    return _PDFIUM_GETTER(restype, *argtypes)(address)


def _c_by_index(function: object, restype: type) -> ctypes._CFuncPtr:  # type: ignore[name-defined]
    """A PDFium function of a handle and an index, for the calls made once a character or object, declared without
    argument types: called with the handle as one c_void_p (`_handle`, made once for all the calls) and the
    index as a Python int, which ctypes passes as the C int it is declared (an index is under 2**31), it
    converts no argument: a quarter of the call's cost. Given a handle as an int, it would pass it cut to an
    int: always a c_void_p."""
    address = ctypes.cast(function, ctypes.c_void_p).value
    return _PDFIUM_GETTER(restype)(address)


def _handle(handle: object) -> ctypes.c_void_p:
    """A handle (an address, or a pypdfium2 pointer) as the c_void_p a `_c_by_index` function is given."""
    return ctypes.c_void_p(handle) if isinstance(handle, int) else ctypes.cast(handle, ctypes.c_void_p)


def _address(pointer: object) -> int:
    """A pypdfium2 handle (a ctypes pointer) as the address it holds."""
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0


_VOID, _INT = ctypes.c_void_p, ctypes.c_int
_ALIKE = np.dtype([("matrix", "<f4", 4), ("size", "<f4"), ("font", "<u8")])  # what text objects measured alike share
_text_object_of = _c_by_index(pdfium_c.FPDFText_GetTextObject, _VOID)
_loose_box = _c_function(pdfium_c.FPDFText_GetLooseCharBox, _INT, _VOID, _INT, ctypes.POINTER(pdfium_c.FS_RECTF))
_origin = _c_function(pdfium_c.FPDFText_GetCharOrigin, _INT, _VOID, _INT, _VOID, _VOID)  # out: 2 doubles
_is_generated = _c_by_index(pdfium_c.FPDFText_IsGenerated, _INT)
_char_matrix = _c_function(pdfium_c.FPDFText_GetMatrix, _INT, _VOID, _INT, _VOID)  # out: FS_MATRIX
_font_size = _c_function(pdfium_c.FPDFTextObj_GetFontSize, _INT, _VOID, _VOID)  # out: a float
_font_of = _c_function(pdfium_c.FPDFTextObj_GetFont, _VOID, _VOID)
_glyph_width = _c_function(pdfium_c.FPDFFont_GetGlyphWidth, _INT, _VOID, ctypes.c_uint32, ctypes.c_float, _VOID)
_glyph_path = _c_function(pdfium_c.FPDFFont_GetGlyphPath, _VOID, _VOID, ctypes.c_uint32, ctypes.c_float)
_is_embedded = _c_function(pdfium_c.FPDFFont_GetIsEmbedded, _INT, _VOID)
_SIZE = ctypes.c_size_t
_base_font_name = _c_function(pdfium_c.FPDFFont_GetBaseFontName, _SIZE, _VOID, ctypes.c_char_p, _SIZE)
_descent = _c_function(pdfium_c.FPDFFont_GetDescent, _INT, _VOID, ctypes.c_float, ctypes.POINTER(ctypes.c_float))


def _glyphs(textpage: pdfium.PdfTextPage, space: _PlumberSpace, *, text_in_forms: bool = True) -> _Glyphs:
    """Every printed character, boxed as pdfminer boxes it: x from the origin by the advance width, y from the
    font's descent below the baseline to one em above that; and the blanks between them (not line breaks).

    PDFium is asked only what it alone knows, per character (its origin and text object: two calls); the boxes
    are computed for all the characters at once, with numpy, in the same floating-point steps as one by one.
    `text_in_forms`: False when the page draws no Form XObject, so that every text object is the page's own."""
    raw = _address(textpage.raw)
    text = _page_text(textpage, pdfium_c.FPDFText_CountChars(textpage.raw))
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)  # each character's code point
    printed_at = np.flatnonzero(~_IS_BLANK[np.minimum(codes, len(_IS_BLANK) - 1)])
    printed = printed_at.tolist()
    if not printed:
        return _Glyphs([], *(np.empty(0) for _ in range(4)), frozenset(), ([], [], [], []), [])  # type: ignore[arg-type]
    chars = [text[index] for index in printed]
    x, y, objects = _origins_and_objects(raw, printed)
    metrics = _Metrics(space.ctm, own_objects=not text_in_forms)
    first_of = dict(zip(reversed(objects), reversed(printed), strict=True))  # each object → its first character
    measured, key_fonts, key_of = metrics.measures(raw, list(first_of.values()), list(first_of))
    key_of_object = dict(zip(first_of, key_of.tolist(), strict=True))
    keys = np.fromiter(map(key_of_object.__getitem__, objects), dtype=np.intp, count=len(objects))
    descent, em, advance_scale = measured[keys].T
    fonts: dict[int, int] = {}  # each distinct font → its place among them
    font_of_key = np.asarray([fonts.setdefault(font, len(fonts)) for font in key_fonts], dtype=np.intp)
    widths, mapped = _glyph_widths(list(fonts), font_of_key[keys], codes[printed_at])
    a, b, c, d, e, f = space.ctm
    left, baseline = a * x + c * y + e, b * x + d * y + f  # pdfminer's space
    right = left + _advances(raw, printed, widths, mapped, space, advance_scale)
    x0, x1 = left + space.x_shift, right + space.x_shift
    top, bottom = space.top_line - (baseline + descent + em), space.top_line - (baseline + descent)
    lists = (x0.tolist(), x1.tolist(), top.tolist(), bottom.tolist())
    shown = [_LIGATURES.get(char, char) for char in chars]
    return _Glyphs(chars, x0, x1, top, bottom, _blanks_before(raw, text, printed), lists, shown)


def _origins_and_objects(raw: object, printed: list[int]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Each character's origin (PDF user space: x, y) and the text object it is printed by. PDFium writes the
    origins straight into one array, each call given the addresses of its two slots, and the calls are made by
    `map` (no Python step a character)."""
    count = len(printed)
    origins = np.empty((count, 2), dtype=np.float64)  # rows of two C doubles, as GetCharOrigin writes them
    base = origins.ctypes.data
    placed = list(map(_origin, itertools.repeat(raw, count), printed, range(base, base + 16 * count, 16),
                      range(base + 8, base + 16 * count, 16)))  # fmt: skip
    if not all(placed):
        raise NotJudged(f"PDFium cannot place character {printed[placed.index(0)]}")
    objects = list(map(_text_object_of, itertools.repeat(_handle(raw), count), printed))
    return origins[:, 0], origins[:, 1], objects


def _glyph_widths(fonts: list[int], font_of: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The font's printed width of each character, per em (`font_of`: its font's place in `fonts`; `codes`: its code
    point), 0 where PDFium cannot map it back to a code; and whether it could. Each distinct (font, character) is
    asked of PDFium once (and, of a font the PDF does not embed, whether it has the glyph: `_require_glyphs`), the
    calls made by `map`, each given the address of its slot."""
    pairs = font_of.astype(np.int64) * (sys.maxunicode + 1) + codes
    _, first, each = np.unique(pairs, return_index=True, return_inverse=True)
    _require_glyphs(fonts, font_of[first], codes[first])
    count = len(first)
    widths = np.empty(count, dtype=np.float32)
    at = widths.ctypes.data
    found = np.fromiter(map(_glyph_width, map(fonts.__getitem__, font_of[first].tolist()), codes[first].tolist(),
                            itertools.repeat(1.0), range(at, at + 4 * count, 4)), dtype=bool, count=count)  # fmt: skip
    return np.where(found, widths.astype(np.float64), 0.0)[each.reshape(-1)], found[each.reshape(-1)]


def _require_glyphs(fonts: list[int], font_of: np.ndarray, codes: np.ndarray) -> None:
    """Raise NotJudged where a font the PDF does not embed has no glyph for a printed character (each distinct
    (font, character) once: `font_of`, its font's place in `fonts`; `codes`, its code point). PDFium then draws the
    character from a font of the machine's, and without one that has it (a machine with no CJK font, for a 宋体 the
    PDF names but does not embed) it boxes the glyph flat, and its text page drops characters it takes for
    overprinted duplicates: the reading would depend on the machine's fonts, not on the PDF's bytes. pdfplumber
    boxes from the PDF alone."""
    embedded = np.fromiter((_is_embedded(font) != 0 for font in fonts), dtype=bool, count=len(fonts))
    for place, code in zip(font_of.tolist(), codes.tolist(), strict=True):
        if not embedded[place] and not _glyph_path(fonts[place], code, 1.0):
            raise NotJudged(f"no glyph for {chr(code)!r} in a font the PDF does not embed, on this machine")


def _advances(
    raw: object,
    printed: list[int],
    widths: np.ndarray,
    mapped: np.ndarray,
    space: _PlumberSpace,
    advance_scale: np.ndarray,
) -> np.ndarray:
    """Each character's advance in pdfminer's space: the font's printed width (`_glyph_widths`) times the object's
    advance scale; where PDFium cannot map the character back to a code, its own (loose) box's width on an upright
    page."""
    advance = widths * advance_scale
    rect = pdfium_c.FS_RECTF()
    for k in np.flatnonzero(~mapped).tolist():
        if space.rotation != 0 or not _loose_box(raw, printed[k], ctypes.byref(rect)):
            raise NotJudged(f"no width for character {printed[k]}")
        advance[k] = rect.right - rect.left
    return advance


def _blanks_before(raw: object, text: str, printed: list[int]) -> frozenset[int]:
    """k for the printed characters k - 1 and k with a printed blank between them in PDFium's text: a blank that
    is not a line break and not one PDFium generated."""
    blanks = [blank.start() for blank in _BLANK.finditer(text)]
    after = np.searchsorted(printed, blanks).tolist()  # the printed character after each blank
    generated = map(_is_generated, itertools.repeat(_handle(raw)), blanks)
    return frozenset(k for k, made in zip(after, generated, strict=True) if 0 < k < len(printed) and not made)


def _page_text(textpage: pdfium.PdfTextPage, count: int) -> str:
    """The page's characters, one per PDFium character index."""
    if count <= 0:
        return ""
    buffer = (ctypes.c_ushort * (count + 1))()
    pdfium_c.FPDFText_GetText(textpage.raw, 0, count, buffer)
    text = bytes(buffer)[: 2 * count].decode("utf-16-le", errors="surrogatepass")
    text = text.replace(_LINE_END_HYPHEN, "-")  # PDFium marks a hyphen it takes for a line break's; it is printed
    if len(text) != count or _SURROGATE.search(text):
        raise NotJudged("characters outside the basic plane")  # one index, two UTF-16 units: indices would slip
    return text


class _Metrics:
    """(descent, em, advance scale, font) of each text object's characters in page space — pdfminer's box is
    `descent` (negative) below the baseline to `descent + em`, and as wide as the font's printed width (its
    /Widths or /W, per em) times the advance scale — and of each font, its descent per em. PDFium's own (loose)
    box takes the width from the glyph where the font is not embedded: the printed width is asked for by
    character. Only upright, unskewed text is boxed the same by both engines: any other raises NotJudged."""

    def __init__(self, ctm: Matrix, *, own_objects: bool = False) -> None:
        """`own_objects`: every text object is the page's own (none in a Form XObject), so that a character's
        matrix is its object's (PDFium's text page multiplies the object's by the identity): asked of the object,
        five times cheaper than of the character."""
        self._turn = (*ctm[:4], 0.0, 0.0)  # the page's rotation, without its shift
        self._own_objects = own_objects
        self._fonts: dict[int, float] = {}
        self._descent = ctypes.c_float()

    def _font_descent(self, font: int) -> float:
        """pdfminer's descent per em: its own metrics of a standard font named so (whatever the font's descriptor
        says), else the descriptor's (PDFium's reading of it), always below the baseline."""
        name = ctypes.create_string_buffer(256)
        named = font and _base_font_name(font, name, len(name))
        if named and (known := FONT_METRICS.get(name.value.decode("latin-1"))):  # a name is bytes, not always UTF-8
            return -abs(float(known[0].get("Descent", 0))) / 1000
        if not font or not _descent(font, ctypes.c_float(1.0), ctypes.byref(self._descent)):
            raise NotJudged("a font without metrics")
        return -abs(float(self._descent.value))

    def measures(self, raw: object, indices: list[int], objects: list[int]) -> tuple[np.ndarray, list[int], np.ndarray]:
        """The measures of the text objects `objects`, each of which prints character `indices[k]`: objects alike
        (the same matrix, size and font: most of a page's) share them. Returns each set of measures (rows of
        descent, em, advance scale), its font, and which set each object has. PDFium writes each object's matrix
        and size into arrays (the calls made by `map`, each given the address of its slot), and objects alike are
        found by their bytes (a key of the same numbers is the same bytes, and any that differ in the sign of a
        zero only are measured alike)."""
        count = len(objects)
        matrices = np.empty((count, 6), dtype=np.float32)  # rows of FS_MATRIX (six C floats)
        sizes = np.empty(count, dtype=np.float32)
        at = matrices.ctypes.data
        slots = range(at, at + _MATRIX_BYTES * count, _MATRIX_BYTES)
        if self._own_objects:
            has_matrix = list(map(_object_matrix, objects, slots))
        else:
            has_matrix = list(map(_char_matrix, itertools.repeat(raw, count), indices, slots))
        at = sizes.ctypes.data
        has_size = list(map(_font_size, objects, range(at, at + 4 * count, 4)))
        if not all(has_matrix) or not all(has_size):
            raise NotJudged("a character without a matrix or font size")
        fonts = list(map(_font_of, objects))
        keys = np.empty(count, dtype=_ALIKE)
        keys["matrix"], keys["size"], keys["font"] = matrices[:, :4], sizes, [font or 0 for font in fonts]
        _, first, key_of = np.unique(keys.view(f"V{_ALIKE.itemsize}"), return_index=True, return_inverse=True)
        firsts = first.tolist()
        measured = [self._measured(*matrices[i, :4].tolist(), float(sizes[i]), fonts[i]) for i in firsts]
        return np.asarray(measured, dtype=float).reshape(-1, 3), [fonts[i] for i in firsts], key_of.reshape(-1)

    def _measured(
        self, ma: float, mb: float, mc: float, md: float, size: float, font: int
    ) -> tuple[float, float, float]:
        a, b, c, d, _, _ = _times((ma, mb, mc, md, 0.0, 0.0), self._turn)
        if b != 0 or c != 0 or a <= 0 or d <= 0:
            raise NotJudged("rotated, skewed or mirrored text (as the page is displayed)")
        if font not in self._fonts:
            self._fonts[font] = self._font_descent(font)
        em = float(size) * d
        return self._fonts[font] * em, em, float(size) * a


@dataclass(frozen=True, slots=True)
class PageObjects:
    """What a page draws, counted from its objects (Form XObjects' too, to the depths given)."""

    ruling_segments: int  # path segments (a path of none counts one): fewer than a few cannot rule a table
    has_images: bool
    drawings: tuple[int, ...] = ()  # the page's own path and form objects (not those inside forms), in order
    drawings_are_paths: bool = False  # no form among them


def page_objects(page: pdfium.PdfPage, path_depth: int = 3, image_depth: int = 2) -> PageObjects:
    raw = _address(page.raw)
    count = _count_objects(raw)
    objects = list(filter(None, map(_object_at, itertools.repeat(_handle(raw), count), range(count))))
    segments, has_images, drawings, forms = _drawn(objects, 0, path_depth, image_depth)
    return PageObjects(segments, has_images, tuple(drawings), drawings_are_paths=not forms)


def _drawn(objects: list[int], level: int, path_depth: int, image_depth: int) -> tuple[int, bool, list[int], int]:
    """The path segments and whether an image is drawn by `objects` (at `level` of Form XObjects: paths are
    counted above `path_depth`, images above `image_depth`) and those inside their forms; which of them are
    paths or forms, in order; and how many are forms. Each object's kind is asked by `map`; text objects (most of
    a page's) cost no more."""
    kinds = np.fromiter(map(_object_type, objects), dtype=np.int64, count=len(objects))
    paths = [objects[i] for i in np.flatnonzero(kinds == pdfium_c.FPDF_PAGEOBJ_PATH).tolist()]
    forms = [objects[i] for i in np.flatnonzero(kinds == pdfium_c.FPDF_PAGEOBJ_FORM).tolist()]
    counted = np.fromiter(map(_count_segments, paths), dtype=np.int64, count=len(paths)) if level < path_depth else None
    segments = 0 if counted is None else int(np.maximum(counted, 1).sum())  # a path of no segment counts one
    has_images = level < image_depth and bool((kinds == pdfium_c.FPDF_PAGEOBJ_IMAGE).any())
    if level + 1 < max(path_depth, image_depth):
        for form in forms:
            inner = list(filter(None, map(_form_object_at, itertools.repeat(form), range(_form_count(form)))))
            inner_segments, inner_images, _, _ = _drawn(inner, level + 1, path_depth, image_depth)
            segments += inner_segments
            has_images = has_images or inner_images
    in_order = zip(objects, kinds.tolist(), strict=True)
    drawings = paths if not forms else [obj for obj, kind in in_order if kind in _DRAWING]
    return segments, has_images, drawings, len(forms)


# --- ruling ---------------------------------------------------------------------------------------------------

_count_objects = _c_function(pdfium_c.FPDFPage_CountObjects, _INT, _VOID)
_object_at = _c_by_index(pdfium_c.FPDFPage_GetObject, _VOID)
_form_count = _c_function(pdfium_c.FPDFFormObj_CountObjects, _INT, _VOID)
_form_object_at = _c_function(pdfium_c.FPDFFormObj_GetObject, _VOID, _VOID, ctypes.c_ulong)
_object_type = _c_function(pdfium_c.FPDFPageObj_GetType, _INT, _VOID)
_object_matrix = _c_function(pdfium_c.FPDFPageObj_GetMatrix, _INT, _VOID, _VOID)  # out: FS_MATRIX
_count_segments = _c_function(pdfium_c.FPDFPath_CountSegments, _INT, _VOID)
_segment_at = _c_function(pdfium_c.FPDFPath_GetPathSegment, _VOID, _VOID, _INT)
_segment_point = _c_function(pdfium_c.FPDFPathSegment_GetPoint, _INT, _VOID, *[ctypes.POINTER(ctypes.c_float)] * 2)
_segment_type = _c_function(pdfium_c.FPDFPathSegment_GetType, _INT, _VOID)
_segment_closes = _c_function(pdfium_c.FPDFPathSegment_GetClose, _INT, _VOID)
_draw_mode = _c_function(pdfium_c.FPDFPath_GetDrawMode, _INT, _VOID, _VOID, _VOID)  # out: 2 ints

_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MATRIX_BYTES = ctypes.sizeof(pdfium_c.FS_MATRIX)
_DRAWING = (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM)  # the objects ruling may be drawn by
_OPERATOR = {pdfium_c.FPDF_SEGMENT_MOVETO: "m", pdfium_c.FPDF_SEGMENT_LINETO: "l", pdfium_c.FPDF_SEGMENT_BEZIERTO: "c"}


def _edges(
    page: pdfium.PdfPage, space: _PlumberSpace, drawings: Sequence[int] | None, drawings_are_paths: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """pdfplumber's edges of the page's painted paths, prefiltered as its "lines" strategy does (orientation
    known, length ≥ 1): horizontal rows (x0, x1, y), vertical rows (x, top, bottom). A page drawn only with
    rectangles and single lines (most ruled pages) is read with numpy (`_rectangles_and_lines`), any other path
    by path."""
    painted = _paths(_address(page.raw), drawings, drawings_are_paths)
    found = _rectangles_and_lines(painted, space)
    h, v = found if found is not None else _edges_path_by_path(painted, space)
    return h[h[:, 1] - h[:, 0] >= EDGE_MIN_LENGTH_PREFILTER], v[v[:, 2] - v[:, 1] >= EDGE_MIN_LENGTH_PREFILTER]


def _edges_path_by_path(painted: Painted, space: _PlumberSpace) -> tuple[np.ndarray, np.ndarray]:
    """The edges of painted paths (each with its matrix to page space), subpath by subpath as pdfminer reads
    them: horizontal rows (x0, x1, y), vertical rows (x, top, bottom), in the paths' order."""
    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float]] = []
    for path, matrix in zip(painted.paths, painted.matrices.tolist(), strict=True):
        for shape, points in _subpaths(path, _times(tuple(matrix), space.ctm), space):  # type: ignore[arg-type]
            _add_edges(shape, points, horizontal, vertical)
    return np.asarray(horizontal, dtype=float).reshape(-1, 3), np.asarray(vertical, dtype=float).reshape(-1, 3)


_SEGMENTS = np.dtype([("x", "<f4"), ("y", "<f4"), ("kind", "u1"), ("closes", "u1"), ("pad", "V2")])  # = _POINT
_MOVE, _LINE = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO


def _rectangles_and_lines(painted: Painted, space: _PlumberSpace) -> tuple[np.ndarray, np.ndarray] | None:
    """`_edges_path_by_path` of paths that are each a rectangle (move, four lines back to the start, closed: a
    PDF `re`) or a single line (move, line), computed for all of them at once in the same floating-point steps;
    None when a path is any other, or a rectangle is not upright (the long way reads those)."""
    blocks = _segment_blocks(painted.paths)
    if not painted.paths or any(block is None for block in blocks):
        return None
    counts = np.asarray([len(block) for block in blocks]) // _POINT.size  # type: ignore[arg-type]
    rectangle = counts == 5
    if not (rectangle | (counts == 2)).all():
        return None
    segments = np.frombuffer(b"".join(blocks), dtype=_SEGMENTS)  # type: ignore[arg-type]
    starts = np.cumsum(counts) - counts
    place = np.arange(len(segments)) - np.repeat(starts, counts)  # each segment's place in its path
    closing = np.repeat(rectangle, counts) & (place == 4)
    if ((segments["kind"] != np.where(place == 0, _MOVE, _LINE)).any()
            or (segments["closes"] != closing).any()):  # fmt: skip
        return None
    a, b, c, d, e, f = (np.repeat(m, counts) for m in _times_each(painted.matrices, space.ctm).T)
    px, py = segments["x"].astype(float), segments["y"].astype(float)
    xs, ys = a * px + c * py + e + space.x_shift, space.top_line - (b * px + d * py + f)
    corners = starts[rectangle][:, None] + np.arange(5)
    x, y = xs[corners], ys[corners]  # each rectangle's five points, the fifth its first again
    x0, x1, x2, x3, x4 = x.T
    y0, y1, y2, y3, y4 = y.T
    upright = ((x0 == x1) & (y1 == y2) & (x2 == x3) & (y3 == y0)) | ((y0 == y1) & (x1 == x2) & (y2 == y3) & (x3 == x0))
    if not ((x4 == x0) & (y4 == y0) & upright).all():
        return None
    horizontal, vertical = np.zeros((len(counts), 2, 3)), np.zeros((len(counts), 2, 3))
    left, right = np.where(x2 < x0, x2, x0), np.where(x2 > x0, x2, x0)  # Python's min and max, ties and all
    upper, lower = np.where(y2 < y0, y2, y0), np.where(y2 > y0, y2, y0)
    horizontal[rectangle] = np.stack([np.stack([left, right, upper], 1), np.stack([left, right, lower], 1)], 1)
    vertical[rectangle] = np.stack([np.stack([left, upper, lower], 1), np.stack([right, upper, lower], 1)], 1)
    ends = starts[~rectangle]
    lx0, ly0, lx1, ly1 = xs[ends], ys[ends], xs[ends + 1], ys[ends + 1]
    level = ly0 == ly1
    low_x, high_x = np.where(lx1 < lx0, lx1, lx0), np.where(lx1 > lx0, lx1, lx0)
    low_y, high_y = np.where(ly1 < ly0, ly1, ly0), np.where(ly1 > ly0, ly1, ly0)
    horizontal[~rectangle, 0] = np.stack([low_x, high_x, ly0], 1)
    vertical[~rectangle, 0] = np.stack([low_x, low_y, high_y], 1)  # pdfplumber's vertical: at its left end
    in_h = np.zeros((len(counts), 2), dtype=bool)
    in_v = np.zeros((len(counts), 2), dtype=bool)
    in_h[rectangle], in_v[rectangle] = True, True
    in_h[~rectangle, 0], in_v[~rectangle, 0] = level, ~level
    return horizontal[in_h], vertical[in_v]


@dataclass(frozen=True, slots=True)
class Painted:
    """A page's painted paths, in page order, and each one's matrix to the page's user space (rows of six)."""

    paths: list[int]
    matrices: np.ndarray

    @classmethod
    def of(cls, found: Sequence[tuple[int, Matrix]]) -> Painted:
        return cls([path for path, _ in found], np.asarray([m for _, m in found], dtype=float).reshape(-1, 6))


def _paths(page: object, drawings: Sequence[int] | None = None, drawings_are_paths: bool = False) -> Painted:
    """Every painted path of the page, Form XObjects' included, in page order, with its matrix to page space."""
    if drawings is None:
        count = _count_objects(page)
        drawings, drawings_are_paths = list(filter(None, map(_object_at, itertools.repeat(_handle(page), count),
                                                             range(count)))), False  # fmt: skip
    return _painted(list(drawings), _IDENTITY, all_paths=drawings_are_paths)


def _painted(objects: list[int], outer: Matrix, *, all_paths: bool = False) -> Painted:
    """The painted paths among `objects` and inside their forms, in order, each with its matrix to page space
    (`outer`: that of the form holding them; `all_paths`: `objects` are known to be paths). PDFium's answers for
    all the objects are asked by `map`, into arrays, and the matrices multiplied at once (`_times_each`)."""
    kinds = [pdfium_c.FPDF_PAGEOBJ_PATH] * len(objects) if all_paths else list(map(_object_type, objects))
    drawn = [(obj, kind) for obj, kind in zip(objects, kinds, strict=True) if kind in _DRAWING]
    if not drawn:
        return Painted([], np.empty((0, 6)))
    count = len(drawn)
    matrices = np.empty((count, 6), dtype=np.float32)  # rows of FS_MATRIX
    modes = np.zeros((count, 2), dtype=np.intc)  # each path's fill mode and whether it is stroked
    at, step = matrices.ctypes.data, _MATRIX_BYTES
    if not all(map(_object_matrix, (obj for obj, _ in drawn), range(at, at + step * count, step))):
        raise NotJudged("an object without a matrix")
    at, step = modes.ctypes.data, 2 * modes.itemsize
    told = np.fromiter(map(_draw_mode, (obj for obj, _ in drawn), range(at, at + step * count, step),
                           range(at + modes.itemsize, at + step * count, step)), dtype=bool, count=count)  # fmt: skip
    own = _times_each(matrices.astype(float), outer)
    is_form = np.fromiter((kind == pdfium_c.FPDF_PAGEOBJ_FORM for _, kind in drawn), dtype=bool, count=count)
    painted = ~is_form & told & ((modes[:, 0] != 0) | (modes[:, 1] != 0))
    if not is_form.any():
        kept = np.flatnonzero(painted)
        return Painted([drawn[i][0] for i in kept.tolist()], own[kept])
    paths: list[int] = []
    parts: list[np.ndarray] = []
    for i in np.flatnonzero(painted | is_form).tolist():
        obj = drawn[i][0]
        if is_form[i]:
            inner = _painted(list(filter(None, map(_form_object_at, itertools.repeat(obj), range(_form_count(obj))))),
                             tuple(own[i].tolist()))  # type: ignore[arg-type]  # fmt: skip
            paths.extend(inner.paths)
            parts.append(inner.matrices)
        else:
            paths.append(obj)
            parts.append(own[i : i + 1])
    return Painted(paths, np.concatenate(parts) if parts else np.empty((0, 6)))


def _times_each(m: np.ndarray, n: Matrix) -> np.ndarray:
    """`_times` of each row of `m` (six columns) and `n`, in the same floating-point steps."""
    a, b, c, d, e, f = m.T
    a2, b2, c2, d2, e2, f2 = n
    return np.stack([a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, e * a2 + f * c2 + e2,
                     e * b2 + f * d2 + f2], axis=1).reshape(-1, 6)  # fmt: skip


def _times(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF's row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2)  # fmt: skip


Point = tuple[float, float]


def _subpaths(path: int, m: Matrix, space: _PlumberSpace) -> Iterator[tuple[str, list[Point]]]:
    """The path's subpaths as pdfminer paints them: each its operators ('m', 'l', 'c', 'h': a Bézier curve is
    one 'c' at its end point) and the points they end at, in pdfplumber's space."""
    a, b, c, d, e, f = m  # to pdfminer's space
    x_shift, top_line = space.x_shift, space.top_line
    shape: list[str] = []
    points: list[Point] = []
    segments = _segments(path)
    count = len(segments)
    index = 0
    while index < count:
        px, py, kind, closes = segments[index]
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:  # two control points, then the end point
            index += 2
            if index >= count:
                raise NotJudged("a curve without its end point")
            px, py, _, closes = segments[index]
        operator = _OPERATOR.get(kind)
        if operator is None:
            raise NotJudged("a path segment of an unknown kind")
        if operator == "m" and shape:
            yield "".join(shape), points
            shape, points = [], []
        shape.append(operator)
        points.append((a * px + c * py + e + x_shift, top_line - (b * px + d * py + f)))
        if closes and points:
            shape.append("h")
            points.append(points[0])
        index += 1
    if shape:
        yield "".join(shape), points


Segment = tuple[float, float, int, int]  # x, y (PDF user space), kind (FPDF_SEGMENT_*), closes the subpath (0/1)
# How PDFium keeps a path's segments: one array of CFX_Path::Point {float x, y; uint8 type; bool close} (its types
# numbered as FPDF_SEGMENT_*), a segment handle being the address of its element. Read as one block, a path costs
# three calls, not four a segment; used only while the handles are spaced so and the first path read both ways
# agrees (`_segment_block_checked`), else segment by segment.
_POINT = struct.Struct("<ffBB2x")
_segment_block_read: list[bool | None] = [None]  # None: not yet checked against PDFium's own readings


def _segments(path: int) -> list[Segment]:
    """Every segment of the path, in order."""
    block = _segment_block(path)
    if block is not None:
        return [(float(x), float(y), kind, closes) for x, y, kind, closes in _POINT.iter_unpack(block)]
    return [_segment(_segment_at(path, index)) for index in range(_count_segments(path))]


def _segment_block(path: int) -> bytes | None:
    """The path's segments as PDFium keeps them (`_POINT` records, one block), or None where they cannot be read
    so (fewer than two, spaced otherwise, or the first path read both ways disagreed)."""
    count = _count_segments(path)
    if count < 2 or _segment_block_read[0] is False:
        return None
    block = _spaced_block(_segment_at(path, 0), _segment_at(path, count - 1), count)
    if block is None or (_segment_block_read[0] is None and not _segment_block_checked(path, block)):
        return None
    return block


def _segment_blocks(paths: list[int]) -> list[bytes | None]:
    """`_segment_block` of each path, PDFium asked for all the paths' segment counts and first and last segments
    by `map`."""
    counts = list(map(_count_segments, paths))
    if _segment_block_read[0] is not True or any(count < 2 for count in counts):
        return [_segment_block(path) for path in paths]
    firsts = list(map(_segment_at, paths, itertools.repeat(0)))
    lasts = list(map(_segment_at, paths, [count - 1 for count in counts]))
    return list(map(_spaced_block, firsts, lasts, counts))


def _spaced_block(first: int, last: int, count: int) -> bytes | None:
    """The `count` segments from the handle `first` to `last` as one block, when they are spaced as `_POINT`
    records (else None)."""
    if not (first and last and last - first == (count - 1) * _POINT.size):
        return None
    return ctypes.string_at(first, count * _POINT.size)


def _segment_block_checked(path: int, block: bytes) -> bool:
    """Whether the path's segments read as one block are those PDFium's calls give (decided once a process)."""
    read = [(float(x), float(y), kind, closes) for x, y, kind, closes in _POINT.iter_unpack(block)]
    _segment_block_read[0] = read == [_segment(_segment_at(path, index)) for index in range(len(read))]
    return _segment_block_read[0]


def _segment(segment: int) -> Segment:
    x, y = ctypes.c_float(), ctypes.c_float()
    if not segment or not _segment_point(segment, ctypes.byref(x), ctypes.byref(y)):
        raise NotJudged("a path segment PDFium cannot read")
    return float(x.value), float(y.value), _segment_type(segment), int(_segment_closes(segment))


Edges = list[tuple[float, float, float]]


def _add_edges(shape: str, pts: list[Point], horizontal: Edges, vertical: Edges) -> None:
    """pdfminer's reading of one subpath (a line, a rectangle or a curve) as pdfplumber's edges."""
    if not shape.startswith("m"):
        return
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape, pts = shape[:-2] + "h", pts[:-1]  # pdfminer drops a redundant 'l' before 'h'
    if shape in ("mlh", "ml"):
        (x0, y0), (x1, y1) = pts[0], pts[1]
        if y0 == y1:
            horizontal.append((min(x0, x1), max(x0, x1), y0))
        else:  # pdfplumber calls every line that is not horizontal vertical, at its left end
            vertical.append((min(x0, x1), min(y0, y1), max(y0, y1)))
        return
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if pts[0] == pts[4] and square:
            left, right = min(x0, x2), max(x0, x2)
            upper, lower = min(y0, y2), max(y0, y2)
            horizontal.extend(((left, right, upper), (left, right, lower)))
            vertical.extend(((left, upper, lower), (right, upper, lower)))
            return
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        if x0 == x1:
            vertical.append((x0, min(y0, y1), max(y0, y1)))
        elif y0 == y1:
            horizontal.append((min(x0, x1), max(x0, x1), y0))


# --- tables (pdfplumber's TableFinder, "lines" strategy) ------------------------------------------------------


def _tables(horizontal: np.ndarray, vertical: np.ndarray) -> list[list[Box]]:
    """The page's tables as lists of cells, top to bottom: horizontal edges (x0, x1, y), vertical (x, top,
    bottom) snapped, joined and filtered by length as pdfplumber's merge_edges and filter_edges do."""
    h = _merged(horizontal[:, 2], horizontal[:, 0], horizontal[:, 1])
    v = _merged(vertical[:, 0], vertical[:, 1], vertical[:, 2])
    h = h[h[:, 2] - h[:, 1] >= EDGE_MIN_LENGTH]
    v = v[v[:, 2] - v[:, 1] >= EDGE_MIN_LENGTH]
    if not len(h) or not len(v):
        return []
    return _cells_to_tables(_cells(h, v))


def _merged(position: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Edges along one axis, snapped to their cluster's mean position, then joined along each line where one
    starts within the tolerance of the previous one's end: rows (position, start, end)."""
    if not len(position):
        return np.empty((0, 3))
    snapped = _snapped(position)
    positions, starts, ends = snapped.tolist(), start.tolist(), end.tolist()  # Python floats: fast to index
    joined: list[tuple[float, float, float]] = []
    for i in np.lexsort((start, snapped)).tolist():
        p, s, e = positions[i], starts[i], ends[i]
        if joined and p == joined[-1][0] and s <= joined[-1][2] + JOIN:
            if e > joined[-1][2]:
                joined[-1] = (p, joined[-1][1], e)
        else:
            joined.append((p, s, e))
    return np.asarray(joined, dtype=float)


def _snapped(values: np.ndarray) -> np.ndarray:
    """Each value moved to the mean of its cluster (pdfplumber's snap_objects: sorted distinct values chained
    while each is within the tolerance of the previous one; the mean is over the edges, not the values)."""
    distinct = np.unique(values)
    breaks = np.flatnonzero(np.diff(distinct) > SNAP) + 1
    cluster_of_distinct = np.zeros(len(distinct), dtype=int)
    cluster_of_distinct[breaks] = 1
    cluster_of_distinct = np.cumsum(cluster_of_distinct)
    cluster = cluster_of_distinct[np.searchsorted(distinct, values)]
    sums = np.bincount(cluster, weights=values)
    counts = np.bincount(cluster)
    means = sums / counts
    return values + (means[cluster] - values)  # pdfplumber moves each edge by (mean - value)


def _cells(h: np.ndarray, v: np.ndarray) -> list[Box]:
    """pdfplumber's edges_to_intersections and intersections_to_cells."""
    hy, hx0, hx1 = h[:, 0], h[:, 1], h[:, 2]
    vx, vtop, vbottom = v[:, 0], v[:, 1], v[:, 2]
    meets = (
        (vtop[:, None] <= hy[None, :] + INTERSECTION)
        & (vbottom[:, None] >= hy[None, :] - INTERSECTION)
        & (vx[:, None] >= hx0[None, :] - INTERSECTION)
        & (vx[:, None] <= hx1[None, :] + INTERSECTION)
    )
    verticals: dict[Point, set[int]] = {}
    horizontals: dict[Point, set[int]] = {}
    xs, ys = vx.tolist(), hy.tolist()
    for vi, hi in zip(*(found.tolist() for found in np.nonzero(meets)), strict=True):
        point = (xs[vi], ys[hi])
        verticals.setdefault(point, set()).add(vi)
        horizontals.setdefault(point, set()).add(hi)
    points = sorted(verticals)
    below: dict[float, list[Point]] = {}
    right: dict[float, list[Point]] = {}
    place: dict[Point, tuple[int, int]] = {}  # where each point stands in its column and in its row
    for point in points:  # sorted by x, then y: each list is in the order pdfplumber scans it
        column = below.setdefault(point[0], [])
        row = right.setdefault(point[1], [])
        place[point] = (len(column), len(row))
        column.append(point)
        row.append(point)

    def joined_vertically(p: Point, q: Point) -> bool:
        return not verticals[p].isdisjoint(verticals[q])

    def joined_horizontally(p: Point, q: Point) -> bool:
        return not horizontals[p].isdisjoint(horizontals[q])

    cells: list[Box] = []
    for point in points:
        x, y = point
        in_column, in_row = place[point]
        cell = _smallest_cell(
            point,
            below[x][in_column + 1 :],
            right[y][in_row + 1 :],
            verticals,
            joined_vertically,
            joined_horizontally,
        )
        if cell is not None:
            cells.append(cell)
    return cells


def _smallest_cell(point, below, right, intersections, joined_vertically, joined_horizontally) -> Box | None:  # type: ignore[no-untyped-def]
    for down in below:
        if not joined_vertically(point, down):
            continue
        for across in right:
            if not joined_horizontally(point, across):
                continue
            corner = (across[0], down[1])
            if corner in intersections and joined_vertically(corner, across) and joined_horizontally(corner, down):
                return (point[0], point[1], corner[0], corner[1])
    return None


def _cells_to_tables(cells: list[Box]) -> list[list[Box]]:
    """Cells grouped by shared corners (pdfplumber's cells_to_tables: the closure of corner sharing from the
    first remaining cell), tables of more than one cell, ordered by their top-left cell."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_at: dict[Point, int] = {}
    for i, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            j = first_at.setdefault(corner, i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list[Box]] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    tables = sorted(groups.values(), key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


# --- cell text ------------------------------------------------------------------------------------------------


def _found_table(cells: list[Box], glyphs: _Glyphs) -> FoundTable:
    """pdfplumber's Table.rows and Table.extract(): rows by top, columns by every cell's left edge; a cell's
    text from the characters whose centre lies in it."""
    xs = sorted({c[0] for c in cells})
    by_top: dict[float, dict[float, Box]] = {}
    for cell in sorted(cells, key=lambda c: (c[1], c[0])):
        by_top.setdefault(cell[1], {})[cell[0]] = cell
    rows = [[row.get(x) for x in xs] for _, row in sorted(by_top.items())]
    inside = _chars_by_cell(cells, glyphs)
    text_of = _cell_texts(glyphs, inside)
    texts = [[None if c is None else text_of.get(c, "") for c in row] for row in rows]
    x0 = min(c[0] for c in cells)
    top = min(c[1] for c in cells)
    x1 = max(c[2] for c in cells)
    bottom = max(c[3] for c in cells)
    return FoundTable(rows, texts, (x0, top, x1, bottom))


def _chars_by_cell(cells: Sequence[Box], glyphs: _Glyphs) -> dict[Box, list[int]]:
    """cell → the indices of the characters whose centre lies in it (x0 ≤ x < x1, top ≤ y < bottom), in page
    order. Cells are unions of the slots between consecutive cell edges: each character is placed in its slot
    by bisection and handed to the cells covering that slot."""
    boxes = np.asarray(cells, dtype=float).reshape(-1, 4)
    xs, ys = np.unique(boxes[:, [0, 2]]), np.unique(boxes[:, [1, 3]])
    c0s, c1s = np.searchsorted(xs, boxes[:, 0]).tolist(), np.searchsorted(xs, boxes[:, 2]).tolist()
    r0s, r1s = np.searchsorted(ys, boxes[:, 1]).tolist(), np.searchsorted(ys, boxes[:, 3]).tolist()
    covering: dict[tuple[int, int], list[Box]] = {}
    for cell, c0, c1, r0, r1 in zip(cells, c0s, c1s, r0s, r1s, strict=True):
        for r in range(r0, r1):
            for c in range(c0, c1):
                covering.setdefault((r, c), []).append(cell)
    h_mid, v_mid = glyphs.h_mid, glyphs.v_mid
    column = np.searchsorted(xs, h_mid, side="right") - 1
    row = np.searchsorted(ys, v_mid, side="right") - 1
    within = np.flatnonzero((column >= 0) & (column < len(xs) - 1) & (row >= 0) & (row < len(ys) - 1))
    slot = row[within] * len(xs) + column[within]
    order = np.argsort(slot, kind="stable")  # by slot, each slot's characters in page order
    slots, starts = np.unique(slot[order], return_index=True)
    in_slot_order, bounds = within[order].tolist(), [*starts.tolist(), len(order)]
    out: dict[Box, list[int]] = {}
    for k, at in enumerate(slots.tolist()):
        for cell in covering.get(divmod(at, len(xs)), ()):
            out.setdefault(cell, []).extend(in_slot_order[bounds[k] : bounds[k + 1]])
    for cell, c0, c1, r0, r1 in zip(cells, c0s, c1s, r0s, r1s, strict=True):
        if (c1 - c0) * (r1 - r0) > 1 and cell in out:  # a merged cell: its slots' characters, in page order
            out[cell].sort()
    return out


def _text(glyphs: _Glyphs, indices: list[int]) -> str:
    """pdfplumber's extract_text (not laid out) of these characters: `_text_lines`' texts, without their boxes
    where the characters stand on one line (most cells)."""
    if not indices:
        return ""
    tops = glyphs.boxes[2]
    char_tops = [tops[i] for i in indices]
    if max(char_tops) <= min(char_tops) + TEXT_TOLERANCE:
        shown = glyphs.shown.__getitem__
        words = _words(glyphs, sorted(indices, key=glyphs.boxes[0].__getitem__))
        return " ".join("".join(map(shown, w)) for w in words)
    return "\n".join(line.text for line in _text_lines(glyphs, indices, page_lines=False))


def _clusters(values: list[float], tolerance: float) -> dict[float, int]:
    """pdfplumber's make_cluster_dict: each distinct value → its cluster's rank."""
    out: dict[float, int] = {}
    rank = 0
    last: float | None = None
    for value in sorted(set(values)):
        if last is not None and value > last + tolerance:
            rank += 1
        out[value] = rank
        last = value
    return out


def _text_lines(glyphs: _Glyphs, indices: Sequence[int], *, page_lines: bool) -> list[FoundLine]:
    """Characters → words → lines as pdfplumber's WordExtractor and text map do for upright text: characters
    clustered into lines by top, ordered by x0, a word ending at a blank or a gap of more than 3 pt (or a step
    back, or a jump of more than 3 pt in top); words clustered into lines by their top and joined by a space.
    `page_lines`: the page's extract_text_lines (words kept in order, a line per run of one cluster); otherwise a
    cell's extract_text (words grouped by cluster)."""
    if not indices:
        return []
    shown = glyphs.shown.__getitem__
    x0s, x1s, tops, bottoms = glyphs.boxes
    char_tops = [tops[i] for i in indices]
    if max(char_tops) <= min(char_tops) + TEXT_TOLERANCE:  # one line (most cells): no clustering to do
        words = _words(glyphs, sorted(indices, key=x0s.__getitem__))
        line_text = " ".join("".join(map(shown, w)) for w in words)
        return [FoundLine(line_text, min(map(x0s.__getitem__, indices)), min(char_tops),
                          max(map(x1s.__getitem__, indices)), max(map(bottoms.__getitem__, indices)))]  # fmt: skip
    rank = _clusters(char_tops, TEXT_TOLERANCE)
    by_line = sorted(indices, key=lambda i: rank[tops[i]])
    words = []
    for _, members in itertools.groupby(by_line, key=lambda i: rank[tops[i]]):
        words.extend(_words(glyphs, sorted(members, key=x0s.__getitem__)))
    word_top = [min(map(tops.__getitem__, w)) for w in words]
    word_rank = _clusters(word_top, TEXT_TOLERANCE)
    order = list(range(len(words)))
    if not page_lines:
        order.sort(key=lambda w: word_rank[word_top[w]])
    lines: list[FoundLine] = []
    for _, members in itertools.groupby(order, key=lambda w: word_rank[word_top[w]]):
        line_words = [words[w] for w in members]
        chars = [i for w in line_words for i in w]
        line_text = " ".join("".join(map(shown, w)) for w in line_words)
        x0, top = min(map(x0s.__getitem__, chars)), min(map(tops.__getitem__, chars))
        x1, bottom = max(map(x1s.__getitem__, chars)), max(map(bottoms.__getitem__, chars))
        lines.append(FoundLine(line_text, x0, top, x1, bottom))
    return lines


def _page_lines(glyphs: _Glyphs) -> list[FoundLine]:
    """`_text_lines(glyphs, every character, page_lines=True)`, computed for the whole page at once with numpy (a
    ruled page prints ~1,000 characters): the same clusters, the same order (numpy's sorts are stable, as Python's
    are), the same word breaks and the same boxes, from the same floating-point values."""
    count = len(glyphs.text)
    x0, x1, tops, bottoms = glyphs.x0, glyphs.x1, glyphs.top, glyphs.bottom
    if not np.isfinite(np.concatenate([x0, x1, tops, bottoms])).all():  # no order to vouch for: one by one
        return _text_lines(glyphs, range(count), page_lines=True)
    line_of = _cluster_ranks(tops)
    order = np.lexsort((x0, line_of))  # by line, each line's characters by x0, ties in page order
    word_starts = _word_starts(glyphs, order, line_of[order])
    word_rank = _cluster_ranks(np.minimum.reduceat(tops[order], word_starts))
    line_starts = word_starts[np.concatenate([[True], word_rank[1:] != word_rank[:-1]])]
    shown = glyphs.shown
    pieces = [shown[i] for i in order.tolist()]
    for start in set(word_starts.tolist()).difference(line_starts.tolist()):
        pieces[start] = " " + pieces[start]  # words of a line joined by a space
    ends = [*line_starts[1:].tolist(), count]
    boxes = zip(*(reduce(values[order], line_starts).tolist() for reduce, values in
                  ((np.minimum.reduceat, x0), (np.minimum.reduceat, tops), (np.maximum.reduceat, x1),
                   (np.maximum.reduceat, bottoms))), strict=True)  # fmt: skip
    return [FoundLine("".join(pieces[start:end]), *box)
            for start, end, box in zip(line_starts.tolist(), ends, boxes, strict=True)]  # fmt: skip


def _cell_texts(glyphs: _Glyphs, inside: dict[Box, list[int]]) -> dict[Box, str]:
    """`_text` of each cell's characters (`_chars_by_cell`), computed for all a table's cells at once with numpy,
    as `_page_lines` computes a page's lines: each cell's characters clustered into lines by top, each line's
    words by `_words`' breaks, the words clustered into lines by their top and ordered by line (stably)."""
    cells = [cell for cell, indices in inside.items() if indices]
    sizes = [len(inside[cell]) for cell in cells]
    chars = np.fromiter(itertools.chain.from_iterable(map(inside.__getitem__, cells)), dtype=np.intp, count=sum(sizes))
    if not cells or not np.isfinite(np.concatenate([glyphs.x0[chars], glyphs.x1[chars], glyphs.top[chars]])).all():
        return {cell: _text(glyphs, inside[cell]) for cell in cells}
    group = np.repeat(np.arange(len(cells)), sizes)  # each character's cell
    line_of = _cluster_ranks(glyphs.top[chars], group)
    order = np.lexsort((glyphs.x0[chars], line_of))  # by cell and line, each line by x0, ties in the cell's order
    ordered = chars[order]
    word_starts = _word_starts(glyphs, ordered, line_of[order])
    word_cell = group[order][word_starts]
    word_rank = _cluster_ranks(np.minimum.reduceat(glyphs.top[ordered], word_starts), word_cell)
    shown = glyphs.shown
    pieces = [shown[i] for i in ordered.tolist()]
    ends = [*word_starts[1:].tolist(), len(ordered)]
    words = ["".join(pieces[start:end]) for start, end in zip(word_starts.tolist(), ends, strict=True)]
    by_line = np.argsort(word_rank, kind="stable")
    lines_of: dict[int, list[list[str]]] = {}
    previous = -1
    for w, cell, rank in zip(by_line.tolist(), word_cell[by_line].tolist(), word_rank[by_line].tolist(), strict=True):
        if rank != previous:  # ranks are counted across the cells: a cell's first word starts a line
            lines_of.setdefault(cell, []).append([])
            previous = rank
        lines_of[cell][-1].append(words[w])
    return {cells[cell]: "\n".join(" ".join(line) for line in lines) for cell, lines in lines_of.items()}


def _cluster_ranks(values: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """`_clusters` of each of `values`, within its group where `groups` is given: the rank of its cluster (values
    in order chained while each is within the tolerance of the previous one), counted across the groups in
    their order."""
    groups = np.zeros(len(values), dtype=np.intp) if groups is None else groups
    in_order = np.lexsort((values, groups))
    sorted_values, sorted_groups = values[in_order], groups[in_order]
    apart = (sorted_groups[1:] != sorted_groups[:-1]) | (sorted_values[1:] > sorted_values[:-1] + TEXT_TOLERANCE)
    ranks = np.empty(len(values), dtype=np.intp)
    ranks[in_order] = np.cumsum(np.concatenate([[0], apart]))
    return ranks


def _word_starts(glyphs: _Glyphs, ordered: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Where each word begins among characters ordered line by line (`line`: each one's line), each line by x0:
    at a line's first character and `_words`' breaks."""
    x0, x1, tops = glyphs.x0, glyphs.x1, glyphs.top
    last, this = ordered[:-1], ordered[1:]
    blank_before = np.zeros(len(glyphs.text) + 1, dtype=bool)
    blank_before[list(glyphs.blank_before)] = True
    breaks = (
        (line[1:] != line[:-1])
        | (x0[this] < x0[last])
        | (x0[this] > x1[last] + TEXT_TOLERANCE)
        | ((this == last + 1) & blank_before[this])
        | ((last == this + 1) & blank_before[last])
        | (np.abs(tops[this] - tops[last]) > TEXT_TOLERANCE)
    )
    return np.flatnonzero(np.concatenate([[True], breaks]))


def _words(glyphs: _Glyphs, ordered: list[int]) -> list[list[int]]:
    """One line's characters, ordered by x0, cut into words: at a blank, a gap of more than 3 pt, a step back or
    a jump of more than 3 pt in top."""
    blank_before = glyphs.blank_before
    x0s, x1s, tops, _ = glyphs.boxes
    words: list[list[int]] = []
    current = [ordered[0]]
    for i in ordered[1:]:
        last = current[-1]
        apart = x0s[i] < x0s[last] or x0s[i] > x1s[last] + TEXT_TOLERANCE
        blank = (i == last + 1 and i in blank_before) or (last == i + 1 and last in blank_before)
        if apart or blank or abs(tops[i] - tops[last]) > TEXT_TOLERANCE:
            words.append(current)
            current = []
        current.append(i)
    words.append(current)
    return words
