-- DOMAIN.md identity 5: each function-class line of 收入支出决算总表 = that 类 row (合计) of 支出决算表.
with summary as (
    select document_id, subject_code, amount_yuan
    from {{ ref('fct_function_amount') }}
    where table_kind = 'income_expense_summary' and subject_level = '类' and measure = 'total'
),

expenditure as (
    select document_id, subject_code, amount_yuan
    from {{ ref('fct_function_amount') }}
    where table_kind = 'expenditure' and subject_level = '类' and measure = 'total'
),

both_printed as (
    select document_id from summary
    intersect
    select document_id from expenditure
),

compared as (
    select
        coalesce(summary.document_id, expenditure.document_id) as document_id,
        coalesce(summary.subject_code, expenditure.subject_code) as subject_code,
        coalesce(summary.amount_yuan, 0) as summary_amount,
        coalesce(expenditure.amount_yuan, 0) as expenditure_amount
    from summary
    full outer join expenditure
        on expenditure.document_id = summary.document_id
        and expenditure.subject_code = summary.subject_code
)

select compared.*, tables.unit
from compared
inner join both_printed on both_printed.document_id = compared.document_id
left join {{ ref('int_document_tables') }} as tables
    on tables.document_id = compared.document_id
    and tables.table_kind = 'expenditure'
where {{ outside_tolerance('compared.summary_amount', 'compared.expenditure_amount', 1, 'tables.unit') }}
