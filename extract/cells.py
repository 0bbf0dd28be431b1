"""What a printed cell is: a subject code, an amount, a column number — read from its text alone."""

from __future__ import annotations

import re

from extract.money import looks_like_amount
from extract.text import fold

CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
_DASHES = frozenset({"-", "—", "--", "——", "-—"})
NUMBERING_HEADERS = frozenset({"栏次", "行次", "序号"})
_CODE_PREFIX = re.compile(r"^\[?(\d{3}(?:\d{2}){0,2})\]?(?=\D)")  # "2010301行政运行", "[2010301]行政运行"
# "2010301-行政运行" with a wrapped name's last characters drawn before it ("护2130306-水利工程运行与维")
_HYPHENATED_CODE = re.compile(r"(?<!\d)(\d{3}(?:\d{2}){0,2})-")


def is_body_row(texts: list[str]) -> bool:
    """A row that carries a code or an amount (a 栏次 row of 1, 2, 3 … does not)."""
    evidence = False
    if sum(fold(text) in _DASHES for text in texts) >= 2:  # a row of zeros printed as dashes
        return True
    for text in texts:
        cell = fold(text)
        if not cell:
            continue
        if cell in NUMBERING_HEADERS:
            return False
        if CODE.match(cell) or _CODE_PREFIX.match(cell) or (looks_like_amount(cell) and not _small_integer(cell)):
            evidence = True
    return evidence


def code_prefix(text: str) -> tuple[str, str] | None:
    """'2010101行政运行' → ('2010101', '行政运行'), '2010801-行政运行' too: a code printed inside the name cell."""
    cell = fold(text)
    found = _CODE_PREFIX.match(cell)
    if found:
        return found.group(1), cell[found.end() :].lstrip("-–—:：")
    hyphenated = _HYPHENATED_CODE.search(cell)
    if hyphenated and not any(ch.isdigit() for ch in cell[: hyphenated.start()]):
        return hyphenated.group(1), cell[hyphenated.end() :] + cell[: hyphenated.start()]
    return None


def _small_integer(cell: str) -> bool:
    return cell.isdecimal() and int(cell) < 100
