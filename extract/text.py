"""Text normalisation shared by every matcher: what a printed label means, not how it was set."""

from __future__ import annotations

import re

_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９（）：，．－　％／",
    "0123456789():,.- %/",
)
_SPACE = re.compile(r"\s+")
_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|\d+[、.．](?!\d)|\(\s*[一二三四五六七八九十\d]+\s*\)[、]?|[①-⑳])"
)
_OF_WHICH = re.compile(r"^其中[:：]?")  # "其中：基本支出" is a part of the line above, named the same way
_QUOTES = str.maketrans({"“": "", "”": "", '"': "", "‘": "", "’": "", "「": "", "」": ""})


def fold(text: str | None) -> str:
    """Full-width digits and punctuation to ASCII, all whitespace removed."""
    if not text:
        return ""
    return _SPACE.sub("", text.translate(_FULL_WIDTH))


def label(text: str | None) -> str:
    """A row or header label as a key: folded, quotes dropped, leading ordinal ("一、", "1.", "(一)") removed."""
    folded = _OF_WHICH.sub("", fold(text).translate(_QUOTES)).replace("其它", "其他")
    return _ORDINAL.sub("", folded)


def has_ordinal(text: str | None) -> bool:
    """Whether a label is numbered ("五、", "1.", "(一)"): summary tables number their class lines."""
    return bool(_ORDINAL.match(_OF_WHICH.sub("", fold(text).translate(_QUOTES))))


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
