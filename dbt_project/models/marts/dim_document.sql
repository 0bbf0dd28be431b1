-- Every PDF ever seen, whatever its status, with the tables the gate withheld from the fact marts.
with documents as (
    select * from {{ ref('int_documents') }}
),

withheld as (
    select
        document_id,
        string_agg(table_kind, ',' order by table_kind) as withheld_tables,
        count(*) as withheld_table_count
    from {{ ref('int_document_tables') }}
    where is_withheld
    group by document_id
)

select
    cast(documents.document_id as varchar) as document_id,
    cast(documents.file_name as varchar) as file_name,
    cast(documents.department_name as varchar) as department_name,
    cast(documents.fiscal_year as integer) as fiscal_year,
    cast(documents.report_kind as varchar) as report_kind,
    cast(documents.report_level as varchar) as report_level,
    cast(documents.region as varchar) as region,
    cast(documents.page_count as integer) as page_count,
    cast(documents.status as varchar) as status,
    cast(documents.loaded_at as timestamp) as loaded_at,
    cast(documents.department_id as varchar) as department_id,
    cast(documents.is_current as boolean) as is_current,
    cast(documents.status_reason as varchar) as status_reason,
    cast(documents.extractor_version as varchar) as extractor_version,
    cast(documents.file_path as varchar) as file_path,
    cast(documents.file_kind as varchar) as file_kind,
    cast(withheld.withheld_tables as varchar) as withheld_tables,
    cast(coalesce(withheld.withheld_table_count, 0) as integer) as withheld_table_count,
    cast(documents.not_current_reason as varchar) as not_current_reason
from documents
left join withheld on withheld.document_id = documents.document_id
