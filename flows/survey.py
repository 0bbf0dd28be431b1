"""`caijue survey FOLDER`: what caijue makes of every file in a folder, without a warehouse.

Each file is read exactly as `caijue ingest` reads it (extraction and assessment in a child process with
the same deadline, on all cores; the gate's GX Checkpoint over a few files at a time), and nothing is
loaded. Per file: the verdict and its reason, what the file is, the tables found and withheld, and the
identities held or failed with whose the failure is.
Over the folder: totals by region and by kind of file, and every printed word caijue could not place
(column headers, summary lines, rows, table titles) with how many files print it — the list a new
region's spec is written from.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extract.model import SUBJECT_FACT_KINDS, UNPLACED_CHECKS
from flows.extraction import ReadDocument, gate_reads, read_file
from flows.limits import DEFAULT_LIMITS, DocumentLimits
from flows.plan import discover
from flows.summary import DocumentOutcome

# The gate's Checkpoint judges this many files at once: one run's fixed cost (~0.3 s) shared, the files' frames
# never all in memory.
FILES_PER_CHECKPOINT = 16


@dataclass(slots=True)
class FileSurvey:
    """One file as caijue reads it."""

    file: str
    status: str
    reason: str | None
    file_kind: str
    department: str | None
    fiscal_year: int | None
    report_kind: str | None
    report_level: str | None
    region: str | None
    pages: int
    tables: list[str]
    withheld: dict[str, str]  # table_kind → why it is withheld
    subject_tables: int  # function or economic tables that load with facts
    facts: int
    identities: dict[str, int]  # held / publisher / extraction
    hierarchy: dict[str, int]  # the function tables' 类 = Σ款 and 款 = Σ项 checks: held / failed
    warnings: dict[str, int]  # check_name → count
    unplaced: list[tuple[str, str]] = field(default_factory=list)  # (check_name, printed words)

    @property
    def loads_with_tables(self) -> bool:
        return self.status == "loaded" and self.subject_tables >= 3


def survey_file(outcome: DocumentOutcome) -> FileSurvey:
    document = outcome.document
    issues = [*document.problems, *outcome.issues]
    withheld = dict(outcome.withheld)
    loaded_tables = {f.table_kind for f in document.facts if f.fact_kind in SUBJECT_FACT_KINDS} - set(withheld)
    identities = Counter(outcome.identity_tally)
    return FileSurvey(
        file=Path(outcome.path).name,
        status=outcome.status,
        reason=outcome.reason,
        file_kind=document.file_kind or "unknown",
        department=document.meta.department_name,
        fiscal_year=document.meta.fiscal_year,
        report_kind=document.meta.report_kind,
        report_level=document.meta.report_level,
        region=document.meta.region,
        pages=document.meta.page_count,
        tables=[t.table_kind for t in document.tables],
        withheld=withheld,
        subject_tables=len(loaded_tables) if outcome.status == "loaded" else 0,
        facts=len(document.facts),
        identities={k: identities.get(k, 0) for k in ("held", "publisher", "extraction")},
        hierarchy={k: identities.get(f"hierarchy.function:{k}", 0) for k in ("held", "failed")},
        warnings=dict(Counter(p.check_name for p in issues if p.severity == "warning")),
        unplaced=sorted({(p.check_name, p.printed) for p in issues if p.check_name in UNPLACED_CHECKS and p.printed}),
    )


def survey(
    paths: Iterable[Path],
    workers: int,
    limits: DocumentLimits = DEFAULT_LIMITS,
    progress: Callable[[FileSurvey, int, int], None] | None = None,
) -> list[FileSurvey]:
    """Every PDF under `paths`, read as ingest reads it, `workers` at a time (each in its own child process,
    within `limits`)."""
    files = discover(paths)
    found: list[FileSurvey] = []
    waiting: list[ReadDocument | DocumentOutcome] = []

    def judge() -> None:
        for outcome in gate_reads(
            waiting, run_name=f"caijue survey: files {len(found) + 1}-{len(found) + len(waiting)}"
        ):
            found.append(survey_file(outcome))
            if progress is not None:
                progress(found[-1], len(found), len(files))
        waiting.clear()

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for read in pool.map(lambda p: read_file(str(p), limits), files):
            waiting.append(read)
            if len(waiting) >= FILES_PER_CHECKPOINT:
                judge()
        judge()
    return found


# --- what the survey says -------------------------------------------------------------------------


def file_line(record: FileSurvey) -> str:
    what = " ".join(str(x) for x in (record.department, record.fiscal_year, record.report_kind, record.report_level)
                    if x)  # fmt: skip
    held = record.identities
    tables = f"{len(record.tables)} tables ({record.subject_tables} subject tables load)" if record.tables else ""
    withheld = f", withheld: {', '.join(record.withheld)}" if record.withheld else ""
    checks = (f", identities {held['held']} held / {held['publisher']} publisher's / {held['extraction']} ours"
              if any(held.values()) else "")  # fmt: skip
    reason = f" — {record.reason}" if record.reason else ""
    return f"{record.status:11} {record.file_kind:22} {record.file}: {what}; {tables}{withheld}{checks}{reason}"


IDENTITY_COLUMNS = {"held": "identities held", "publisher": "failed as printed", "extraction": "failed, ours"}
TOTAL_COLUMNS = (
    "files",
    "loaded",
    "quarantined",
    "failed",
    "loaded with ≥3 subject tables",
    "tables withheld",
    *IDENTITY_COLUMNS.values(),
    "类/款 sums held",
    "类/款 sums checked",
)


def totals(records: Sequence[FileSurvey], by: Callable[[FileSurvey], str]) -> list[tuple[str, Counter[str]]]:
    groups: dict[str, Counter[str]] = {}
    for record in records:
        group = groups.setdefault(by(record) or "—", Counter())
        group["files"] += 1
        group[record.status] += 1
        group["loaded with ≥3 subject tables"] += record.loads_with_tables
        group["tables withheld"] += len(record.withheld)
        group.update({IDENTITY_COLUMNS[whose]: n for whose, n in record.identities.items()})
        if record.status == "loaded":
            group["类/款 sums held"] += record.hierarchy["held"]
            group["类/款 sums checked"] += record.hierarchy["held"] + record.hierarchy["failed"]
    return sorted(groups.items(), key=lambda item: (-item[1]["files"], item[0]))


def unplaced_words(records: Sequence[FileSurvey]) -> list[tuple[str, str, int]]:
    """(check, printed words, files printing them), most widespread first."""
    counts = Counter(item for record in records for item in set(record.unplaced))
    return sorted(((check, words, n) for (check, words), n in counts.items()), key=lambda t: (-t[2], t[0], t[1]))


def hierarchy_rate(records: Sequence[FileSurvey]) -> tuple[int, int]:
    """(held, checked) 类 = Σ款 and 款 = Σ项 identities of the loaded documents' function tables."""
    loaded = [r for r in records if r.status == "loaded"]
    held = sum(r.hierarchy["held"] for r in loaded)
    return held, held + sum(r.hierarchy["failed"] for r in loaded)


