-- One row per department: the name it is filed under, its region, level and years, every printed variant,
-- and for a unit that publishes under a name of its own the department it belongs to.
with names as (
    select * from {{ ref('int_department_names') }}
),

parts as (
    select * from {{ ref('int_department_name_parts') }}
),

documents as (
    select document_id, printed_region from {{ ref('int_department_documents') }}
),

departments as (
    select
        names.department_id,
        any_value(names.department_key) as department_key,
        -- the name it is filed under: its own name as last printed; else the override's or the alias
        -- seed's spelling of it; else the latest printed name
        coalesce(
            arg_max(names.printed_name, concat(coalesce(names.fiscal_year, 0), ' ', names.loaded_at))
                filter (where names.printed_key = names.department_key),
            max(names.override_department_name)
                filter (where {{ department_key('names.override_department_name') }} = names.department_key),
            max(names.alias_of) filter (where {{ department_key('names.alias_of') }} = names.department_key),
            arg_max(names.printed_name, concat(coalesce(names.fiscal_year, 0), ' ', names.loaded_at))
        ) as department_name,
        arg_max(documents.printed_region, concat(coalesce(names.fiscal_year, 0), ' ', names.loaded_at))
            filter (where documents.printed_region is not null) as printed_region,
        -- a department publishes at department level; one whose documents are all 单位 reports is a unit
        case
            when count(names.report_level) > 0 and bool_and(names.report_level = 'unit') then 'unit'
            else 'department'
        end as level,
        min(names.fiscal_year) as first_year,
        max(names.fiscal_year) as last_year,
        array_to_string(list_sort(list_distinct(list(names.printed_name))), ',') as name_variants,
        count(*) as document_count
    from names
    inner join documents on documents.document_id = names.document_id
    group by names.department_id
),

-- the keys a unit-level department is known by: each printed name's and its matching key
unit_keys as (
    select department_id, printed_key as unit_key from names where report_level = 'unit'
    union
    select department_id, name_key as unit_key from names where report_level = 'unit'
),

-- a unit's department, by structure: the department whose own document lists it among the units it
-- consolidates (its 部门概况: raw.document_units), the latest such document when several do. Joined on equal
-- keys: a join on either of two keys (key in (printed_key, name_key)) is a nested loop, every listed unit
-- against every unit's name (1.2 s of a 1,600-document build).
listed as (
    select
        units.department_id as unit_department_id,
        arg_max(
            listing.department_id, concat(listing.fiscal_year, ' ', listing.loaded_at)
        ) as parent_department_id,
        arg_max(
            'listed among its units by ' || listing.printed_name || '''s ' || listing.fiscal_year || ' '
                || listing.report_kind || coalesce(' (page ' || listed_units.page || ')', ''),
            concat(listing.fiscal_year, ' ', listing.loaded_at)
        ) as evidence
    from {{ ref('stg_document_units') }} as listed_units
    inner join names as listing
        on listing.document_id = listed_units.document_id
        and listing.report_level = 'department'
    inner join unit_keys as units
        on units.unit_key = {{ department_key('listed_units.unit_name') }}
        and units.department_id <> listing.department_id
    group by units.department_id
),

-- else by name: the department-level department whose name the unit's begins with (福州市公安局 for
-- 福州市公安局文职人员管理中心), the longest when several do
prefixed as (
    select
        unit.department_id,
        arg_max(parent.department_id, length(parent.department_key)) as parent_department_id,
        'its name begins with its department''s: '
            || arg_max(parent.department_name, length(parent.department_key)) as evidence
    from departments as unit
    inner join departments as parent
        on parent.level = 'department'
        and starts_with(unit.department_key, parent.department_key)
        and length(unit.department_key) > length(parent.department_key)
    where unit.level = 'unit'
    group by unit.department_id
)

select
    departments.department_id,
    departments.department_key,
    departments.department_name,
    coalesce(parts.region, departments.printed_region) as region,
    departments.level,
    case when departments.level = 'unit' then coalesce(listed.parent_department_id, prefixed.parent_department_id) end
        as parent_department_id,
    case
        when departments.level <> 'unit' then null
        else coalesce(
            listed.evidence,
            prefixed.evidence,
            'unknown: no department''s document lists it among its units, and no department''s name begins its name'
        )
    end as parent_evidence,
    departments.first_year,
    departments.last_year,
    departments.name_variants,
    departments.document_count
from departments
left join parts on parts.name_key = departments.department_key
left join listed on listed.unit_department_id = departments.department_id
left join prefixed on prefixed.department_id = departments.department_id
