with source as (
    select * from {{ source('raw', 'quality_issues') }}
)

select
    cast(document_id as varchar) as document_id,
    cast(check_name as varchar) as check_name,
    cast(severity as varchar) as severity,
    cast(table_kind as varchar) as table_kind,
    cast(page as integer) as page,
    cast(subject_code as varchar) as subject_code,
    cast(expected as decimal(20, 2)) as expected,
    cast(actual as decimal(20, 2)) as actual,
    cast(message as varchar) as message,
    cast(attributed_to as varchar) as attributed_to,
    cast(evidence as varchar) as evidence,
    cast(printed as varchar) as printed
from source
