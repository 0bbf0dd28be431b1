-- DOMAIN.md identity 2: on every row (function, economic or 合计) of an expenditure table,
-- 合计 = 基本支出 + 项目支出 + 上缴上级支出 + 经营支出 + 对附属单位补助支出, and 基本支出 = 人员经费 + 公用经费
-- (budgets print the latter two in place of 基本支出). Checked on tables that print a split at all.
with amounts as (
    select document_id, table_kind, fund_scope, subject_code as row_key, measure, amount_yuan
    from {{ ref('fct_function_amount') }}
    union all
    select document_id, table_kind, fund_scope, econ_code as row_key, measure, amount_yuan
    from {{ ref('fct_economic_amount') }}
    union all
    select document_id, table_kind, fund_scope, total_key as row_key, measure, amount_yuan
    from {{ ref('fct_table_total') }}
    where total_key = 'table_total'
),

split_tables as (
    select distinct document_id, table_kind, fund_scope
    from amounts
    where measure in ('basic', 'project', 'personnel', 'public_use')
        and table_kind not in ('gov_fund', 'soe_capital')
),

pivoted as (
    select
        amounts.document_id, amounts.table_kind, amounts.fund_scope, amounts.row_key,
        sum(amount_yuan) filter (where measure = 'total') as total,
        sum(amount_yuan) filter (where measure = 'basic') as basic,
        sum(amount_yuan) filter (where measure = 'personnel') as personnel,
        sum(amount_yuan) filter (where measure = 'public_use') as public_use,
        coalesce(sum(amount_yuan) filter (
            where measure in ('project', 'remit_higher', 'operating_expense', 'subsidy_subordinate')
        ), 0) as other_parts,
        count(*) filter (
            where measure in ('basic', 'project', 'remit_higher', 'operating_expense', 'subsidy_subordinate')
        ) as n_parts,
        count(*) filter (where measure in ('personnel', 'public_use')) as n_basic_parts
    from amounts
    inner join split_tables
        on split_tables.document_id = amounts.document_id
        and split_tables.table_kind = amounts.table_kind
        and split_tables.fund_scope = amounts.fund_scope
    group by amounts.document_id, amounts.table_kind, amounts.fund_scope, amounts.row_key
),

checks as (
    select
        document_id, table_kind, fund_scope, row_key,
        'total = basic + project + …' as identity,
        coalesce(total, 0) as printed,
        coalesce(basic, coalesce(personnel, 0) + coalesce(public_use, 0)) + other_parts as parts_sum,
        n_parts + case when basic is null then n_basic_parts else 0 end as n_terms
    from pivoted
    -- a summary table's 合计 is printed as the expense.grand_total line, not as a table_total row
    where total is not null or row_key <> 'table_total'
    union all
    select
        document_id, table_kind, fund_scope, row_key,
        'basic = personnel + public_use' as identity,
        basic as printed,
        coalesce(personnel, 0) + coalesce(public_use, 0) as parts_sum,
        n_basic_parts as n_terms
    from pivoted
    where basic is not null and n_basic_parts > 0
)

select checks.*, tables.unit
from checks
left join {{ ref('int_document_tables') }} as tables
    on tables.document_id = checks.document_id
    and tables.table_kind = checks.table_kind
where {{ outside_tolerance('checks.printed', 'checks.parts_sum', 'checks.n_terms', 'tables.unit') }}
