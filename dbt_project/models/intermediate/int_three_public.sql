-- 三公 amounts: item × budget/actual.
select
    document_id,
    department_id,
    fiscal_year,
    report_kind,
    report_level,
    table_kind,
    fund_scope,
    fact_key as item,
    measure,
    amount_yuan,
    page,
    row_label,
    table_title,
    yuan_per_cent
from {{ ref('int_current_facts') }}
where fact_kind = 'three_public'
