-- One row per (document, table_kind) with the printed unit, the rounding tolerance of one term and
-- whether the gate withheld the table (its figures are in doubt: its facts stay out of the marts).
with tables as (
    select * from {{ ref('stg_document_tables') }}
)

select
    document_id,
    table_kind,
    arg_min(table_title, first_page) as table_title,
    min(first_page) as first_page,
    max(last_page) as last_page,
    arg_min(unit, first_page) as unit,
    {{ yuan_per_cent('arg_min(unit, first_page)') }} as yuan_per_cent,
    bool_and(is_empty) as is_empty,
    bool_or(withheld_reason is not null) as is_withheld,
    min(withheld_reason) as withheld_reason
from tables
group by document_id, table_kind
