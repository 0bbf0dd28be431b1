select
    {{ fact_place_columns() }},
    cast(line_key as varchar) as line_key,
    cast(amount_yuan as decimal(20, 2)) as amount_yuan,
    cast(page as integer) as page,
    cast(table_title as varchar) as table_title,
    cast(row_label as varchar) as row_label,
    cast(report_level as varchar) as report_level
from {{ ref('int_summary_lines') }}
