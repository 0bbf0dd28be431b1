"""What the test suite needs of the machine beyond Python packages, installed where a clean CI machine can
(root, Debian, apt reachable) and otherwise said."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

# A CJK font the machine has: the generated documents name STSong-Light without embedding it, and PDFium draws
# such a font from the machine's fonts. Without one, PDFium leaves their pages to pdfplumber (extract/pdfium_pages.py
# `_require_glyphs`): the same facts, several times slower: the suite takes ~14 min instead of ~6.
CJK_FONT_PACKAGE = "fonts-wqy-zenhei"
_PROBE = """
import ctypes, io, sys
import pypdfium2 as pdfium, pypdfium2.raw as raw
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
buffer = io.BytesIO()
canvas = Canvas(buffer)
canvas.setFont("STSong-Light", 12)
canvas.drawString(72, 72, "年")
canvas.save()
text = pdfium.PdfDocument(buffer.getvalue())[0].get_textpage()
font = raw.FPDFTextObj_GetFont(raw.FPDFText_GetTextObject(text.raw, 0))
sys.exit(0 if raw.FPDFFont_GetGlyphPath(font, ord("年"), ctypes.c_float(1.0)) else 1)
"""


def pdfium_has_a_cjk_font() -> bool:
    """Asked of PDFium in a process of its own: PDFium reads the machine's font list once, at its first need."""
    return subprocess.run([sys.executable, "-c", _PROBE], check=False, capture_output=True).returncode == 0


def apt_install(package: str) -> bool:
    """`apt-get install package` where the machine allows it (root, apt); whether it was installed."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    lock = ["-o", "DPkg::Lock::Timeout=600"]
    subprocess.run(["apt-get", *lock, "update", "-qq"], check=True, env=env, timeout=900)
    subprocess.run(["apt-get", *lock, "install", "-y", "-qq", package], check=True, env=env, timeout=1800)
    return True


def ensure_cjk_font() -> str | None:
    """A CJK font for PDFium, installed if need be; what to say when there is none."""
    if pdfium_has_a_cjk_font() or (apt_install(CJK_FONT_PACKAGE) and pdfium_has_a_cjk_font()):
        return None
    return (
        f"no CJK font on this machine (apt-get install {CJK_FONT_PACKAGE}): PDFium leaves the generated documents'"
        " pages to pdfplumber, and the suite runs several times slower"
    )
