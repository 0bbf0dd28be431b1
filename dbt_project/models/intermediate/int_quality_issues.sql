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

-- Whether an issue's code is a function or an economic subject: what the document's facts in that table say. A code
-- can be in both lists (302: 商品和服务支出 in the economic one, and a function code a document printed that the
-- list lacks), so a name looked up by the code alone would give such an issue two rows, one per list.
subject_kinds as (
    select
        facts.document_id,
        facts.table_kind,
        facts.fact_key as subject_code,
        bool_or(facts.fact_kind = 'function') as is_function,
        bool_or(facts.fact_kind = 'economic') as is_economic
    from {{ ref('stg_facts') }} as facts
    where facts.fact_kind in ('function', 'economic')
        and exists (
            select 1 from issues
            where issues.document_id = facts.document_id
                and issues.table_kind = facts.table_kind
                and issues.subject_code = facts.fact_key
        )
    group by facts.document_id, facts.table_kind, facts.fact_key
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
    case
        when subject_kinds.is_economic and not subject_kinds.is_function then economic_subjects.econ_name
        when subject_kinds.is_function then function_subjects.subject_name
        -- a code no fact of the table carries: the list that has it, the function list first
        else coalesce(function_subjects.subject_name, economic_subjects.econ_name)
    end as subject_name
from numbered
left join kinds on kinds.check_name = numbered.check_name
left join {{ ref('int_documents') }} as documents on documents.document_id = numbered.document_id
left join {{ ref('int_document_tables') }} as tables
    on tables.document_id = numbered.document_id
    and tables.table_kind = numbered.table_kind
left join subject_kinds
    on subject_kinds.document_id = numbered.document_id
    and subject_kinds.table_kind = numbered.table_kind
    and subject_kinds.subject_code = numbered.subject_code
left join {{ ref('int_function_subjects') }} as function_subjects on function_subjects.subject_code = numbered.subject_code
left join {{ ref('int_economic_subjects') }} as economic_subjects on economic_subjects.econ_code = numbered.subject_code
