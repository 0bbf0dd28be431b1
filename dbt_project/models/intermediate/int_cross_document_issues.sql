-- Checks no single document can show: a figure two documents both state. A final account prints
-- its year's 三公 budget (预算数) beside the actual; the year's budget document printed that budget
-- first. Where both print an item and they differ by more than their rounding, the final account
-- carries a quality issue (the publisher's: each document is read as printed).
with reports as (
    select * from {{ ref('int_department_reports') }}
),

three_public as (
    select
        reports.department_id,
        reports.fiscal_year,
        reports.report_kind,
        reports.file_name,
        facts.document_id,
        facts.item,
        facts.amount_yuan,
        facts.page,
        facts.yuan_per_cent
    from {{ ref('int_three_public') }} as facts
    inner join reports on reports.document_id = facts.document_id
    where facts.measure = 'budget'
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
)

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
