with source as (
    select * from {{ source('raw', 'document_units') }}
)

select
    cast(document_id as varchar) as document_id,
    cast(unit_name as varchar) as unit_name,
    cast(page as integer) as page
from source
