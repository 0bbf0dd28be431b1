-- Function facts with their place in the subject hierarchy, derived from the code's length.
select
    document_id,
    department_id,
    fiscal_year,
    report_kind,
    report_level,
    table_kind,
    fund_scope,
    fact_key as subject_code,
    {{ function_subject_level('fact_key') }} as subject_level,
    {{ class_code('fact_key') }} as class_code,
    {{ function_section_code('fact_key') }} as section_code,
    {{ function_parent_code('fact_key') }} as parent_code,
    measure,
    amount_yuan,
    page,
    row_label,
    table_title,
    yuan_per_cent
from {{ ref('int_current_facts') }}
where fact_kind = 'function'
