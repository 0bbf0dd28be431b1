-- Every name each function and economic subject code has carried, with its years and its source: the code
-- list's names (shipped with their valid years; a renamed code has one row per name), and the names loaded
-- documents print that are none of the list's names for that code (abbreviations, variants, contradictions:
-- int_subject_name_conflicts says which contradict). A printed name equal to a list name (as a key) is
-- counted as evidence on the list's row. One row per subject kind, code and name.
with listed as (
    select
        'function' as subject_kind,
        cast(subject_code as varchar) as subject_code,
        cast(subject_name as varchar) as subject_name,
        cast(valid_from as integer) as valid_from,
        cast(valid_to as integer) as valid_to
    from {{ ref('function_subjects') }}
    union all
    select
        'economic' as subject_kind,
        cast(econ_code as varchar) as subject_code,
        cast(econ_name as varchar) as subject_name,
        cast(valid_from as integer) as valid_from,
        cast(valid_to as integer) as valid_to
    from {{ ref('economic_subjects') }}
),

listed_keys as (
    select *, {{ subject_name_key('subject_name') }} as name_key from listed
),

printed as (
    select
        *,
        count(*) over (partition by subject_kind, subject_code, name_key, printed_name) as times_printed
    from {{ ref('int_printed_subject_names') }}
),

evidence as (
    select
        subject_kind,
        subject_code,
        name_key,
        first(printed_name order by times_printed desc, printed_name) as printed_name,
        count(distinct document_id) as document_count,
        first(document_id order by fiscal_year, document_id) as first_document_id,
        min(fiscal_year) as first_seen_year,
        max(fiscal_year) as last_seen_year
    from printed
    group by subject_kind, subject_code, name_key
),

from_list as (
    select
        listed_keys.subject_kind,
        listed_keys.subject_code,
        listed_keys.subject_name,
        listed_keys.valid_from,
        listed_keys.valid_to,
        'code list' as source,
        coalesce(evidence.document_count, 0) as document_count,
        evidence.first_document_id,
        evidence.first_seen_year,
        evidence.last_seen_year
    from listed_keys
    left join evidence
        on evidence.subject_kind = listed_keys.subject_kind
        and evidence.subject_code = listed_keys.subject_code
        and evidence.name_key = listed_keys.name_key
),

from_documents as (
    select
        evidence.subject_kind,
        evidence.subject_code,
        evidence.printed_name as subject_name,
        evidence.first_seen_year as valid_from,
        evidence.last_seen_year as valid_to,
        'documents' as source,
        evidence.document_count,
        evidence.first_document_id,
        evidence.first_seen_year,
        evidence.last_seen_year
    from evidence
    where not exists (
        select 1
        from listed_keys
        where listed_keys.subject_kind = evidence.subject_kind
            and listed_keys.subject_code = evidence.subject_code
            and listed_keys.name_key = evidence.name_key
    )
)

select * from from_list
union all
select * from from_documents
