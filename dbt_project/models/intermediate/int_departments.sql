-- One row per department: the name it is filed under (the alias seed's canonical name, else the
-- latest printed name), its region and every printed variant.
with documents as (
    select
        documents.document_id,
        documents.department_id,
        documents.region,
        documents.loaded_at,
        names.printed_name,
        names.canonical_name
    from {{ ref('int_documents') }} as documents
    inner join {{ ref('int_department_names') }} as names on names.document_id = documents.document_id
    where documents.department_id is not null
)

select
    department_id,
    coalesce(
        max(canonical_name),
        arg_max(printed_name, loaded_at)
    ) as department_name,
    arg_max(region, loaded_at) filter (where region is not null) as region,
    array_to_string(list_sort(list_distinct(list(printed_name))), ',') as name_variants,
    count(*) as document_count
from documents
group by department_id
