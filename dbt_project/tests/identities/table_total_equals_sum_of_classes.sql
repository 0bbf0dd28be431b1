-- DOMAIN.md identity 1: a subject table's 合计 row = the sum of its 类 rows, per column.
with classes as (
    select document_id, table_kind, fund_scope, measure, amount_yuan
    from {{ ref('fct_function_amount') }}
    where subject_level = '类'
    union all
    select document_id, table_kind, fund_scope, measure, amount_yuan
    from {{ ref('fct_economic_amount') }}
    where econ_level = '类'
),

class_sums as (
    select document_id, table_kind, fund_scope, measure, sum(amount_yuan) as classes_sum, count(*) as n_terms
    from classes
    group by document_id, table_kind, fund_scope, measure
),

totals as (
    select document_id, table_kind, fund_scope, measure, amount_yuan as printed
    from {{ ref('fct_table_total') }}
    where total_key = 'table_total'
        and table_kind not in ('income_expense_summary', 'fiscal_summary', 'three_public')
)

select totals.*, class_sums.classes_sum, class_sums.n_terms, tables.unit
from totals
inner join class_sums
    on class_sums.document_id = totals.document_id
    and class_sums.table_kind = totals.table_kind
    and class_sums.fund_scope = totals.fund_scope
    and class_sums.measure = totals.measure
left join {{ ref('int_document_tables') }} as tables
    on tables.document_id = totals.document_id
    and tables.table_kind = totals.table_kind
where {{ outside_tolerance('totals.printed', 'class_sums.classes_sum', 'class_sums.n_terms', 'tables.unit') }}
