"""PDF → canonical tables and facts. The ground floor: no I/O but reading the PDF bytes it is given."""

from extract.document import document_id_of, extract_document
from extract.model import ExtractedDocument, ExtractionError

# Bump when a change alters what the extractor yields for the same bytes: documents are re-extracted.
EXTRACTOR_VERSION = "0.1.0"

__all__ = ["EXTRACTOR_VERSION", "ExtractedDocument", "ExtractionError", "document_id_of", "extract_document"]
