-- DOMAIN.md identity 3: in a summary table, 收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余,
-- 支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余, and the two 总计 are equal (per fund scope).
-- Budgets often print no 本年收入合计 / 本年支出合计: the income lines (财政拨款收入, or its 一般公共预算 /
-- 政府性基金 / 国有资本经营 parts, + 上级补助 …) and the function-class lines stand in for them.
with lines as (
    select document_id, table_kind, fund_scope, line_key, amount_yuan
    from {{ ref('fct_summary_line') }}
),

class_lines as (
    select document_id, table_kind, fund_scope, sum(amount_yuan) as classes_sum, count(*) as n_classes
    from {{ ref('fct_function_amount') }}
    where table_kind in ('income_expense_summary', 'fiscal_summary')
        and subject_level = '类'
        and measure = 'total'
    group by document_id, table_kind, fund_scope
),

sides as (
    select
        document_id, table_kind, fund_scope,
        max(amount_yuan) filter (where line_key = 'income.grand_total') as income_grand_total,
        max(amount_yuan) filter (where line_key = 'expense.grand_total') as expense_grand_total,
        max(amount_yuan) filter (where line_key = 'income.total') as income_total,
        max(amount_yuan) filter (where line_key = 'expense.total') as expense_total,
        max(amount_yuan) filter (where line_key = 'income.fiscal_appropriation') as fiscal_appropriation,
        sum(amount_yuan) filter (where line_key in (
            'income.general_public_budget', 'income.government_fund', 'income.soe_capital'
        )) as fiscal_parts,
        count(*) filter (where line_key in (
            'income.general_public_budget', 'income.government_fund', 'income.soe_capital'
        )) as n_fiscal_parts,
        coalesce(sum(amount_yuan) filter (where line_key in (
            'income.higher_subsidy', 'income.business', 'income.operating', 'income.subordinate_remit',
            'income.other'
        )), 0) as other_income,
        count(*) filter (where line_key in (
            'income.higher_subsidy', 'income.business', 'income.operating', 'income.subordinate_remit',
            'income.other'
        )) as n_other_income,
        coalesce(sum(amount_yuan) filter (where line_key in (
            'income.use_nonfiscal_balance', 'income.carryover_begin'
        )), 0) as income_extras,
        count(*) filter (where line_key in ('income.use_nonfiscal_balance', 'income.carryover_begin'))
            as n_income_extras,
        coalesce(sum(amount_yuan) filter (where line_key in (
            'expense.balance_distribution', 'expense.carryover_end'
        )), 0) as expense_extras,
        count(*) filter (where line_key in ('expense.balance_distribution', 'expense.carryover_end'))
            as n_expense_extras
    from lines
    group by document_id, table_kind, fund_scope
),

totals as (
    select
        sides.*,
        coalesce(
            income_total,
            coalesce(fiscal_appropriation, fiscal_parts, 0) + other_income
        ) as year_income,
        case
            when income_total is not null then 1
            when fiscal_appropriation is not null then 1 + n_other_income
            else n_fiscal_parts + n_other_income
        end as n_year_income,
        coalesce(expense_total, class_lines.classes_sum, 0) as year_expense,
        coalesce(case when expense_total is not null then 1 end, class_lines.n_classes, 0) as n_year_expense
    from sides
    left join class_lines
        on class_lines.document_id = sides.document_id
        and class_lines.table_kind = sides.table_kind
        and class_lines.fund_scope = sides.fund_scope
),

checks as (
    select document_id, table_kind, fund_scope, 'income.grand_total = income + extras' as identity,
        income_grand_total as printed, year_income + income_extras as parts_sum,
        n_year_income + n_income_extras as n_terms
    from totals
    where income_grand_total is not null
    union all
    select document_id, table_kind, fund_scope, 'expense.grand_total = expense + extras' as identity,
        expense_grand_total as printed, year_expense + expense_extras as parts_sum,
        n_year_expense + n_expense_extras as n_terms
    from totals
    where expense_grand_total is not null
    union all
    select document_id, table_kind, fund_scope, 'income.grand_total = expense.grand_total' as identity,
        income_grand_total as printed, expense_grand_total as parts_sum, 1 as n_terms
    from totals
    where income_grand_total is not null and expense_grand_total is not null
)

select checks.*, tables.unit
from checks
left join {{ ref('int_document_tables') }} as tables
    on tables.document_id = checks.document_id
    and tables.table_kind = checks.table_kind
where {{ outside_tolerance('checks.printed', 'checks.parts_sum', 'checks.n_terms', 'tables.unit') }}
