-- Incremental (macros/rebuilt_documents.sql): a build appends the rows of the documents int_economic_facts rebuilt.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rows_rebuilt_upstream(ref('int_economic_facts')) }}",
) }}

select
    {{ fact_place_columns() }},
    cast(econ_code as varchar) as econ_code,
    cast(econ_level as varchar) as econ_level,
    cast(measure as varchar) as measure,
    cast(amount_yuan as decimal(20, 2)) as amount_yuan,
    cast(class_code as varchar) as class_code,
    cast(page as integer) as page,
    cast(table_title as varchar) as table_title,
    cast(row_label as varchar) as row_label,
    cast(report_level as varchar) as report_level
from {{ ref('int_economic_facts') }}
where true
{{- rows_rebuilt_upstream() }}
