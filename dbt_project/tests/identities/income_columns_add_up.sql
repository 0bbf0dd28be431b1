-- DOMAIN.md identity 2: on every row of the income table, 本年收入合计 = 财政拨款收入 + 上级补助收入
-- + 事业收入 + 经营收入 + 附属单位上缴收入 + 其他收入.
with amounts as (
    select document_id, table_kind, fund_scope, subject_code as row_key, measure, amount_yuan
    from {{ ref('fct_function_amount') }}
    where table_kind = 'income'
    union all
    select document_id, table_kind, fund_scope, total_key as row_key, measure, amount_yuan
    from {{ ref('fct_table_total') }}
    where table_kind = 'income' and total_key = 'table_total'
),

pivoted as (
    select
        document_id, table_kind, fund_scope, row_key,
        coalesce(sum(amount_yuan) filter (where measure = 'total'), 0) as printed,
        coalesce(sum(amount_yuan) filter (where measure <> 'total'), 0) as parts_sum,
        count(*) filter (where measure <> 'total') as n_terms
    from amounts
    where measure in (
        'total', 'fiscal_appropriation', 'higher_subsidy', 'business', 'operating', 'subordinate_remit', 'other'
    )
    group by document_id, table_kind, fund_scope, row_key
)

select pivoted.*, tables.unit
from pivoted
left join {{ ref('int_document_tables') }} as tables
    on tables.document_id = pivoted.document_id
    and tables.table_kind = pivoted.table_kind
where {{ outside_tolerance('pivoted.printed', 'pivoted.parts_sum', 'pivoted.n_terms', 'tables.unit') }}
