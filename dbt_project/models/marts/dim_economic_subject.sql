select
    cast(econ_code as varchar) as econ_code,
    cast(econ_level as varchar) as econ_level,
    cast(class_code as varchar) as class_code,
    cast(econ_name as varchar) as econ_name,
    cast(parent_code as varchar) as parent_code,
    cast(in_code_list as boolean) as in_code_list
from {{ ref('int_economic_subjects') }}
