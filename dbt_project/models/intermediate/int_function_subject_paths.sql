-- Every function subject with the names of its 类 and 款 (its path in the classification).
with subjects as (
    select subject_code, subject_level, class_code, section_code, subject_name
    from {{ ref('int_function_subjects') }}
)

select
    subjects.subject_code,
    subjects.subject_level,
    subjects.subject_name,
    subjects.class_code,
    classes.subject_name as class_name,
    subjects.section_code,
    sections.subject_name as section_name
from subjects
left join subjects as classes on classes.subject_code = subjects.class_code
left join subjects as sections on sections.subject_code = subjects.section_code
