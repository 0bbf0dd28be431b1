-- Checks no single document can show: a figure two documents both state. A final account prints
-- its year's 三公 budget (预算数) beside the actual; the year's budget document printed that budget
-- first. Where both print an item and they differ by more than their rounding, the final account
-- carries a quality issue (the publisher's: each document is read as printed). A department's
-- consolidated report holds its units': the units' own reports of a year and kind together never
-- spend more on a 类 than their department's report does (they may spend less: not every unit
-- publishes), so more is an issue on the department's report.
with reports as (
    select * from {{ ref('int_department_reports') }}
),

three_public as (
    select * from {{ ref('int_department_three_public') }}
    where measure = 'budget'
),

compared as (
    select
        final.document_id,
        final.item,
        final.page,
        final.fiscal_year,
        budget.amount_yuan as expected,
        final.amount_yuan as actual,
        budget.file_name as budget_file,
        budget.page as budget_page
    from three_public as final
    inner join three_public as budget
        on budget.department_id = final.department_id
        and budget.fiscal_year = final.fiscal_year
        and budget.item = final.item
        and budget.report_kind = 'budget'
    where final.report_kind = 'final'
        and abs(final.amount_yuan - budget.amount_yuan) > greatest(final.yuan_per_cent, budget.yuan_per_cent)
),

units_over_department as (
    select
        department.document_id,
        department.page,
        department.subject_code,
        department.amount_yuan as expected,
        sum(unit.amount_yuan) as actual,
        count(*) as unit_count,
        string_agg(unit_departments.department_name, '、' order by unit_departments.department_name) as unit_names,
        any_value(department.yuan_per_cent) as yuan_per_cent
    from {{ ref('int_function_facts') }} as unit
    inner join {{ ref('int_departments') }} as unit_departments on unit_departments.department_id = unit.department_id
    inner join reports on reports.department_id = unit_departments.parent_department_id
        and reports.fiscal_year = unit.fiscal_year
        and reports.report_kind = unit.report_kind
    inner join {{ ref('int_function_facts') }} as department
        on department.document_id = reports.document_id
        and department.table_kind = unit.table_kind
        and department.fund_scope = unit.fund_scope
        and department.measure = unit.measure
        and department.subject_code = unit.subject_code
    where unit.report_level = 'unit'
        and unit.table_kind = 'expenditure' and unit.fund_scope = 'all' and unit.measure = 'total'
        and unit.subject_level = '类'
    group by department.document_id, department.page, department.subject_code, department.amount_yuan
),

exceeding as (
    select units_over_department.*
    from units_over_department
    where actual - expected > unit_count * yuan_per_cent
)

select
    document_id,
    'cross.units_exceed_department' as check_name,
    'warning' as severity,
    'expenditure' as table_kind,
    page,
    subject_code,
    expected,
    actual,
    '单位预决算合计超过部门合并数：' || subject_code || ' 部门印 ' || expected || ' 元，其 ' || unit_count
        || ' 个单位合计 ' || actual || ' 元' as message,
    'publisher' as attributed_to,
    'the units'' own reports (' || unit_names || ') of the same year and kind print ' || actual
        || ' 元 for this class; the department''s consolidated report prints ' || expected || ' 元' as evidence,
    cast(null as varchar) as printed
from exceeding

union all

select
    document_id,
    'cross.three_public_budget' as check_name,
    'warning' as severity,
    'three_public' as table_kind,
    page,
    cast(null as varchar) as subject_code,
    expected,
    actual,
    fiscal_year || ' 年“三公”经费 ' || item || ' 的预算数：决算表印 ' || actual || ' 元，当年部门预算印 '
        || expected || ' 元' as message,
    'publisher' as attributed_to,
    'the year''s budget document (' || budget_file || ', page ' || coalesce(cast(budget_page as varchar), '?')
        || ') prints the budget as ' || expected || ' 元; the final account''s 预算数 column prints ' || actual
        || ' 元' as evidence,
    cast(null as varchar) as printed
from compared
