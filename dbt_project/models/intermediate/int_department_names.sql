-- Each document's department as a key: the printed name normalised, then mapped through the alias
-- seed, so variants of one department share one department_id.
with documents as (
    select document_id, department_name from {{ ref('stg_documents') }}
),

aliases as (
    select
        {{ normalise_name('alias_name') }} as alias_key,
        {{ normalise_name('canonical_name') }} as canonical_key,
        canonical_name
    from {{ ref('department_aliases') }}
),

named as (
    select
        document_id,
        department_name as printed_name,
        {{ normalise_name('department_name') }} as name_key
    from documents
)

select
    named.document_id,
    named.printed_name,
    aliases.canonical_name,
    coalesce(aliases.canonical_key, named.name_key) as department_key,
    md5(coalesce(aliases.canonical_key, named.name_key)) as department_id
from named
left join aliases on aliases.alias_key = named.name_key
