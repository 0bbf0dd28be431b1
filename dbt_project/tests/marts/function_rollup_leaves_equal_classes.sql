-- No amount is counted twice in marts.mart_function_rollup: per region, year, report kind and 类,
-- its leaf rows add up to the 类 rows the departments print (expenditure tables, all funds), within
-- one printed cent per term. Classes whose printed hierarchy the gate found not adding up in some
-- document (its hierarchy identities, expectations/identities.py: a publisher's error, in
-- fct_quality_issue; an issue without a subject stands for the rest of a long list, so it leaves out every
-- class of its document) or that a document prints without its 类 row are left out: there is no printed
-- class the leaves could match.
with facts as (
    select facts.*, reports.region
    from {{ ref('fct_function_amount') }} as facts
    inner join {{ ref('int_department_reports') }} as reports on reports.document_id = facts.document_id
    where facts.table_kind = 'expenditure' and facts.fund_scope = 'all' and facts.measure = 'total'
),

broken as (
    select document_id, left(subject_code, 3) as class_code
    from {{ ref('stg_quality_issues') }}
    where check_name in ('hierarchy.function_class', 'hierarchy.function_section') and table_kind = 'expenditure'
    union
    -- a table of leaf rows only (no 类 row printed) has no class to compare with
    select document_id, class_code
    from facts
    group by document_id, class_code
    having count(*) filter (where subject_level = '类') = 0
),

excluded as (
    select distinct reports.region, reports.fiscal_year, reports.report_kind, broken.class_code
    from broken
    inner join {{ ref('int_department_reports') }} as reports on reports.document_id = broken.document_id
),

classes as (
    select region, fiscal_year, report_kind, subject_code as class_code, sum(amount_yuan) as printed
    from facts
    where subject_level = '类'
    group by all
),

leaves as (
    select region, fiscal_year, report_kind, class_code, sum(amount_yuan) as rolled_up, count(*) as n_terms
    from {{ ref('mart_function_rollup') }}
    group by all
)

select classes.*, leaves.rolled_up, leaves.n_terms
from classes
full outer join leaves
    on leaves.region is not distinct from classes.region
    and leaves.fiscal_year = classes.fiscal_year
    and leaves.report_kind = classes.report_kind
    and leaves.class_code = classes.class_code
where not exists (
    select 1 from excluded
    where excluded.region is not distinct from coalesce(classes.region, leaves.region)
        and excluded.fiscal_year = coalesce(classes.fiscal_year, leaves.fiscal_year)
        and excluded.report_kind = coalesce(classes.report_kind, leaves.report_kind)
        and coalesce(excluded.class_code, classes.class_code, leaves.class_code)
            = coalesce(classes.class_code, leaves.class_code)
)
    and abs(coalesce(classes.printed, 0) - coalesce(leaves.rolled_up, 0))
        > greatest(coalesce(leaves.n_terms, 1), 1) * {{ var('yuan_per_cent_wan') }}
