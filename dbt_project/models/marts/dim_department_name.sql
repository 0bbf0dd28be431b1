-- One row per name a department was printed under, at each report level, with how it was matched.
with names as (
    select * from {{ ref('int_department_names') }}
),

departments as (
    select department_id, region from {{ ref('int_departments') }}
)

select
    cast(names.department_id as varchar) as department_id,
    cast(names.printed_name as varchar) as printed_name,
    cast(any_value(departments.region) as varchar) as region,
    cast(names.report_level as varchar) as report_level,
    cast(min(names.fiscal_year) as integer) as first_year,
    cast(max(names.fiscal_year) as integer) as last_year,
    cast(names.match_rule as varchar) as match_rule,
    cast(names.matched_name as varchar) as matched_name,
    cast(names.match_evidence as varchar) as match_evidence,
    cast(count(*) as integer) as document_count
from names
inner join departments on departments.department_id = names.department_id
group by names.department_id, names.printed_name, names.report_level, names.match_rule, names.matched_name,
    names.match_evidence
