with source as (
    select * from {{ source('raw', 'department_overrides') }}
)

select
    cast(printed_name as varchar) as printed_name,
    cast(region as varchar) as region,
    cast(department_name as varchar) as department_name,
    cast(line_number as integer) as line_number,
    cast(source_file as varchar) as source_file,
    cast(loaded_at as timestamp) as loaded_at
from source
