with source as (
    select * from {{ source('raw', 'documents') }}
)

select
    cast(document_id as varchar) as document_id,
    cast(file_name as varchar) as file_name,
    cast(file_path as varchar) as file_path,
    cast(department_name as varchar) as department_name,
    cast(fiscal_year as integer) as fiscal_year,
    cast(report_kind as varchar) as report_kind,
    cast(report_level as varchar) as report_level,
    cast(region as varchar) as region,
    cast(page_count as integer) as page_count,
    cast(status as varchar) as status,
    cast(status_reason as varchar) as status_reason,
    cast(extractor_version as varchar) as extractor_version,
    cast(ingested_at as timestamp) as loaded_at,
    cast(file_kind as varchar) as file_kind
from source
