-- The non-subject lines of the summary tables (income.total, expense.grand_total, …).
select
    document_id,
    department_id,
    fiscal_year,
    report_kind,
    report_level,
    table_kind,
    fund_scope,
    fact_key as line_key,
    amount_yuan,
    page,
    row_label,
    table_title,
    yuan_per_cent
from {{ ref('int_current_facts') }}
where fact_kind = 'summary'
