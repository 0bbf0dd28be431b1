-- Incremental (macros/rebuilt_documents.sql): a build appends the rows of the documents int_three_public rebuilt.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rows_rebuilt_upstream(ref('int_three_public')) }}",
) }}

select
    cast(document_id as varchar) as document_id,
    cast(department_id as varchar) as department_id,
    cast(fiscal_year as integer) as fiscal_year,
    cast(report_kind as varchar) as report_kind,
    cast(item as varchar) as item,
    cast(measure as varchar) as measure,
    cast(amount_yuan as decimal(20, 2)) as amount_yuan,
    cast(table_kind as varchar) as table_kind,
    cast(page as integer) as page,
    cast(table_title as varchar) as table_title,
    cast(report_level as varchar) as report_level
from {{ ref('int_three_public') }}
where true
{{- rows_rebuilt_upstream() }}
