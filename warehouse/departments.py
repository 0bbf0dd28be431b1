"""The bureau's department override file, and the departments as the warehouse matched them.

dbt matches each document's printed department name to a department (dbt_project/models/intermediate/
int_department_*.sql, with the vocabulary in dbt_project/seeds/): the rules live there, in one place. What
a person decides lives in a CSV file outside the installed package, `departments.csv` beside the warehouse
(or the file `--departments` / CAIJUE_DEPARTMENTS names), one row per decision:

    printed_name,region,department_name
    金口河区卫生和计划生育局,,金口河区卫生和计划生育局      ← a split: the printed name is its own department
    区委办公室,乐山市金口河区,中共乐山市金口河区委办公室    ← a match: filed under that department

`region` (optional) limits a row to the documents of that region. A `note` column is allowed and ignored.
Every load replaces raw.department_overrides with the file's rows (an absent file: no overrides), so the
next dbt build follows it. A malformed file is refused whole with one line saying where and why.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse.raw import SCHEMA, ensure_schema, transaction

DEPARTMENTS_ENV = "CAIJUE_DEPARTMENTS"
DEFAULT_FILE_NAME = "departments.csv"
COLUMNS = ("printed_name", "region", "department_name")
OPTIONAL_COLUMNS = ("note",)
TABLE = f"{SCHEMA}.department_overrides"


class OverrideFileError(ValueError):
    """The override file cannot be used; the message is one line naming the file, the line and the fault."""


@dataclass(frozen=True, slots=True)
class Override:
    printed_name: str
    region: str | None
    department_name: str
    line_number: int


@dataclass(frozen=True, slots=True)
class OverrideFile:
    path: Path
    explicit: bool  # named by the flag or the environment: it must exist


def override_file(warehouse: Path, given: str | Path | None = None) -> OverrideFile:
    """The flag's file, else $CAIJUE_DEPARTMENTS, else departments.csv beside the warehouse."""
    chosen = given or os.environ.get(DEPARTMENTS_ENV)
    if chosen:
        return OverrideFile(Path(chosen).expanduser().resolve(), explicit=True)
    return OverrideFile(warehouse.parent / DEFAULT_FILE_NAME, explicit=False)


def read_overrides(source: OverrideFile) -> list[Override]:
    """The file's rows, checked; none when the default file does not exist. Raises OverrideFileError."""
    if not source.path.exists():
        if source.explicit:
            raise OverrideFileError(f"{source.path}: no such department override file")
        return []
    try:
        text = source.path.read_bytes().decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as error:
        raise OverrideFileError(f"{source.path}: not UTF-8 text (byte {error.start}); save it as CSV UTF-8") from None
    except OSError as error:
        raise OverrideFileError(f"{source.path}: cannot be read: {error.strerror}") from None
    return parse_overrides(text, str(source.path))


def parse_overrides(text: str, name: str) -> list[Override]:
    rows = csv.reader(io.StringIO(text))
    try:
        header = [cell.strip() for cell in next(rows)]
    except StopIteration:
        return []
    except csv.Error as error:
        raise OverrideFileError(f"{name} line 1: {error}") from None
    _check_header(header, name)
    overrides: list[Override] = []
    seen: dict[tuple[str, str], Override] = {}
    try:
        for cells in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in cells):
                continue
            override = _row(cells, header, line, name)
            key = (override.printed_name, override.region or "")
            earlier = seen.get(key)
            if earlier and earlier.department_name != override.department_name:
                raise OverrideFileError(
                    f"{name} line {line}: {override.printed_name}"
                    f"{' in ' + override.region if override.region else ''} is filed under "
                    f"{earlier.department_name} on line {earlier.line_number} already"
                )
            seen[key] = override
            overrides.append(override)
    except csv.Error as error:
        raise OverrideFileError(f"{name} line {rows.line_num}: {error}") from None
    return overrides


