{{ config(materialized='table') }}
-- Pairs of departments the matching did NOT merge although they might be one, for a person to decide with
-- the override file (caijue departments lists them): within one region (or one printed with fewer region
-- words than the other), each with a score (Jaro-Winkler similarity of the department words, 1 = the same)
-- and why it was not merged. A pair the override file has decided is not a candidate again.
with names as (
    select * from {{ ref('int_department_names') }}
),

departments as (
    select
        departments.department_id,
        departments.department_name,
        departments.parent_department_id,
        parts.region,
        parts.region_path,
        parts.core
    from {{ ref('int_departments') }} as departments
    inner join {{ ref('int_department_name_parts') }} as parts on parts.name_key = departments.department_key
),

-- the pairs an override decided: the department it filed a name under and the one the matching had chosen
ruled as (
    select distinct
        least(department_id, automatic_department_id) as department_id,
        greatest(department_id, automatic_department_id) as other_department_id
    from names
    where match_rule = 'override'
),

name_departments as (
    select distinct name_key, department_id from names
),

-- names the override file files: what the matching made of them is decided
overridden_names as (
    select distinct name_key from names where match_rule = 'override'
),

blocked as (
    select named.department_id as one_id, linked.department_id as other_id, 1 as priority,
        'rename blocked' as candidate_kind, min(links.blocked_reason) as reason
    from {{ ref('int_department_links') }} as links
    inner join name_departments as named on named.name_key = links.from_key
    inner join name_departments as linked on linked.name_key = links.to_key
    where links.blocked_reason is not null
        and links.from_key not in (select name_key from overridden_names)
    group by all
),

unmerged as (
    select department_id as one_id, md5(unmerged_from_key) as other_id, 2 as priority,
        'rename undone' as candidate_kind, min(unmerged_reason) as reason
    from names
    where unmerged_from_key is not null
        and name_key not in (select name_key from overridden_names)
    group by all
),

ambiguous as (
    select named.department_id as one_id, linked.department_id as other_id, 3 as priority,
        'several fit' as candidate_kind,
        min(named_names.printed_name || ' fits ' || named_names.root_count
            || ' departments: filed on its own until the override file says which') as reason
    from names as named_names
    inner join name_departments as named on named.name_key = named_names.name_key
    inner join {{ ref('int_department_links') }} as links
        on links.from_key = named_names.name_key and links.blocked_reason is null
    inner join name_departments as linked on linked.name_key = links.to_key
    where named_names.root_count > 1
        and named_names.name_key not in (select name_key from overridden_names)
    group by all
),

similar_names as (
    select
        one.department_id as one_id,
        other.department_id as other_id,
        case when one.core = other.core then 4 else 5 end as priority,
        case when one.core = other.core then 'two levels' else 'similar names' end as candidate_kind,
        case
            when one.core = other.core
                then 'the same department name under ' || coalesce(one.region, '(no region)') || ' and '
                    || coalesce(other.region, '(no region)')
                    || ': two levels of government, two departments unless the override file merges them'
            when contains(one.core, other.core) or contains(other.core, one.core)
                then 'one name contains the other (' || one.core || ' / ' || other.core
                    || '): no rule of the vocabulary links them'
            else 'similar names in one region (' || one.core || ' / ' || other.core
                || '): no rule of the vocabulary links them'
        end as reason
    from departments as one
    inner join departments as other
        on one.department_id < other.department_id
        and (
            ends_with(one.region_path, other.region_path)
            or ends_with(other.region_path, one.region_path)
            or starts_with(one.region_path || '/', other.region_path || '/')
            or starts_with(other.region_path || '/', one.region_path || '/')
        )
    where
        jaro_winkler_similarity(one.core, other.core) >= {{ var('department_similarity_threshold') }}
        or contains(one.core, other.core)
        or contains(other.core, one.core)
),

pairs as (
    select
        least(one_id, other_id) as department_id,
        greatest(one_id, other_id) as other_department_id,
        candidate_kind,
        reason,
        priority
    from (
        select * from blocked
        union all select * from unmerged
        union all select * from ambiguous
        union all select * from similar_names
    )
    where one_id <> other_id
    qualify row_number() over (
        partition by least(one_id, other_id), greatest(one_id, other_id) order by priority, reason
    ) = 1
)

select
    pairs.department_id,
    one.department_name,
    pairs.other_department_id,
    other.department_name as other_department_name,
    coalesce(one.region, other.region) as region,
    cast(round(jaro_winkler_similarity(one.core, other.core), 3) as decimal(4, 3)) as score,
    pairs.candidate_kind,
    pairs.reason
from pairs
inner join departments as one on one.department_id = pairs.department_id
inner join departments as other on other.department_id = pairs.other_department_id
left join ruled
    on ruled.department_id = pairs.department_id
    and ruled.other_department_id = pairs.other_department_id
where ruled.department_id is null
    -- a unit beside the department its name begins with is linked already (dim_department.parent_department_id)
    and one.parent_department_id is distinct from other.department_id
    and other.parent_department_id is distinct from one.department_id
