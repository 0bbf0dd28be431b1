select
    cast(subject_code as varchar) as subject_code,
    cast(subject_level as varchar) as subject_level,
    cast(class_code as varchar) as class_code,
    cast(section_code as varchar) as section_code,
    cast(subject_name as varchar) as subject_name,
    cast(parent_code as varchar) as parent_code,
    cast(valid_from as integer) as valid_from,
    cast(valid_to as integer) as valid_to,
    cast(in_code_list as boolean) as in_code_list
from {{ ref('int_function_subjects') }}
