with source as (
    select * from {{ source('raw', 'document_tables') }}
)

select
    cast(document_id as varchar) as document_id,
    cast(table_kind as varchar) as table_kind,
    cast(title as varchar) as table_title,
    cast(first_page as integer) as first_page,
    cast(last_page as integer) as last_page,
    cast(unit as varchar) as unit,
    cast(is_empty as boolean) as is_empty,
    cast(withheld_reason as varchar) as withheld_reason
from source
