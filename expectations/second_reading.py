"""The second reading of the contested pages, asked for by the gate.

Extraction reads every page once (PDFium; pdfplumber where PDFium cannot judge a page). A page is contested
when an identity fails on one of its figures: before the failure is judged (expectations.attribution), the
figures of those pages are read a second time by the other engine (extract.reread), and a cell the two
readings disagree on becomes evidence that we misread it — its table is withheld. Pages where every identity
holds are not read again: the second reading costs what the PDFium reader saved.
"""

from __future__ import annotations

from collections.abc import Sequence

from expectations.identities import Identity
from extract.model import ExtractedDocument


def contested_pages(doc: ExtractedDocument, identities: Sequence[Identity]) -> set[int]:
    """Pages printing a figure of a failed identity that have not been read a second time yet."""
    pages = {f.identity: f.page for f in doc.facts if f.box is not None}
    failed = {pages[cell] for x in identities if not x.holds for cell, _ in x.roles() if cell in pages}
    return failed - doc.second_read


def read_again(doc: ExtractedDocument, pdf: bytes, pages: set[int]) -> None:
    """The second reading of `pages`, recorded on the document: its disputed cells (and their problems, which
    withhold their tables) and the pages read twice."""
    from extract.reread import disputed_cells, disputed_problems  # imports pdfplumber: only when a page is contested

    units = {t.table_kind: t.unit for t in doc.tables}
    disputed = disputed_cells(pdf, doc.facts, units, pages, doc.read_by_pdfplumber)
    doc.second_read |= pages
    doc.disputed.update(disputed)
    doc.problems.extend(disputed_problems(doc.facts, disputed))
