"""The classification code lists: 支出功能分类科目 (functional subjects) and 部门预算支出经济分类科目 (economic).

Data lives in the CSVs beside this module (package data):

- ``function_subjects.csv``: subject_code, subject_name, valid_from, valid_to. 类 = 3 digits, 款 = 5, 项 = 7.
  One row per code with its current name; ``valid_from`` is the year the code (or its current name) took
  effect, 2018 when not known to be later; ``valid_to`` is empty for current codes.
- ``economic_subjects.csv``: econ_code, econ_name. 类 = 3 digits, 款 = 5.

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
class SubjectCode:
    """One functional subject (支出功能分类科目)."""

    code: str
    name: str
    level: FunctionLevel
    class_code: str
    section_code: str | None  # the 款 (5 digits); None for a 类
    parent_code: str | None  # None for a 类
    valid_from: int
    valid_to: int | None


@dataclass(frozen=True)
class EconomicCode:
    """One economic subject (部门预算支出经济分类科目)."""

    code: str
    name: str
    level: EconomicLevel
    class_code: str


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
        for subject in function.values():
            if subject.level == "类":
                names[normalise_name(subject.name)] = subject.code
        for code, aliases in (class_aliases or {}).items():
            for alias in aliases:
                names.setdefault(normalise_name(alias), code)
        self._class_by_name = names
        children: dict[tuple[str, str], str] = {}
        for subject in function.values():
            if subject.parent_code is not None:
                children.setdefault((subject.parent_code, normalise_name(subject.name)), subject.code)
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

    def class_code_for_name(self, name: str) -> str | None:
        """The 类 code a printed class name means (current name or a known alias), else None.

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

    def economic_code_for_name(self, name: str, class_code: str | None) -> str | None:
        """An economic 类 by its name, or a 款 of `class_code` by its name (printed without codes)."""
        key = normalise_name(name)
        for subject in self.economic.values():
            if normalise_name(subject.name) == key and (subject.level == "类" or subject.class_code == class_code):
                return subject.code
        return None


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _year(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value else None


def _function_subjects() -> dict[str, SubjectCode]:
    subjects: dict[str, SubjectCode] = {}
    for row in _read_csv("function_subjects.csv"):
        code = row["subject_code"].strip()
        level = Classification.function_level(code)
        if level is None:
            raise ValueError(f"function_subjects.csv: malformed code {code!r}")
        if code in subjects:
            raise ValueError(f"function_subjects.csv: duplicate code {code}")
        subjects[code] = SubjectCode(
            code=code,
            name=row["subject_name"].strip(),
            level=level,
            class_code=code[:3],
            section_code=code[:5] if len(code) >= 5 else None,
            parent_code=Classification.parent(code),
            valid_from=_year(row.get("valid_from")) or 2018,
            valid_to=_year(row.get("valid_to")),
        )
    return subjects


def _economic_subjects() -> dict[str, EconomicCode]:
    subjects: dict[str, EconomicCode] = {}
    for row in _read_csv("economic_subjects.csv"):
        code = row["econ_code"].strip()
        level = Classification.economic_level(code)
        if level is None:
            raise ValueError(f"economic_subjects.csv: malformed code {code!r}")
        if code in subjects:
            raise ValueError(f"economic_subjects.csv: duplicate code {code}")
        subjects[code] = EconomicCode(code=code, name=row["econ_name"].strip(), level=level, class_code=code[:3])
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
    "load_classification",
    "normalise_name",
]
