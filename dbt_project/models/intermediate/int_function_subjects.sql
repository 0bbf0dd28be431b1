-- The functional subjects: the code list, plus every code seen in a current fact or printed by a loaded
-- document but not in the list (named by its most printed label), so every fact's subject_code and every
-- printed name's code (int_subject_names) has a dimension row.
-- A code listed several times (renamed across years) keeps its latest name and its whole span (valid_from
-- null when its earliest name's start is before the list's records).
with listed as (
    select
        cast(subject_code as varchar) as subject_code,
        cast(subject_name as varchar) as subject_name,
        cast(valid_from as integer) as valid_from,
        cast(valid_to as integer) as valid_to
    from {{ ref('function_subjects') }}
),

listed_codes as (
    select
        subject_code,
        arg_max(subject_name, coalesce(valid_from, 0)) as subject_name,
        case when bool_or(valid_from is null) then null else min(valid_from) end as valid_from,
        case when bool_or(valid_to is null) then null else max(valid_to) end as valid_to,
        true as in_code_list
    from listed
    group by subject_code
),

seen_labels as (
    select
        subject_code,
        {{ clean_row_label('row_label') }} as subject_name,
        count(*) as times_printed
    from {{ ref('int_function_facts') }} as facts
    where not exists (select 1 from listed_codes where listed_codes.subject_code = facts.subject_code)
    group by all
    union all
    select subject_code, printed_name as subject_name, 0 as times_printed
    from {{ ref('int_printed_subject_names') }} as printed
    where subject_kind = 'function'
        and not exists (select 1 from listed_codes where listed_codes.subject_code = printed.subject_code)
),

seen_codes as (
    select
        subject_code,
        first(subject_name order by times_printed desc, subject_name) as subject_name,
        cast(null as integer) as valid_from,
        cast(null as integer) as valid_to,
        false as in_code_list
    from seen_labels
    group by subject_code
),

subjects as (
    select * from listed_codes
    union all
    select * from seen_codes
)

select
    subject_code,
    {{ function_subject_level('subject_code') }} as subject_level,
    {{ class_code('subject_code') }} as class_code,
    {{ function_section_code('subject_code') }} as section_code,
    subject_name,
    {{ function_parent_code('subject_code') }} as parent_code,
    valid_from,
    valid_to,
    in_code_list
from subjects
