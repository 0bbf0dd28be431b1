-- What the mart checks (GX, after the marts are built) found: written to raw after the build, then this model
-- and what is downstream of it are rebuilt (flows/ingest.py, warehouse/mart_checks.py).
with source as (
    select * from {{ source('raw', 'mart_check_results') }}
)

select
    cast(mart as varchar) as mart,
    cast(check_name as varchar) as check_name,
    cast(severity as varchar) as severity,
    cast(document_id as varchar) as document_id,
    cast(table_kind as varchar) as table_kind,
    cast(message as varchar) as message,
    cast(checked_at as timestamp) as checked_at
from source
