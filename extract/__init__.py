"""PDF → canonical tables and facts. The ground floor: no I/O but reading the PDF bytes it is given."""

from extract.document import document_id_of, extract_document
from extract.model import ExtractedDocument, ExtractionError
from extract.version import extractor_version

# A document read under another version is re-extracted: the release (bump it for a change of meaning
# worth naming) + a fingerprint of this package's code and specs (any change at all).
EXTRACTOR_VERSION = extractor_version()

__all__ = ["EXTRACTOR_VERSION", "ExtractedDocument", "ExtractionError", "document_id_of", "extract_document"]
