-- Incremental (macros/rebuilt_documents.sql): a build appends the rows of the documents int_summary_lines rebuilt.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rows_rebuilt_upstream(ref('int_summary_lines')) }}",
) }}

select
    {{ fact_place_columns() }},
    cast(line_key as varchar) as line_key,
    cast(amount_yuan as decimal(20, 2)) as amount_yuan,
    cast(page as integer) as page,
    cast(table_title as varchar) as table_title,
    cast(row_label as varchar) as row_label,
    cast(report_level as varchar) as report_level
from {{ ref('int_summary_lines') }}
where true
{{- rows_rebuilt_upstream() }}
