-- Every quality issue: each document's own (raw, from extraction and the gate; a printed name the code
-- list contradicts, int_subject_name_conflicts), those only two documents together show
-- (int_cross_document_issues) and the mart checks' findings (stg_mart_check_results), with what a reader needs beside them: the
-- document's department, year and kind, the table's title and first page, the subject's name, and
-- whether the figures are money (a year or a percentage is shown as text, never as 元).
with issues as (
    select document_id, check_name, severity, table_kind, page, subject_code, expected, actual, message,
        attributed_to, evidence, printed, 'document' as found_by
    from {{ ref('stg_quality_issues') }}
    union all
    select document_id, check_name, severity, table_kind, page, subject_code, expected, actual, message,
        attributed_to, evidence, printed, 'cross-document' as found_by
    from {{ ref('int_cross_document_issues') }}
    union all
    select document_id, check_name, severity, table_kind, page, subject_code, expected, actual, message,
        attributed_to, evidence, printed, 'document' as found_by
    from {{ ref('int_subject_name_conflicts') }}
    union all
    -- A mart check's finding about one document's rows; one about a whole mart (a missing column) has no
    -- document and stays in raw.mart_check_results.
    select document_id, check_name, severity, table_kind, null, null, null, null, message,
        null, null, null, 'mart check' as found_by
    from {{ ref('stg_mart_check_results') }}
    where document_id in (select document_id from {{ ref('int_documents') }})
),

kinds as (
    select check_name, value_kind from {{ ref('check_value_kinds') }}
),

subjects as (
    select subject_code, subject_name from {{ ref('int_function_subjects') }}
    union all
    select econ_code, econ_name from {{ ref('int_economic_subjects') }}
),

numbered as (
    select
        issues.*,
        row_number() over (
            partition by issues.document_id, issues.check_name, issues.table_kind, issues.page,
                issues.subject_code, issues.message
            order by issues.expected, issues.actual, issues.printed
        ) as occurrence
    from issues
)

select
    md5(concat_ws(
        '|', numbered.document_id, numbered.check_name, numbered.table_kind, numbered.page,
        numbered.subject_code, numbered.message, numbered.occurrence
    )) as issue_id,
    numbered.document_id,
    numbered.check_name,
    numbered.severity,
    numbered.table_kind,
    numbered.page,
    numbered.subject_code,
    case when kinds.value_kind is null then numbered.expected end as expected,
    case when kinds.value_kind is null then numbered.actual end as actual,
    numbered.message,
    numbered.attributed_to,
    numbered.evidence,
    numbered.printed,
    coalesce(kinds.value_kind, case when numbered.expected is not null or numbered.actual is not null then 'money' end)
        as value_kind,
    {{ issue_value('numbered.expected', 'kinds.value_kind') }} as expected_value,
    {{ issue_value('numbered.actual', 'kinds.value_kind') }} as actual_value,
    numbered.found_by,
    documents.department_id,
    documents.department_name,
    documents.fiscal_year,
    documents.report_kind,
    documents.report_level,
    tables.table_title,
    tables.first_page as table_page,
    subjects.subject_name
from numbered
left join kinds on kinds.check_name = numbered.check_name
left join {{ ref('int_documents') }} as documents on documents.document_id = numbered.document_id
left join {{ ref('int_document_tables') }} as tables
    on tables.document_id = numbered.document_id
    and tables.table_kind = numbered.table_kind
left join subjects on subjects.subject_code = numbered.subject_code
