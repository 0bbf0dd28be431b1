"""caijue's embedded sample corpus: deterministic departments rendered as budget (部门预算) and
final-account (部门决算) PDFs in the published layouts, each with its truth in `<stem>/expected/`.

    from samples import generate_bureau_corpus, generate_corpus
    pdfs = generate_bureau_corpus(Path("out"))  # a district bureau's three years (the demo's)
    pdfs = generate_corpus(Path("out"), departments=12)  # departments spread over the provinces' layouts

Layouts are data (extract/specs/layouts.yaml); the PDF is the only channel to the extractor.
"""

from samples.bureau import generate_bureau_corpus, plan_bureau
from samples.corpus import generate_corpus, plan_corpus
from samples.layouts import load_layouts
from samples.seed import build_seed_document

__all__ = [
    "build_seed_document",
    "generate_bureau_corpus",
    "generate_corpus",
    "load_layouts",
    "plan_bureau",
    "plan_corpus",
]
