"""How many pages a PDF has, before any page is read: a document over the page limit is failed at once
(flows/extraction.py)."""

from __future__ import annotations

import pypdfium2 as pdfium


def page_count(data: bytes) -> int | None:
    """The pages in the PDF's page tree (PDFium reads the tree alone, no page's content); None when PDFium
    cannot open the file (not a PDF, encrypted, damaged beyond repair: extract_document says why)."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return None
    try:
        return len(document)
    finally:
        document.close()
