-- The economic subjects: the code list plus codes seen in current facts but not listed.
with listed_codes as (
    select
        cast(econ_code as varchar) as econ_code,
        cast(econ_name as varchar) as econ_name,
        true as in_code_list
    from {{ ref('economic_subjects') }}
),

seen_labels as (
    select
        econ_code,
        {{ clean_row_label('row_label') }} as econ_name,
        count(*) as times_printed
    from {{ ref('int_economic_facts') }} as facts
    where not exists (select 1 from listed_codes where listed_codes.econ_code = facts.econ_code)
    group by all
),

seen_codes as (
    select
        econ_code,
        arg_max(econ_name, times_printed) as econ_name,
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
    in_code_list
from subjects
