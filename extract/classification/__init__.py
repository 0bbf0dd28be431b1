"""The classification code lists: 支出功能分类科目 (functional subjects) and 部门预算支出经济分类科目 (economic).

Data lives in the CSVs beside this module (package data):

- ``function_subjects.csv``: subject_code, subject_name, valid_from, valid_to. 类 = 3 digits, 款 = 5, 项 = 7.
- ``economic_subjects.csv``: econ_code, econ_name, valid_from, valid_to. 类 = 3 digits, 款 = 5.

One row per name a code has carried, with the fiscal years it is valid: the Ministry renames subjects
(210 was 医疗卫生与计划生育支出 up to 2018, 卫生健康支出 from 2019; the 2018 reform of the economic
classification moved 住房公积金 from 30311 to 30113). ``valid_from`` is the year the name took effect
(for a current name, 2018 when not known to be later; the economic list's current names date from the
2018 reform); it is empty for a former name whose start is before the list's records. ``valid_to`` is the
last year of a former name (the year before its successor's ``valid_from``), empty for the current name.
A code's spans do not overlap. Lookups by code give the current name (the latest row); lookups by name
know every name a code has carried.

The hierarchy is read from the code itself (a code's parent is its prefix), so ``function_level`` and
``parent`` also work for codes not in the lists (the list is revised yearly; a document may be newer).
Old or variant 类 names come from ``extract/specs/vocabulary.yaml`` (``function_class_aliases``).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Literal

import yaml

FunctionLevel = Literal["类", "款", "项"]
EconomicLevel = Literal["类", "款"]

_FUNCTION_LEVELS: dict[int, FunctionLevel] = {3: "类", 5: "款", 7: "项"}
_ECONOMIC_LEVELS: dict[int, EconomicLevel] = {3: "类", 5: "款"}

_FULL_WIDTH = str.maketrans("（）［］【】", "()[][]")
_SPACE = re.compile(r"\s+")
_CLASS_SUFFIX = re.compile(r"\(类\)$")


@dataclass(frozen=True)
class SubjectName:
    """One name a code has carried, with its fiscal years (valid_from None: before the list's records)."""

    name: str
    valid_from: int | None
    valid_to: int | None

    def covers(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (self.valid_to is None or year <= self.valid_to)


@dataclass(frozen=True)
class SubjectCode:
    """One functional subject (支出功能分类科目), named by its current (latest) name."""

    code: str
    name: str
    level: FunctionLevel
    class_code: str
    section_code: str | None  # the 款 (5 digits); None for a 类
    parent_code: str | None  # None for a 类
    valid_from: int | None  # None: a code that ended before the list's records say when it began
    valid_to: int | None
    names: tuple[SubjectName, ...]  # every name the code has carried, oldest first

    def name_in(self, year: int) -> str | None:
        return _name_in(self.names, year)


@dataclass(frozen=True)
class EconomicCode:
    """One economic subject (部门预算支出经济分类科目), named by its current (latest) name."""

    code: str
    name: str
    level: EconomicLevel
    class_code: str
    valid_from: int | None  # None: a code that ended before the list's records say when it began
    valid_to: int | None
    names: tuple[SubjectName, ...]  # every name the code has carried, oldest first

    def name_in(self, year: int) -> str | None:
        return _name_in(self.names, year)


def _start(latest: SubjectName) -> int | None:
    """A code's first year: its latest name's; a current name of unknown start is taken from 2018."""
    if latest.valid_from is None and latest.valid_to is None:
        return 2018
    return latest.valid_from


def _name_in(names: tuple[SubjectName, ...], year: int) -> str | None:
    """The name valid in `year`; before the first recorded span, the earliest name; None once the code ended."""
    for name in names:
        if name.covers(year):
            return name.name
    first = names[0]
    return first.name if first.valid_from is not None and year < first.valid_from else None


def normalise_name(name: str) -> str:
    """A subject name as a key: whitespace removed, full-width brackets folded, a trailing "(类)" dropped."""
    folded = _SPACE.sub("", name).translate(_FULL_WIDTH)
    return _CLASS_SUFFIX.sub("", folded)


def _digits(code: str) -> str:
    return code.strip()


class Classification:
    """Both code lists, with lookups that lean on the shape of a code."""

    def __init__(
        self,
        function: dict[str, SubjectCode],
        economic: dict[str, EconomicCode],
        class_aliases: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.function = function
        self.economic = economic
        names: dict[str, str] = {}
        classes = [subject for subject in function.values() if subject.level == "类"]
        for subject in classes:  # a code still in use names first: an ended code's last name may be another's now
            if subject.valid_to is None:
                names[normalise_name(subject.name)] = subject.code
        for subject in classes:
            for former in subject.names:
                names.setdefault(normalise_name(former.name), subject.code)
        for code, aliases in (class_aliases or {}).items():
            for alias in aliases:
                names.setdefault(normalise_name(alias), code)
        self._class_by_name = names
        children: dict[tuple[str, str], str] = {}
        placed = [subject for subject in function.values() if subject.parent_code is not None]
        for subject in placed:
            if subject.valid_to is None:
                children.setdefault((subject.parent_code, normalise_name(subject.name)), subject.code)
        for subject in placed:  # a former name (an ended code's too) never shadows a sibling's current one
            for former in subject.names:
                children.setdefault((subject.parent_code, normalise_name(former.name)), subject.code)
        self._child_by_name = children

    # --- functional subjects -------------------------------------------------------------------

    @staticmethod
    def function_level(code: str) -> FunctionLevel | None:
        """类 / 款 / 项 from the code's length (3 / 5 / 7 digits); None for anything else."""
        code = _digits(code)
        if not code.isdigit():
            return None
        return _FUNCTION_LEVELS.get(len(code))

    @staticmethod
    def parent(code: str) -> str | None:
        """The 款 of a 项 (first 5 digits), the 类 of a 款 (first 3); None for a 类 or a malformed code."""
        code = _digits(code)
        if not code.isdigit():
            return None
        if len(code) == 7:
            return code[:5]
        if len(code) == 5:
            return code[:3]
        return None

    @staticmethod
    def function_class(code: str) -> str | None:
        """The 类 (first 3 digits) of a well-formed functional code."""
        code = _digits(code)
        return code[:3] if code.isdigit() and len(code) in _FUNCTION_LEVELS else None

    def is_known_function(self, code: str) -> bool:
        return _digits(code) in self.function

    def function_name(self, code: str) -> str | None:
        subject = self.function.get(_digits(code))
        return subject.name if subject else None

    def function_name_in(self, code: str, year: int) -> str | None:
        """The code's name valid in fiscal `year` (a renamed code's former name before the rename)."""
        subject = self.function.get(_digits(code))
        return subject.name_in(year) if subject else None

    def class_code_for_name(self, name: str) -> str | None:
        """The 类 code a printed class name means (current name, a former name or a known alias), else None.

        Whitespace and full-width brackets are ignored and a trailing "(类)" is stripped. A name printed
        without its "支出" ("农林水", "教育") is tried with it, since narratives drop it.
        """
        key = normalise_name(name)
        if not key:
            return None
        code = self._class_by_name.get(key)
        if code is None and not key.endswith("支出") and key != "其他":
            code = self._class_by_name.get(key + "支出")
        return code

    def child_code_for_name(self, parent_code: str, name: str) -> str | None:
        """The 款 of a 类 (or 项 of a 款) printed by name only: names repeat across parents (行政运行),
        so a name means something only under its parent."""
        return self._child_by_name.get((parent_code, normalise_name(name)))

    # --- economic subjects ---------------------------------------------------------------------

    @staticmethod
    def economic_level(code: str) -> EconomicLevel | None:
        """类 / 款 from the code's length (3 / 5 digits); None for anything else."""
        code = _digits(code)
        if not code.isdigit():
            return None
        return _ECONOMIC_LEVELS.get(len(code))

    @staticmethod
    def economic_parent(code: str) -> str | None:
        """The 类 (first 3 digits) of an economic 款; None for a 类 or a malformed code."""
        code = _digits(code)
        return code[:3] if code.isdigit() and len(code) == 5 else None

    def is_known_economic(self, code: str) -> bool:
        return _digits(code) in self.economic

    def economic_name(self, code: str) -> str | None:
        subject = self.economic.get(_digits(code))
        return subject.name if subject else None

    def economic_name_in(self, code: str, year: int) -> str | None:
        """The economic code's name valid in fiscal `year`."""
        subject = self.economic.get(_digits(code))
        return subject.name_in(year) if subject else None

    def economic_code_for_name(self, name: str, class_code: str | None) -> str | None:
        """An economic 类 by its name, or a 款 of `class_code` by its name (printed without codes): current
        names first, then former ones (其他资本性支出 is 31099's name now and was 310's before 2018)."""
        key = normalise_name(name)
        for current in (True, False):
            for subject in self.economic.values():
                if current and subject.valid_to is not None:  # ended: its last name may be a sibling's now
                    continue
                names = (subject.name,) if current else tuple(n.name for n in subject.names)
                if key in map(normalise_name, names) and (subject.level == "类" or subject.class_code == class_code):
                    return subject.code
        return None


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _year(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value else None


def _names_by_code(file: str, code_column: str, name_column: str) -> dict[str, tuple[SubjectName, ...]]:
    """Each code's names with their years, oldest first; a code's spans must not overlap."""
    rows: dict[str, list[SubjectName]] = {}
    for row in _read_csv(file):
        code = row[code_column].strip()
        name = SubjectName(row[name_column].strip(), _year(row.get("valid_from")), _year(row.get("valid_to")))
        rows.setdefault(code, []).append(name)
    named: dict[str, tuple[SubjectName, ...]] = {}
    for code, names in rows.items():
        names.sort(key=lambda n: (n.valid_from or 0, n.valid_to or 9999))
        for earlier, later in pairwise(names):
            if earlier.valid_to is None or later.valid_from is None or earlier.valid_to >= later.valid_from:
                raise ValueError(f"{file}: code {code} has names with overlapping years: {earlier} and {later}")
        named[code] = tuple(names)
    return named


def _function_subjects() -> dict[str, SubjectCode]:
    subjects: dict[str, SubjectCode] = {}
    for code, names in _names_by_code("function_subjects.csv", "subject_code", "subject_name").items():
        level = Classification.function_level(code)
        if level is None:
            raise ValueError(f"function_subjects.csv: malformed code {code!r}")
        latest = names[-1]
        subjects[code] = SubjectCode(
            code=code,
            name=latest.name,
            level=level,
            class_code=code[:3],
            section_code=code[:5] if len(code) >= 5 else None,
            parent_code=Classification.parent(code),
            valid_from=_start(latest),
            valid_to=latest.valid_to,
            names=names,
        )
    return subjects


def _economic_subjects() -> dict[str, EconomicCode]:
    subjects: dict[str, EconomicCode] = {}
    for code, names in _names_by_code("economic_subjects.csv", "econ_code", "econ_name").items():
        level = Classification.economic_level(code)
        if level is None:
            raise ValueError(f"economic_subjects.csv: malformed code {code!r}")
        latest = names[-1]
        subjects[code] = EconomicCode(
            code=code,
            name=latest.name,
            level=level,
            class_code=code[:3],
            valid_from=_start(latest),
            valid_to=latest.valid_to,
            names=names,
        )
    return subjects


def _class_aliases() -> dict[str, tuple[str, ...]]:
    path = resources.files("extract").joinpath("specs").joinpath("vocabulary.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    aliases = raw.get("function_class_aliases") or {}
    return {str(code): tuple(str(name) for name in names or ()) for code, names in aliases.items()}


@cache
def load_classification() -> Classification:
    """Both code lists and the class-name aliases, read once per process."""
    return Classification(_function_subjects(), _economic_subjects(), _class_aliases())


__all__ = [
    "Classification",
    "EconomicCode",
    "EconomicLevel",
    "FunctionLevel",
    "SubjectCode",
    "SubjectName",
    "load_classification",
    "normalise_name",
]