def format_survey(records: Sequence[FileSurvey], unplaced_limit: int = 60) -> str:
    lines = [file_line(r) for r in records]
    columns = TOTAL_COLUMNS
    for title, key in (("kind of file", lambda r: r.file_kind), ("region", lambda r: (r.region or "")[:6])):
        lines += ["", f"| {title} | {' | '.join(columns)} |", "|---" * (len(columns) + 1) + "|"]
        lines += [f"| {name} | {' | '.join(str(c[k]) for k in columns)} |" for name, c in totals(records, key)]
    budgets = [r for r in records if r.file_kind in ("budget", "final account")]
    if budgets:
        good = sum(r.loads_with_tables for r in budgets)
        lines += ["", f"budgets and final accounts loaded with ≥3 function or economic tables: {good} of "
                      f"{len(budgets)} ({100 * good / len(budgets):.1f}%)"]  # fmt: skip
    held, checked = hierarchy_rate(records)
    if checked:
        lines.append(f"类 = Σ款 and 款 = Σ项 on the loaded function tables: {held} of {checked} hold "
                     f"({100 * held / checked:.2f}%)")  # fmt: skip
    whose = Counter()
    for record in records:
        whose.update(record.identities)
    lines.append(f"identities: {whose['held']} held, {whose['publisher']} failed as printed (the publisher's), "
                 f"{whose['extraction']} failed with evidence of a misreading")  # fmt: skip
    words = unplaced_words(records)
    if words:
        lines += ["", f"printed words caijue could not place ({len(words)}; files printing each):"]
        lines += [f"  {n:4}  {check:22} {text}" for check, text, n in words[:unplaced_limit]]
        if len(words) > unplaced_limit:
            lines.append(f"  … and {len(words) - unplaced_limit} more (--json has them all)")
    return "\n".join(lines)


def write_json(records: Sequence[FileSurvey], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(r) for r in records], ensure_ascii=False, indent=1), encoding="utf-8")


def read_json(path: Path) -> list[FileSurvey]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [FileSurvey(**{**row, "unplaced": [tuple(u) for u in row["unplaced"]]}) for row in rows]
