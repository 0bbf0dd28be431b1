-- Every name the matching meets (documents' names, and both sides of the override file), split into its
-- parts: the region words it opens with (乐山市金口河区, as '/乐山市/金口河区'), a bare level word when it names
-- its level only (区委办公室: '区'), and the core, the department itself (教育局, 委办公室).
with names as (
    select name_key from {{ ref('int_department_documents') }}
    union
    select {{ department_key('printed_name') }} from {{ ref('stg_department_overrides') }}
    union
    select {{ department_key('department_name') }} from {{ ref('stg_department_overrides') }}
),

prefixed as (
    select
        name_key,
        regexp_extract(name_key, '^((?:{{ region_word_pattern() }})*)', 1) as region_prefix
    from names
    where name_key is not null
),

levelled as (
    select
        *,
        regexp_extract(substr(name_key, length(region_prefix) + 1), '{{ bare_level_pattern() }}', 1) as bare_level
    from prefixed
)

select
    name_key,
    nullif(region_prefix, '') as region,
    case
        when region_prefix = '' then ''
        else '/' || array_to_string(regexp_extract_all(region_prefix, '{{ region_word_pattern() }}'), '/')
    end as region_path,
    bare_level,
    substr(name_key, length(region_prefix) + length(bare_level) + 1) as core
from levelled
