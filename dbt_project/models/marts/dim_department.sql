select
    cast(department_id as varchar) as department_id,
    cast(department_name as varchar) as department_name,
    cast(region as varchar) as region,
    cast(name_variants as varchar) as name_variants,
    cast(document_count as integer) as document_count,
    cast(level as varchar) as level,
    cast(parent_department_id as varchar) as parent_department_id,
    cast(parent_evidence as varchar) as parent_evidence,
    cast(first_year as integer) as first_year,
    cast(last_year as integer) as last_year
from {{ ref('int_departments') }}
