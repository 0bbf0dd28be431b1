-- Region × year × report kind × leaf function subject, over every department's current consolidated
-- report: each printed amount once, at the deepest level its table prints. Summing any set of rows
-- is safe; grouping by class_name or section_name gives the 类 / 款 totals.
with leaves as (
    select region, fiscal_year, report_kind, department_id, subject_code, amount_yuan
    from {{ ref('int_department_expenditure') }}
    where is_leaf
        and measure = 'total'
),

rolled as (
    select
        region,
        fiscal_year,
        report_kind,
        subject_code,
        sum(amount_yuan) as amount_yuan,
        count(distinct department_id) as department_count
    from leaves
    group by region, fiscal_year, report_kind, subject_code
)

select
    cast(rolled.region as varchar) as region,
    cast(rolled.fiscal_year as integer) as fiscal_year,
    cast(rolled.report_kind as varchar) as report_kind,
    cast(rolled.subject_code as varchar) as subject_code,
    cast(paths.subject_level as varchar) as subject_level,
    cast(paths.subject_name as varchar) as subject_name,
    cast(paths.class_code as varchar) as class_code,
    cast(paths.class_name as varchar) as class_name,
    cast(paths.section_code as varchar) as section_code,
    cast(paths.section_name as varchar) as section_name,
    cast(rolled.amount_yuan as decimal(20, 2)) as amount_yuan,
    {{ wan('rolled.amount_yuan') }} as amount_wan,
    cast(rolled.department_count as integer) as department_count
from rolled
left join {{ ref('dim_function_subject') }} as paths on paths.subject_code = rolled.subject_code
