-- Economic facts with their level (类 3 digits, 款 5) and class.
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
    fact_key as econ_code,
    {{ economic_subject_level('fact_key') }} as econ_level,
    {{ class_code('fact_key') }} as class_code,
    measure,
    amount_yuan,
    page,
    row_label,
    table_title,
    yuan_per_cent,
    dbt_invocation_id
from {{ ref('int_current_facts') }}
where fact_kind = 'economic'
{{- rows_rebuilt_upstream() }}
