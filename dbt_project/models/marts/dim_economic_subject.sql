-- One row per economic subject code, named by its latest name, with its 类's name and its path; every name a
-- code has carried is in dim_economic_subject_name.
with subjects as (
    select * from {{ ref('int_economic_subjects') }}
),

paths as (
    select
        subjects.*,
        coalesce(classes.econ_name, subjects.class_code) as class_name
    from subjects
    left join subjects as classes on classes.econ_code = subjects.class_code
)

select
    cast(econ_code as varchar) as econ_code,
    cast(econ_level as varchar) as econ_level,
    cast(class_code as varchar) as class_code,
    cast(econ_name as varchar) as econ_name,
    cast(parent_code as varchar) as parent_code,
    cast(in_code_list as boolean) as in_code_list,
    cast(valid_from as integer) as valid_from,
    cast(valid_to as integer) as valid_to,
    cast(class_name as varchar) as class_name,
    cast(
        case when econ_level = '款' then concat_ws(' / ', class_name, econ_name) else econ_name end as varchar
    ) as path_name
from paths
