"""caijue's embedded sample corpus: deterministic departments rendered as budget (部门预算) and
final-account (部门决算) PDFs in the published layouts, each with its truth in `<stem>/expected/`.

    from samples import generate_corpus
    pdfs = generate_corpus(Path("out"), departments=12)

Layouts are data (extract/specs/layouts.yaml); the PDF is the only channel to the extractor.
"""

from samples.corpus import generate_corpus, plan_corpus
from samples.layouts import load_layouts
from samples.seed import build_seed_document

__all__ = ["build_seed_document", "generate_corpus", "load_layouts", "plan_corpus"]
