-- Printed 合计 rows (table_total, personnel_total, public_use_total): kept for identities only.
select
    document_id,
    department_id,
    fiscal_year,
    report_kind,
    report_level,
    table_kind,
    fund_scope,
    fact_key as total_key,
    measure,
    amount_yuan,
    page,
    row_label,
    table_title,
    yuan_per_cent
from {{ ref('int_current_facts') }}
where fact_kind = 'table_total'