def _check_header(header: list[str], name: str) -> None:
    missing = [column for column in COLUMNS if column not in header]
    unknown = [column for column in header if column not in COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise OverrideFileError(
            f"{name} line 1: the header must name {','.join(COLUMNS)} (and optionally note), "
            f"not {','.join(header) or 'nothing'}"
        )


def _row(cells: list[str], header: list[str], line: int, name: str) -> Override:
    if len(cells) != len(header):
        raise OverrideFileError(
            f"{name} line {line}: {len(cells)} fields where the header has {len(header)} "
            f"({','.join(header)}; quote a name that holds a comma)"
        )
    values = {column: cell.strip() for column, cell in zip(header, cells, strict=True)}
    for column in ("printed_name", "department_name"):
        if not values[column]:
            raise OverrideFileError(f"{name} line {line}: {column} is empty")
    return Override(values["printed_name"], values["region"] or None, values["department_name"], line)


def load_overrides(con: duckdb.DuckDBPyConnection, overrides: Sequence[Override], source: Path) -> bool:
    """Replace raw.department_overrides with these rows in one transaction; False when they are loaded already."""
    ensure_schema(con)
    if loaded_overrides(con) == list(overrides):
        return False
    now = datetime.now(UTC).replace(tzinfo=None)
    with transaction(con):
        con.execute(f"delete from {TABLE}")
        con.executemany(
            f"insert into {TABLE} (printed_name, region, department_name, line_number, source_file, loaded_at)"
            " values (?, ?, ?, ?, ?, ?)",
            [[o.printed_name, o.region, o.department_name, o.line_number, source.name, now] for o in overrides],
        )
    return True


def write_overrides(database: Path, overrides: Sequence[Override], source: Path | None) -> bool:
    """load_overrides into the database file (a run's working copy); False when they were there already."""
    with duckdb.connect(str(database)) as con:
        return load_overrides(con, overrides, source or Path(DEFAULT_FILE_NAME))


def loaded_overrides(con: duckdb.DuckDBPyConnection) -> list[Override] | None:
    """The overrides raw holds (None when the table does not exist yet: an older or empty warehouse)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = 'department_overrides'",
        [SCHEMA],
    ).fetchone()
    if not (exists and exists[0]):
        return None
    rows = con.execute(
        f"select printed_name, region, department_name, line_number from {TABLE} order by line_number"
    ).fetchall()
    return [Override(*row) for row in rows]


# ------------------------------------------------------------------------------------------ the listing


def describe_departments(con: duckdb.DuckDBPyConnection) -> str:
    """Every department with its printed names and how each was matched, then the candidates it did not merge."""
    names = con.execute(
        """select d.department_id, d.department_name, coalesce(d.region, '(no region)'), d.level,
                  d.first_year, d.last_year, d.document_count, p.department_name,
                  n.printed_name, n.report_level, n.first_year, n.last_year, n.match_rule, n.matched_name,
                  n.match_evidence
           from marts.dim_department d
           join marts.dim_department_name n using (department_id)
           left join marts.dim_department p on p.department_id = d.parent_department_id
           order by d.region nulls last, d.department_name, n.first_year, n.printed_name, n.report_level"""
    ).fetchall()
    lines: list[str] = []
    current = None
    departments = 0
    for row in names:
        (department_id, name, region, level, first, last, count, parent, printed, report_level, name_first,
         name_last, rule, matched, evidence) = row  # fmt: skip
        if department_id != current:
            current, departments = department_id, departments + 1
            unit = f"unit of {parent}; " if parent else ("unit, department unknown; " if level == "unit" else "")
            lines.append(f"{name}  [{region}; {unit}{_years(first, last)}; {_documents(count)}; {department_id[:10]}]")
        lines.append(
            f"    {printed}  {_years(name_first, name_last)} {report_level or '?'}  {rule}"
            + ("" if rule == "exact" else f" → {matched}")
            + f": {evidence}"
        )
    candidates = _candidates(con)
    lines.insert(0, f"{departments} departments, {len(names)} printed names")
    lines.append("")
    if candidates:
        lines.append(f"Not merged, to check ({len(candidates)}; departments.csv decides):")
        lines += [
            f"  {score:.3f}  {one} | {other}  [{region or '(no region)'}] {kind}: {reason}"
            for one, other, region, score, kind, reason in candidates
        ]
    else:
        lines.append("No candidates: no two unmerged departments of one region have similar names.")
    return "\n".join(lines)


def _candidates(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    schema = con.execute(
        "select table_schema from information_schema.tables where table_name = 'int_department_candidates'"
    ).fetchone()
    if schema is None:
        return []
    return con.execute(
        f"""select department_name, other_department_name, region, score, candidate_kind, reason
            from "{schema[0]}".int_department_candidates
            order by region nulls last, score desc, department_name, other_department_name"""
    ).fetchall()


def _documents(count: int) -> str:
    return "1 document" if count == 1 else f"{count} documents"


def _years(first: int | None, last: int | None) -> str:
    if first is None:
        return "year unknown"
    return str(first) if first == last else f"{first}–{last}"
