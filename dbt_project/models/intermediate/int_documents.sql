-- Every document with its department_id and whether it is the current version of its report.
-- A department republishing a report (a corrected PDF is a new file, a new document_id) supersedes
-- the earlier one: among loaded documents of the same department, year, kind and level only the
-- latest ingested is current, so facts are never counted twice. A document whose identity is
-- incomplete is its own group. Damage never wins: a loaded document lacking a table an earlier loaded
-- reading of its report could read (the table absent, or withheld by the gate) supersedes nothing and
-- is not current itself, with not_current_reason saying which tables it lacks.
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

-- The tables whose figures a document could be read from: present, and not withheld by the gate.
readable_tables as (
    select document_id, table_kind
    from {{ ref('int_document_tables') }}
    where not is_withheld
),

loaded as (
    select document_id, file_name, report_identity, loaded_at
    from grouped
    where status = 'loaded'
),

-- Each loaded document's tables that an earlier loaded reading of the same report holds and it does not.
lacking as (
    select
        later.document_id,
        string_agg(distinct earlier_tables.table_kind, ', ' order by earlier_tables.table_kind) as lacked_tables,
        string_agg(distinct earlier.file_name, ', ' order by earlier.file_name) as earlier_copies
    from loaded as later
    inner join loaded as earlier
        on earlier.report_identity = later.report_identity
        and (
            earlier.loaded_at < later.loaded_at
            or (earlier.loaded_at = later.loaded_at and earlier.document_id < later.document_id)
        )
    inner join readable_tables as earlier_tables on earlier_tables.document_id = earlier.document_id
    left join readable_tables as later_tables
        on later_tables.document_id = later.document_id
        and later_tables.table_kind = earlier_tables.table_kind
    where later_tables.document_id is null
    group by later.document_id
),

ranked as (
    select
        grouped.*,
        lacking.lacked_tables,
        lacking.earlier_copies,
        grouped.status = 'loaded' and lacking.document_id is null as may_be_current,
        row_number() over (
            partition by grouped.status = 'loaded' and lacking.document_id is null, grouped.report_identity
            order by grouped.loaded_at desc, grouped.document_id desc
        ) as recency
    from grouped
    left join lacking on lacking.document_id = grouped.document_id
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
    (may_be_current and recency = 1) as is_current,
    case
        when status <> 'loaded' then null
        when lacked_tables is not null
            then 'not current: it lacks tables the earlier copy (' || earlier_copies || ') has: ' || lacked_tables
        when recency > 1 then 'not current: a later copy of the same report supersedes it'
    end as not_current_reason
from ranked
