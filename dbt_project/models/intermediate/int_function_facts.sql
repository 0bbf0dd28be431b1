-- Function facts with their place in the subject hierarchy, derived from the code's length.
-- Incremental (macros/rebuilt_documents.sql): a build appends the rows of the documents int_current_facts rebuilt.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rows_rebuilt_upstream(ref('int_current_facts')) }}",
) }}

select
    document_id,
    department_id,
    fiscal_year,
    report_kind,
    report_level,
    table_kind,
    fund_scope,
    fact_key as subject_code,
    {{ function_subject_level('fact_key') }} as subject_level,
    {{ class_code('fact_key') }} as class_code,
    {{ function_section_code('fact_key') }} as section_code,
    {{ function_parent_code('fact_key') }} as parent_code,
    measure,
    amount_yuan,
    page,
    row_label,
    table_title,
    yuan_per_cent,
    dbt_invocation_id
from {{ ref('int_current_facts') }}
where fact_kind = 'function'
{{- rows_rebuilt_upstream() }}
