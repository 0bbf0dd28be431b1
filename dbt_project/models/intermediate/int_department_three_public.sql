-- Each department report's 三公 figures (item × budget/actual), with the report's department, year and
-- kind: what the answer marts and the cross-document checks read.
select
    reports.department_id,
    reports.fiscal_year,
    reports.report_kind,
    reports.file_name,
    facts.document_id,
    facts.item,
    facts.measure,
    facts.amount_yuan,
    facts.page,
    facts.yuan_per_cent
from {{ ref('int_three_public') }} as facts
inner join {{ ref('int_department_reports') }} as reports on reports.document_id = facts.document_id
