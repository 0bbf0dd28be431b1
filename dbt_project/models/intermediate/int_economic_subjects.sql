-- The economic subjects: the code list, plus every code seen in a current fact or printed by a loaded
-- document but not in the list. A code listed several times (renamed across years: the 2018 reform) keeps
-- its latest name and its whole span (valid_from null when its earliest name's start is before the list's
-- records); each name with its years is in int_subject_names.
with listed as (
    select
        cast(econ_code as varchar) as econ_code,
        cast(econ_name as varchar) as econ_name,
        cast(valid_from as integer) as valid_from,
        cast(valid_to as integer) as valid_to
    from {{ ref('economic_subjects') }}
),

listed_codes as (
    select
        econ_code,
        arg_max(econ_name, coalesce(valid_from, 0)) as econ_name,
        case when bool_or(valid_from is null) then null else min(valid_from) end as valid_from,
        case when bool_or(valid_to is null) then null else max(valid_to) end as valid_to,
        true as in_code_list
    from listed
    group by econ_code
),

seen_labels as (
    select
        econ_code,
        {{ clean_row_label('row_label') }} as econ_name,
        count(*) as times_printed
    from {{ ref('int_economic_facts') }} as facts
    where not exists (select 1 from listed_codes where listed_codes.econ_code = facts.econ_code)
    group by all
    union all
    select subject_code as econ_code, printed_name as econ_name, 0 as times_printed
    from {{ ref('int_printed_subject_names') }} as printed
    where subject_kind = 'economic'
        and not exists (select 1 from listed_codes where listed_codes.econ_code = printed.subject_code)
),

seen_codes as (
    select
        econ_code,
        first(econ_name order by times_printed desc, econ_name) as econ_name,
        cast(null as integer) as valid_from,
        cast(null as integer) as valid_to,
        false as in_code_list
    from seen_labels
    group by econ_code
),

subjects as (
    select * from listed_codes
    union all
    select * from seen_codes
)

select
    econ_code,
    {{ economic_subject_level('econ_code') }} as econ_level,
    {{ class_code('econ_code') }} as class_code,
    case when {{ economic_subject_level('econ_code') }} = '款' then left(econ_code, 3) end as parent_code,
    econ_name,
    valid_from,
    valid_to,
    in_code_list
from subjects
