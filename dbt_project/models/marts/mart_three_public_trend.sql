-- 三公 per department, item and year, from the department's consolidated reports: the budget as the
-- year's budget document prints it (else as the final account prints its 预算数), the actual as the
-- final account prints it, and the change of the actual on the year before.
with amounts as (
    select * from {{ ref('int_department_three_public') }}
),

yearly as (
    select
        department_id,
        fiscal_year,
        item,
        max(amount_yuan) filter (where report_kind = 'budget' and measure = 'budget') as budget_document_yuan,
        max(amount_yuan) filter (where report_kind = 'final' and measure = 'budget') as final_budget_yuan,
        max(amount_yuan) filter (where report_kind = 'final' and measure = 'actual') as actual_yuan
    from amounts
    group by department_id, fiscal_year, item
),

trended as (
    select
        *,
        coalesce(budget_document_yuan, final_budget_yuan) as budget_yuan,
        case
            when budget_document_yuan is not null then 'budget document'
            when final_budget_yuan is not null then 'final account'
        end as budget_source,
        lag(actual_yuan) over (partition by department_id, item order by fiscal_year) as lagged_actual,
        lag(fiscal_year) over (partition by department_id, item order by fiscal_year) as lagged_year
    from yearly
)

select
    cast(trended.department_id as varchar) as department_id,
    cast(departments.department_name as varchar) as department_name,
    cast(departments.region as varchar) as region,
    cast(trended.fiscal_year as integer) as fiscal_year,
    cast(trended.item as varchar) as item,
    cast(trended.budget_yuan as decimal(20, 2)) as budget_yuan,
    cast(trended.budget_source as varchar) as budget_source,
    cast(trended.actual_yuan as decimal(20, 2)) as actual_yuan,
    cast(case when trended.lagged_year = trended.fiscal_year - 1 then trended.lagged_actual end as decimal(20, 2))
        as previous_actual_yuan,
    cast(
        case when trended.lagged_year = trended.fiscal_year - 1 then trended.actual_yuan - trended.lagged_actual end
        as decimal(20, 2)
    ) as actual_change_yuan,
    {{ wan('trended.budget_yuan') }} as budget_wan,
    {{ wan('trended.actual_yuan') }} as actual_wan
from trended
inner join {{ ref('int_departments') }} as departments on departments.department_id = trended.department_id
