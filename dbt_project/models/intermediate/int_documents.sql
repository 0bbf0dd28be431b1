-- Every document with its department_id and whether it is the current version of its report.
-- A department republishing a report (a corrected PDF is a new file, a new document_id) supersedes
-- the earlier one: among loaded documents of the same department, year, kind and level only the
-- latest ingested is current, so facts are never counted twice. A document whose identity is
-- incomplete is its own group.
with documents as (
    select * from {{ ref('stg_documents') }}
),

names as (
    select document_id, department_id from {{ ref('int_department_names') }}
),

grouped as (
    select
        documents.*,
        names.department_id,
        case
            when names.department_id is not null
                and documents.fiscal_year is not null
                and documents.report_kind is not null
                and documents.report_level is not null
                then concat_ws(
                    '|', names.department_id, documents.fiscal_year,
                    documents.report_kind, documents.report_level
                )
            else documents.document_id
        end as report_identity
    from documents
    left join names on names.document_id = documents.document_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by status = 'loaded', report_identity
            order by loaded_at desc, document_id desc
        ) as recency
    from grouped
)

select
    document_id,
    file_name,
    file_path,
    department_id,
    department_name,
    fiscal_year,
    report_kind,
    report_level,
    region,
    page_count,
    status,
    status_reason,
    extractor_version,
    loaded_at,
    file_kind,
    report_identity,
    (status = 'loaded' and recency = 1) as is_current
from ranked
