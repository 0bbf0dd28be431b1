-- Each department report's spending by function subject: the expenditure table (支出决算表 /
-- 支出预算总表, all funds), every printed row with its measure, and whether the row is a leaf (no row
-- under it printed in the same table): leaves add up to the table without counting a level twice.
with facts as (
    select facts.*, reports.region
    from {{ ref('int_function_facts') }} as facts
    inner join {{ ref('int_department_reports') }} as reports on reports.document_id = facts.document_id
    where facts.table_kind = 'expenditure'
        and facts.fund_scope = 'all'
),

parents as (
    select distinct document_id, parent_code
    from facts
    where parent_code is not null
)

select
    facts.document_id,
    facts.department_id,
    facts.region,
    facts.fiscal_year,
    facts.report_kind,
    facts.subject_code,
    facts.subject_level,
    facts.class_code,
    facts.section_code,
    facts.measure,
    facts.amount_yuan,
    facts.page,
    facts.yuan_per_cent,
    parents.parent_code is null as is_leaf
from facts
left join parents
    on parents.document_id = facts.document_id
    and parents.parent_code = facts.subject_code
