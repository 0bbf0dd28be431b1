-- One row per function subject code, named by its latest name, with the names of its 类 and 款 (each the name
-- valid in the latest year) and its whole path; every name a code has carried is in dim_function_subject_name.
with subjects as (
    select * from {{ ref('int_function_subjects') }}
),

paths as (
    select
        subjects.*,
        coalesce(classes.subject_name, subjects.class_code) as class_name,
        case
            when subjects.section_code is not null
                then coalesce(sections.subject_name, subjects.section_code)
        end as section_name
    from subjects
    left join subjects as classes on classes.subject_code = subjects.class_code
    left join subjects as sections on sections.subject_code = subjects.section_code
)

select
    cast(subject_code as varchar) as subject_code,
    cast(subject_level as varchar) as subject_level,
    cast(class_code as varchar) as class_code,
    cast(section_code as varchar) as section_code,
    cast(subject_name as varchar) as subject_name,
    cast(parent_code as varchar) as parent_code,
    cast(valid_from as integer) as valid_from,
    cast(valid_to as integer) as valid_to,
    cast(in_code_list as boolean) as in_code_list,
    cast(class_name as varchar) as class_name,
    cast(section_name as varchar) as section_name,
    cast(
        case subject_level
            when '类' then subject_name
            when '款' then concat_ws(' / ', class_name, subject_name)
            when '项' then concat_ws(' / ', class_name, section_name, subject_name)
            else subject_name
        end as varchar
    ) as path_name
from paths
