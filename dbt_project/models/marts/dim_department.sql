select
    cast(department_id as varchar) as department_id,
    cast(department_name as varchar) as department_name,
    cast(region as varchar) as region,
    cast(name_variants as varchar) as name_variants,
    cast(document_count as integer) as document_count
from {{ ref('int_departments') }}
