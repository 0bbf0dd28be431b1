-- Every issue of every document, whatever its status (quarantined documents are explained here), and
-- those only two documents together show; one row per issue, with what a reader needs beside it.
select
    cast(document_id as varchar) as document_id,
    cast(check_name as varchar) as check_name,
    cast(severity as varchar) as severity,
    cast(table_kind as varchar) as table_kind,
    cast(page as integer) as page,
    cast(subject_code as varchar) as subject_code,
    cast(expected as decimal(20, 2)) as expected,
    cast(actual as decimal(20, 2)) as actual,
    cast(message as varchar) as message,
    cast(attributed_to as varchar) as attributed_to,
    cast(evidence as varchar) as evidence,
    cast(printed as varchar) as printed,
    cast(issue_id as varchar) as issue_id,
    cast(department_id as varchar) as department_id,
    cast(department_name as varchar) as department_name,
    cast(fiscal_year as integer) as fiscal_year,
    cast(report_kind as varchar) as report_kind,
    cast(report_level as varchar) as report_level,
    cast(table_title as varchar) as table_title,
    cast(table_page as integer) as table_page,
    cast(subject_name as varchar) as subject_name,
    cast(value_kind as varchar) as value_kind,
    cast(expected_value as varchar) as expected_value,
    cast(actual_value as varchar) as actual_value,
    cast(found_by as varchar) as found_by
from {{ ref('int_quality_issues') }}
