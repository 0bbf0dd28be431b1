-- Every document that prints a department name, with the key it is matched by: the name with spaces,
-- full-width brackets and the party prefix (中共) set aside, after the shipped alias seed.
with documents as (
    select
        document_id,
        department_name as printed_name,
        fiscal_year,
        report_kind,
        report_level,
        region as printed_region,
        loaded_at
    from {{ ref('stg_documents') }}
),

aliases as (
    select
        {{ department_key('alias_name') }} as alias_key,
        canonical_name,
        {{ department_key('canonical_name') }} as canonical_key
    from {{ ref('department_aliases') }}
),

keyed as (
    select *, {{ department_key('printed_name') }} as printed_key
    from documents
)

select
    keyed.document_id,
    keyed.printed_name,
    keyed.printed_key,
    aliases.canonical_name as alias_of,
    coalesce(aliases.canonical_key, keyed.printed_key) as name_key,
    keyed.fiscal_year,
    keyed.report_kind,
    keyed.report_level,
    keyed.printed_region,
    keyed.loaded_at
from keyed
left join aliases on aliases.alias_key = keyed.printed_key
where keyed.printed_key is not null
