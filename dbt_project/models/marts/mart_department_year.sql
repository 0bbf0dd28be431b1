-- One row per department, year and report kind, from the department's consolidated (部门) report:
-- what it took in and spent, split basic/project and personnel/public-use, its 三公, and the change
-- of its spending on the year before. One definition per figure, said in _models.yml.
with reports as (
    select * from {{ ref('int_department_reports') }}
),

summary as (
    select
        document_id,
        -- 本年收入合计 where printed; a budget summary printing only 收入总计 gives it by DOMAIN's identity
        -- 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余 = 总计
        coalesce(
            max(amount_yuan) filter (where line_key = 'income.total'),
            max(amount_yuan) filter (where line_key = 'income.grand_total')
            - coalesce(max(amount_yuan) filter (where line_key = 'income.carryover_begin'), 0)
            - coalesce(max(amount_yuan) filter (where line_key = 'income.use_nonfiscal_balance'), 0)
        ) as income_yuan
    from {{ ref('int_summary_lines') }}
    where table_kind = 'income_expense_summary' and fund_scope = 'all'
    group by document_id
),

spending as (
    select
        document_id,
        sum(amount_yuan) filter (where measure = 'total') as expenditure_yuan,
        sum(amount_yuan) filter (where measure = 'basic') as basic_yuan,
        sum(amount_yuan) filter (where measure = 'project') as project_yuan
    from {{ ref('int_department_expenditure') }}
    where is_leaf
    group by document_id
),

economic as (
    select
        document_id,
        sum(amount_yuan) filter (where is_personnel) as personnel_yuan,
        sum(amount_yuan) filter (where not is_personnel) as public_use_yuan
    from {{ ref('int_department_basic_economic') }}
    group by document_id
),

three_public as (
    select
        document_id,
        max(amount_yuan) filter (where measure = 'budget') as three_public_budget_yuan,
        max(amount_yuan) filter (where measure = 'actual') as three_public_actual_yuan
    from {{ ref('int_department_three_public') }}
    where item = 'total'
    group by document_id
),

yearly as (
    select
        reports.*,
        summary.income_yuan,
        spending.expenditure_yuan,
        spending.basic_yuan,
        spending.project_yuan,
        economic.personnel_yuan,
        economic.public_use_yuan,
        three_public.three_public_budget_yuan,
        three_public.three_public_actual_yuan
    from reports
    left join summary on summary.document_id = reports.document_id
    left join spending on spending.document_id = reports.document_id
    left join economic on economic.document_id = reports.document_id
    left join three_public on three_public.document_id = reports.document_id
),

trended as (
    select
        *,
        lag(expenditure_yuan) over (partition by department_id, report_kind order by fiscal_year) as lagged_expenditure,
        lag(fiscal_year) over (partition by department_id, report_kind order by fiscal_year) as lagged_year
    from yearly
),

changed as (
    select
        *,
        case when lagged_year = fiscal_year - 1 then lagged_expenditure end as previous_expenditure_yuan
    from trended
)

select
    cast(department_id as varchar) as department_id,
    cast(department_name as varchar) as department_name,
    cast(region as varchar) as region,
    cast(fiscal_year as integer) as fiscal_year,
    cast(report_kind as varchar) as report_kind,
    cast(report_level as varchar) as report_level,
    cast(document_id as varchar) as document_id,
    cast(income_yuan as decimal(20, 2)) as income_yuan,
    cast(expenditure_yuan as decimal(20, 2)) as expenditure_yuan,
    cast(basic_yuan as decimal(20, 2)) as basic_yuan,
    cast(project_yuan as decimal(20, 2)) as project_yuan,
    cast(personnel_yuan as decimal(20, 2)) as personnel_yuan,
    cast(public_use_yuan as decimal(20, 2)) as public_use_yuan,
    cast(three_public_budget_yuan as decimal(20, 2)) as three_public_budget_yuan,
    cast(three_public_actual_yuan as decimal(20, 2)) as three_public_actual_yuan,
    cast(previous_expenditure_yuan as decimal(20, 2)) as previous_expenditure_yuan,
    cast(expenditure_yuan - previous_expenditure_yuan as decimal(20, 2)) as expenditure_change_yuan,
    cast(
        case when previous_expenditure_yuan <> 0 then (expenditure_yuan - previous_expenditure_yuan) / previous_expenditure_yuan end
        as decimal(10, 4)
    ) as expenditure_change_rate,
    {{ wan('income_yuan') }} as income_wan,
    {{ wan('expenditure_yuan') }} as expenditure_wan,
    {{ wan('basic_yuan') }} as basic_wan,
    {{ wan('project_yuan') }} as project_wan,
    {{ wan('personnel_yuan') }} as personnel_wan,
    {{ wan('public_use_yuan') }} as public_use_wan,
    {{ wan('three_public_budget_yuan') }} as three_public_budget_wan,
    {{ wan('three_public_actual_yuan') }} as three_public_actual_wan,
    {{ wan('expenditure_yuan - previous_expenditure_yuan') }} as expenditure_change_wan
from changed
