-- Every name an economic subject code has carried, one row per code and name: the code list's names with their
-- valid years (source 'code list'; the 2018 reform is where most former names end), and the names loaded
-- documents print that the list does not know (source 'documents'), each with the documents that print it.
select
    cast(subject_code as varchar) as econ_code,
    cast(subject_name as varchar) as econ_name,
    cast(valid_from as integer) as valid_from,
    cast(valid_to as integer) as valid_to,
    cast(source as varchar) as source,
    cast(document_count as integer) as document_count,
    cast(first_document_id as varchar) as first_document_id,
    cast(first_seen_year as integer) as first_seen_year,
    cast(last_seen_year as integer) as last_seen_year
from {{ ref('int_subject_names') }}
where subject_kind = 'economic'
