"""Text normalisation shared by every matcher: what a printed label means, not how it was set."""

from __future__ import annotations

import re
from functools import lru_cache

_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９（）：，．－　％／",
    "0123456789():,.- %/",
)
_SPACE = re.compile(r"\s+")
_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|\d+[、.．](?!\d)|\(\s*[一二三四五六七八九十\d]+\s*\)[、]?|[①-⑳])"
)
_BARE_NUMERAL = re.compile(r"^[一二三四五六七八九十]+")
_OF_WHICH = re.compile(r"^其中[:：]?")  # "其中：基本支出" is a part of the line above, named the same way
_QUOTES = str.maketrans({"“": "", "”": "", '"': "", "‘": "", "’": "", "「": "", "」": ""})


# Every matcher folds and labels the same printed words again and again (a header on every page, a subject in
# every table): each is worked out once.
_REMEMBERED = 1 << 16


@lru_cache(maxsize=_REMEMBERED)
def fold(text: str | None) -> str:
    """Full-width digits and punctuation to ASCII, all whitespace removed."""
    if not text:
        return ""
    return _SPACE.sub("", text.translate(_FULL_WIDTH))


@lru_cache(maxsize=_REMEMBERED)
def label(text: str | None) -> str:
    """A row or header label as a key: folded, quotes dropped, leading ordinal ("一、", "1.", "(一)") removed —
    also where the ordinal's punctuation was drawn elsewhere ("一一般公共预算资金、", "二政府性基金预算资金()")."""
    folded = _OF_WHICH.sub("", fold(text).translate(_QUOTES)).replace("其它", "其他")
    displaced = folded.endswith("、") or "()" in folded
    folded = folded.replace("()", "")
    if displaced and not _ORDINAL.match(folded):
        return _without_bare_numeral(folded.rstrip("、"))
    return _ORDINAL.sub("", folded)


def _without_bare_numeral(text: str) -> str:
    """ "二政府性基金" → "政府性基金"; "一一般公共预算资金" → "一般公共预算资金" (一般 is a word, not an ordinal)."""
    numeral = _BARE_NUMERAL.match(text)
    if numeral is None:
        return text
    prefix, rest = numeral.group(0), text[numeral.end() :]
    if rest.startswith("般") and prefix.endswith("一"):
        prefix, rest = prefix[:-1], "一" + rest
    return rest if prefix else text


def has_ordinal(text: str | None) -> bool:
    """Whether a label is numbered ("五、", "1.", "(一)"): summary tables number their class lines."""
    return bool(_ORDINAL.match(_OF_WHICH.sub("", fold(text).translate(_QUOTES))))


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
