-- Budget against final (预决算对比): per department, year and function subject, the year's budget
-- document against its final account, both read from their expenditure table (all funds, 合计 /
-- 决算数 column) of the department's consolidated report. A subject printed in one document only is
-- 0 in the other when that document prints that level of detail; otherwise the pair is not
-- comparable and the reason says why.
with reports as (
    select * from {{ ref('int_department_reports') }}
),

amounts as (
    select department_id, fiscal_year, report_kind, subject_code, amount_yuan
    from {{ ref('int_department_expenditure') }}
    where measure = 'total'
),

levels_printed as (
    select distinct department_id, fiscal_year, report_kind, subject_level
    from {{ ref('int_department_expenditure') }}
),

subjects as (
    select distinct department_id, fiscal_year, subject_code from amounts
),

paired as (
    select
        subjects.department_id,
        subjects.fiscal_year,
        subjects.subject_code,
        budget.amount_yuan as budget_yuan,
        final.amount_yuan as final_yuan
    from subjects
    left join amounts as budget
        on budget.department_id = subjects.department_id
        and budget.fiscal_year = subjects.fiscal_year
        and budget.subject_code = subjects.subject_code
        and budget.report_kind = 'budget'
    left join amounts as final
        on final.department_id = subjects.department_id
        and final.fiscal_year = subjects.fiscal_year
        and final.subject_code = subjects.subject_code
        and final.report_kind = 'final'
),

judged as (
    select
        paired.*,
        paths.subject_level,
        paths.subject_name,
        paths.class_code,
        paths.class_name,
        paths.section_code,
        paths.section_name,
        case
            when budget_report.document_id is null then 'no budget document for this department and year'
            when final_report.document_id is null then 'no final account for this department and year'
            when paired.budget_yuan is null and budget_levels.subject_level is null
                then 'the budget prints no ' || paths.subject_level || ' rows'
            when paired.final_yuan is null and final_levels.subject_level is null
                then 'the final account prints no ' || paths.subject_level || ' rows'
        end as not_comparable_reason
    from paired
    left join {{ ref('dim_function_subject') }} as paths on paths.subject_code = paired.subject_code
    left join reports as budget_report
        on budget_report.department_id = paired.department_id
        and budget_report.fiscal_year = paired.fiscal_year
        and budget_report.report_kind = 'budget'
    left join reports as final_report
        on final_report.department_id = paired.department_id
        and final_report.fiscal_year = paired.fiscal_year
        and final_report.report_kind = 'final'
    left join levels_printed as budget_levels
        on budget_levels.department_id = paired.department_id
        and budget_levels.fiscal_year = paired.fiscal_year
        and budget_levels.report_kind = 'budget'
        and budget_levels.subject_level = paths.subject_level
    left join levels_printed as final_levels
        on final_levels.department_id = paired.department_id
        and final_levels.fiscal_year = paired.fiscal_year
        and final_levels.report_kind = 'final'
        and final_levels.subject_level = paths.subject_level
),

compared as (
    select
        *,
        not_comparable_reason is null as is_comparable,
        case when not_comparable_reason is null then coalesce(budget_yuan, 0) end as budget_compared,
        case when not_comparable_reason is null then coalesce(final_yuan, 0) end as final_compared
    from judged
)

select
    cast(compared.department_id as varchar) as department_id,
    cast(departments.department_name as varchar) as department_name,
    cast(departments.region as varchar) as region,
    cast(compared.fiscal_year as integer) as fiscal_year,
    cast(compared.subject_code as varchar) as subject_code,
    cast(compared.subject_level as varchar) as subject_level,
    cast(compared.subject_name as varchar) as subject_name,
    cast(compared.class_code as varchar) as class_code,
    cast(compared.class_name as varchar) as class_name,
    cast(compared.section_code as varchar) as section_code,
    cast(compared.section_name as varchar) as section_name,
    cast(coalesce(compared.budget_compared, compared.budget_yuan) as decimal(20, 2)) as budget_yuan,
    cast(coalesce(compared.final_compared, compared.final_yuan) as decimal(20, 2)) as final_yuan,
    cast(compared.final_compared - compared.budget_compared as decimal(20, 2)) as difference_yuan,
    cast(
        case when compared.budget_compared <> 0 then compared.final_compared / compared.budget_compared end
        as decimal(10, 4)
    ) as execution_rate,
    {{ wan('coalesce(compared.budget_compared, compared.budget_yuan)') }} as budget_wan,
    {{ wan('coalesce(compared.final_compared, compared.final_yuan)') }} as final_wan,
    {{ wan('compared.final_compared - compared.budget_compared') }} as difference_wan,
    cast(compared.is_comparable as boolean) as is_comparable,
    cast(compared.not_comparable_reason as varchar) as not_comparable_reason
from compared
inner join {{ ref('int_departments') }} as departments on departments.department_id = compared.department_id
