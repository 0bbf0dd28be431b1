-- No fact mart row comes from a table the gate withheld (raw.document_tables.withheld_reason set):
-- its figures are in doubt, so they stay in raw with their reason and out of the marts. Fails the build.
with withheld as (
    select distinct document_id, table_kind
    from {{ ref('stg_document_tables') }}
    where withheld_reason is not null
),

mart_tables as (
    select distinct 'fct_function_amount' as mart, document_id, table_kind from {{ ref('fct_function_amount') }}
    union all
    select distinct 'fct_economic_amount', document_id, table_kind from {{ ref('fct_economic_amount') }}
    union all
    select distinct 'fct_summary_line', document_id, table_kind from {{ ref('fct_summary_line') }}
    union all
    select distinct 'fct_three_public', document_id, table_kind from {{ ref('fct_three_public') }}
    union all
    select distinct 'int_table_totals', document_id, table_kind from {{ ref('int_table_totals') }}
)

select mart_tables.*
from mart_tables
inner join withheld
    on withheld.document_id = mart_tables.document_id
    and withheld.table_kind = mart_tables.table_kind
