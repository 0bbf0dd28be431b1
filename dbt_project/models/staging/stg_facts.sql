with source as (
    select * from {{ source('raw', 'facts') }}
)

select
    cast(document_id as varchar) as document_id,
    cast(table_kind as varchar) as table_kind,
    cast(fund_scope as varchar) as fund_scope,
    cast(fact_kind as varchar) as fact_kind,
    cast(key as varchar) as fact_key,
    cast(measure as varchar) as measure,
    cast(amount_yuan as decimal(20, 2)) as amount_yuan,
    cast(page as integer) as page,
    cast(row_label as varchar) as row_label,
    cast(box_x0 as double) as box_x0,
    cast(box_top as double) as box_top,
    cast(box_x1 as double) as box_x1,
    cast(box_bottom as double) as box_bottom
from source
