-- Every name a loaded document prints beside a subject code: the evidence of what the code was called in the
-- document's fiscal year. One row per document, subject kind, code and name (as a key); every loaded document
-- counts, current or superseded, but not a table the gate withheld (its figures, and so its rows, are in doubt).
-- A label that prints another code than the fact's (a finer code added into it) is no evidence of this code.
with documents as (
    select document_id, fiscal_year
    from {{ ref('int_documents') }}
    where status = 'loaded' and fiscal_year is not null
),

tables as (
    select document_id, table_kind, is_withheld from {{ ref('int_document_tables') }}
),

labels as (
    select
        facts.document_id,
        documents.fiscal_year,
        facts.fact_kind as subject_kind,
        facts.fact_key as subject_code,
        facts.table_kind,
        facts.page,
        facts.row_label as printed_label,
        regexp_extract(trim(facts.row_label), '^[0-9]+') as label_code,
        regexp_replace({{ clean_row_label('facts.row_label') }}, '[\s\x{3000}]+', '', 'g') as printed_name,
        {{ subject_name_key('facts.row_label') }} as name_key
    from {{ ref('stg_facts') }} as facts
    inner join documents on documents.document_id = facts.document_id
    left join tables on tables.document_id = facts.document_id and tables.table_kind = facts.table_kind
    where not coalesce(tables.is_withheld, false)
        and (
            (facts.fact_kind = 'function' and regexp_full_match(facts.fact_key, '[0-9]{3}|[0-9]{5}|[0-9]{7}'))
            or (facts.fact_kind = 'economic' and regexp_full_match(facts.fact_key, '[0-9]{3}|[0-9]{5}'))
        )
)

select
    document_id,
    fiscal_year,
    subject_kind,
    subject_code,
    name_key,
    arg_min(printed_name, page) as printed_name,
    arg_min(printed_label, page) as printed_label,
    arg_min(table_kind, page) as table_kind,
    min(page) as page
from labels
where (label_code = '' or label_code = subject_code)
    and regexp_matches(name_key, '\p{Han}')
group by document_id, fiscal_year, subject_kind, subject_code, name_key
