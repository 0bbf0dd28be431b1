-- Which printed name may stand for which: a link from a name to another name of the same department, fuller
-- (its region printed whole: 金口河区教育局 → 乐山市金口河区教育局; a bare level: 区委办公室 → 乐山市金口河区委办公室)
-- or later / official (the vocabulary's short names and renames: 卫生和计划生育局 → 卫生健康局), always within one
-- region: the linked name's regions end with the name's own (never two districts' 教育局).
-- A rename links two names only when they never print the same report (year, kind and level): a department
-- is renamed between years, two that publish side by side are two departments (blocked_reason says so).
with parts as (
    select * from {{ ref('int_department_name_parts') }}
),

documents as (
    select * from {{ ref('int_department_documents') }}
),

nodes as (
    select parts.*
    from parts
    where parts.name_key in (select name_key from documents)
),

cores as (
    select distinct core as from_core, core as to_core, []::varchar[] as rules, null::varchar as path
    from nodes
    union all
    select from_core, to_core, rules, path from {{ ref('int_department_vocabulary') }}
),

links as (
    select
        named.name_key as from_key,
        linked.name_key as to_key,
        named.core as from_core,
        linked.core as to_core,
        cores.rules as vocabulary_rules,
        cores.path as vocabulary_path,
        named.region_path <> linked.region_path or named.bare_level <> linked.bare_level as prefix_dropped,
        -- the regions the name leaves out (乐山市 for 金口河区教育局), or the region a bare level stands for
        left(
            coalesce(linked.region, ''), length(coalesce(linked.region, '')) - length(coalesce(named.region, ''))
        ) as regions_dropped
    from nodes as named
    inner join cores on cores.from_core = named.core
    inner join nodes as linked
        on linked.core = cores.to_core
        and linked.name_key <> named.name_key
    where
        case
            when named.bare_level = ''
                then linked.bare_level = '' and ends_with(linked.region_path, named.region_path)
            else
                (linked.bare_level = named.bare_level and linked.region_path = named.region_path)
                or (
                    named.region_path = ''
                    and linked.bare_level = ''
                    and linked.region_path <> ''
                    and ends_with(linked.region_path, named.bare_level)
                )
        end
),

shared_reports as (
    select
        links.from_key,
        links.to_key,
        min(
            concat_ws(' ', earlier.fiscal_year, earlier.report_kind, earlier.report_level)
        ) as shared_report
    from links
    inner join documents as earlier on earlier.name_key = links.from_key
    inner join documents as later
        on later.name_key = links.to_key
        and later.fiscal_year = earlier.fiscal_year
        and later.report_kind = earlier.report_kind
        and later.report_level is not distinct from earlier.report_level
    where list_contains(links.vocabulary_rules, 'rename')
    group by links.from_key, links.to_key
)

select
    links.*,
    case
        when shared_reports.shared_report is not null
            then 'the rename vocabulary links them, but both names publish the '
                || shared_reports.shared_report || ' report'
    end as blocked_reason
from links
left join shared_reports
    on shared_reports.from_key = links.from_key
    and shared_reports.to_key = links.to_key
