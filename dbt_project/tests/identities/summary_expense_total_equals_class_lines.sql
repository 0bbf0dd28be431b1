-- DOMAIN.md identity 3: a summary table's 本年支出合计 = the sum of its function-class lines.
with class_lines as (
    select document_id, table_kind, fund_scope, sum(amount_yuan) as classes_sum, count(*) as n_terms
    from {{ ref('fct_function_amount') }}
    where table_kind in ('income_expense_summary', 'fiscal_summary')
        and subject_level = '类'
        and measure = 'total'
    group by document_id, table_kind, fund_scope
),

totals as (
    select document_id, table_kind, fund_scope, amount_yuan as printed
    from {{ ref('fct_summary_line') }}
    where line_key = 'expense.total'
)

select totals.*, class_lines.classes_sum, class_lines.n_terms, tables.unit
from totals
inner join class_lines
    on class_lines.document_id = totals.document_id
    and class_lines.table_kind = totals.table_kind
    and class_lines.fund_scope = totals.fund_scope
left join {{ ref('int_document_tables') }} as tables
    on tables.document_id = totals.document_id
    and tables.table_kind = totals.table_kind
where {{ outside_tolerance('totals.printed', 'class_lines.classes_sum', 'class_lines.n_terms', 'tables.unit') }}
