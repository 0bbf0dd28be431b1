-- 三公 amounts: item × budget/actual.
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
    fact_key as item,
    measure,
    amount_yuan,
    page,
    row_label,
    table_title,
    yuan_per_cent,
    dbt_invocation_id
from {{ ref('int_current_facts') }}
where fact_kind = 'three_public'
{{- rows_rebuilt_upstream() }}
