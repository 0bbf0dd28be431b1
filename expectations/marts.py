"""What the public marts (CONTRACT.md) must look like after dbt build, as data for the gate."""

from __future__ import annotations

from dataclasses import dataclass, field

from expectations.vocabulary import Vocabulary

DOCUMENT_ID = r"^[0-9a-f]{64}$"
FUNCTION_CODE = r"^\d{3}(?:\d{2}){0,2}$"
ECONOMIC_CODE = r"^\d{3}(?:\d{2})?$"


@dataclass(frozen=True, slots=True)
class MartSpec:
    name: str
    columns: tuple[str, ...]  # the contract's columns (more are allowed)
    keys: tuple[str, ...] = ()  # never null
    amounts: tuple[str, ...] = ()  # never null
    vocab: dict[str, frozenset[str]] = field(default_factory=dict)
    regex: dict[str, str] = field(default_factory=dict)
    grain: tuple[str, ...] = ()  # one row per these
    # Its rows are made from their own document's facts alone (int_current_facts, row by row): a document's rows
    # change only when a build remakes that document (warehouse/dbt.py `rebuilt_documents`), so the checks of a
    # build need read only those documents' rows; every other row passed the same checks when it was made.
    per_document: bool = False


def mart_specs(v: Vocabulary) -> dict[str, MartSpec]:
    """The marts' specs in the words of `v` (the contract's vocabularies, extract/contract/*.csv)."""
    fact_words = {"report_kind": v.report_kinds, "table_kind": v.table_kinds, "fund_scope": v.fund_scopes}
    function_levels, economic_levels = frozenset(v.function_levels.values()), frozenset(v.economic_levels.values())
    specs = (
        MartSpec(
            "dim_document",
            ("document_id", "file_name", "department_name", "fiscal_year", "report_kind", "report_level",
             "region", "page_count", "status", "loaded_at"),
            keys=("document_id", "file_name", "status"),
            vocab={"report_kind": v.report_kinds, "report_level": v.report_levels, "status": v.statuses},
            regex={"document_id": DOCUMENT_ID},
            grain=("document_id",),
        ),
        MartSpec(
            "dim_department",
            ("department_id", "department_name", "region"),
            keys=("department_id", "department_name"),
            grain=("department_id",),
        ),
        MartSpec(
            "dim_function_subject",
            ("subject_code", "subject_level", "class_code", "section_code", "subject_name", "parent_code"),
            keys=("subject_code", "subject_level", "class_code"),
            vocab={"subject_level": function_levels},
            regex={"subject_code": FUNCTION_CODE},
        ),
        MartSpec(
            "dim_economic_subject",
            ("econ_code", "econ_level", "class_code", "econ_name"),
            keys=("econ_code", "econ_level", "class_code"),
            vocab={"econ_level": economic_levels},
            regex={"econ_code": ECONOMIC_CODE},
        ),
        MartSpec(
            "fct_function_amount",
            ("document_id", "department_id", "fiscal_year", "report_kind", "table_kind", "fund_scope",
             "subject_code", "subject_level", "measure", "amount_yuan"),
            keys=("document_id", "table_kind", "fund_scope", "subject_code", "subject_level", "measure"),
            amounts=("amount_yuan",),
            vocab={**fact_words, "subject_level": function_levels, "measure": v.measures},
            regex={"document_id": DOCUMENT_ID, "subject_code": FUNCTION_CODE},
            grain=("document_id", "table_kind", "fund_scope", "subject_code", "measure"),
            per_document=True,
        ),
        MartSpec(
            "fct_economic_amount",
            ("document_id", "department_id", "fiscal_year", "report_kind", "table_kind", "fund_scope",
             "econ_code", "econ_level", "measure", "amount_yuan"),
            keys=("document_id", "table_kind", "fund_scope", "econ_code", "econ_level", "measure"),
            amounts=("amount_yuan",),
            vocab={**fact_words, "econ_level": economic_levels, "measure": v.measures},
            regex={"document_id": DOCUMENT_ID, "econ_code": ECONOMIC_CODE},
            grain=("document_id", "table_kind", "fund_scope", "econ_code", "measure"),
            per_document=True,
        ),
        MartSpec(
            "fct_summary_line",
            ("document_id", "department_id", "fiscal_year", "report_kind", "table_kind", "fund_scope",
             "line_key", "amount_yuan"),
            keys=("document_id", "table_kind", "fund_scope", "line_key"),
            amounts=("amount_yuan",),
            vocab={**fact_words, "line_key": v.summary_line_keys},
            regex={"document_id": DOCUMENT_ID},
            grain=("document_id", "table_kind", "fund_scope", "line_key"),
            per_document=True,
        ),
        MartSpec(
            "fct_three_public",
            ("document_id", "department_id", "fiscal_year", "report_kind", "item", "measure", "amount_yuan"),
            keys=("document_id", "item", "measure"),
            amounts=("amount_yuan",),
            vocab={"report_kind": v.report_kinds, "item": v.three_public_items, "measure": v.three_public_measures},
            regex={"document_id": DOCUMENT_ID},
            grain=("document_id", "item", "measure"),
            per_document=True,
        ),
        MartSpec(
            "fct_quality_issue",
            ("document_id", "check_name", "severity", "table_kind", "page", "subject_code", "expected", "actual",
             "message"),
            keys=("document_id", "check_name", "severity"),
            vocab={"severity": v.severities},
            regex={"document_id": DOCUMENT_ID},
        ),
    )  # fmt: skip
    return {spec.name: spec for spec in specs}
