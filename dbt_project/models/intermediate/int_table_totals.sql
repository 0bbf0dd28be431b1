-- The printed 合计 rows (table_total, personnel_total, public_use_total) of current loaded documents, withheld
-- tables excluded: not contract facts, kept to check the tables' arithmetic (tests/marts_carry_the_gated_facts.sql
-- holds them to the gated facts). Internal, so in intermediate: marts holds only the contract's tables.
-- Incremental (macros/rebuilt_documents.sql): a build appends the rows of the documents int_current_facts rebuilt.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rows_rebuilt_upstream(ref('int_current_facts')) }}",
) }}

select
    {{ fact_place_columns() }},
    cast(fact_key as varchar) as total_key,
    cast(measure as varchar) as measure,
    cast(amount_yuan as decimal(20, 2)) as amount_yuan,
    cast(page as integer) as page,
    cast(table_title as varchar) as table_title
from {{ ref('int_current_facts') }}
where fact_kind = 'table_total'
{{- rows_rebuilt_upstream() }}
