-- The facts of current loaded documents, with their document's attributes and table's title/unit;
-- the facts of a table the gate withheld stay out (they are kept in raw with the table's reason).
-- Incremental (macros/rebuilt_documents.sql): a build appends the rows of the current documents it lacks.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rows_of_changed_documents(ref('int_current_documents')) }}",
) }}

with facts as (
    select * from {{ ref('stg_facts') }}
),

documents as (
    select * from {{ ref('int_current_documents') }}
),

tables as (
    select * from {{ ref('int_document_tables') }}
)

select
    facts.document_id,
    documents.department_id,
    documents.fiscal_year,
    documents.report_kind,
    documents.report_level,
    facts.table_kind,
    facts.fund_scope,
    facts.fact_kind,
    facts.fact_key,
    facts.measure,
    facts.amount_yuan,
    facts.page,
    facts.row_label,
    tables.table_title,
    tables.unit,
    coalesce(tables.yuan_per_cent, {{ yuan_per_cent('null') }}) as yuan_per_cent,
    {{ document_signature('documents') }} as document_signature,
    {{ sql_string(invocation_id) }} as dbt_invocation_id
from facts
inner join documents on documents.document_id = facts.document_id
left join tables
    on tables.document_id = facts.document_id
    and tables.table_kind = facts.table_kind
where not coalesce(tables.is_withheld, false)
{%- if is_incremental() %}
    and documents.document_id not in (select document_id from {{ this }})
{%- endif %}
