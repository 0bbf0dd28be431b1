select
    cast(document_id as varchar) as document_id,
    cast(department_id as varchar) as department_id,
    cast(fiscal_year as integer) as fiscal_year,
    cast(report_kind as varchar) as report_kind,
    cast(item as varchar) as item,
    cast(measure as varchar) as measure,
    cast(amount_yuan as decimal(20, 2)) as amount_yuan,
    cast(table_kind as varchar) as table_kind,
    cast(page as integer) as page,
    cast(table_title as varchar) as table_title,
    cast(report_level as varchar) as report_level
from {{ ref('int_three_public') }}
