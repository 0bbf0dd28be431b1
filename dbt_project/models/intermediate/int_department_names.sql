-- Each document's department: the department_id its printed name is filed under, and why.
--
-- A printed name follows its links (int_department_links) to the names no further link leads from: when
-- exactly one such name is reached, that is its department (金口河区教育局 → 乐山市金口河区教育局); when several
-- are (普陀区教育局 with both 上海市普陀区教育局 and 舟山市普陀区教育局 in the warehouse) it stays a department of its
-- own and int_department_candidates lists it. A rename whose department would then hold two documents of
-- one report (two predecessors merged into one bureau) is undone for the renamed name.
-- The override file (raw.department_overrides, the bureau's departments.csv) comes first: a printed name
-- it names is filed under its department_name: the department that name is filed under when it is a
-- printed name of the warehouse, else a department of that name (the printed name itself: a split).
with documents as (
    select * from {{ ref('int_department_documents') }}
),

parts as (
    select * from {{ ref('int_department_name_parts') }}
),

links as (
    select * from {{ ref('int_department_links') }}
    where blocked_reason is null
),

names as (
    select distinct name_key from documents
),

linking as (
    select distinct from_key as name_key from links
),

reached as (
    select links.from_key as name_key, links.to_key as root_key, links.vocabulary_rules, links.vocabulary_path,
        links.prefix_dropped, links.regions_dropped
    from links
    where links.to_key not in (select name_key from linking)
    union all
    select name_key, name_key, []::varchar[], null, false, ''
    from names
    where name_key not in (select name_key from linking)
),

resolved as (
    -- the roots a name reaches; the link's details matter only when there is one
    select
        name_key,
        count(*) as root_count,
        any_value(root_key) as root_key,
        any_value(vocabulary_rules) as vocabulary_rules,
        any_value(vocabulary_path) as vocabulary_path,
        any_value(prefix_dropped) as prefix_dropped,
        any_value(regions_dropped) as regions_dropped
    from reached
    group by name_key
),

automatic as (
    select
        name_key,
        root_count,
        case when root_count = 1 then root_key else name_key end as auto_key,
        case when root_count = 1 then vocabulary_rules else []::varchar[] end as vocabulary_rules,
        case when root_count = 1 then vocabulary_path end as vocabulary_path,
        root_count = 1 and prefix_dropped as prefix_dropped,
        case when root_count = 1 then regions_dropped end as regions_dropped
    from resolved
),

tentative as (
    select documents.*, automatic.* exclude (name_key)
    from documents
    inner join automatic on automatic.name_key = documents.name_key
),

-- two names renamed into one department that both print one report: the renamed one stands alone
conflicted as (
    select
        renamed.name_key,
        min(concat_ws(' ', renamed.fiscal_year, renamed.report_kind, renamed.report_level)) as shared_report,
        min(other.name_key) as other_name
    from tentative as renamed
    inner join tentative as other
        on other.auto_key = renamed.auto_key
        and other.name_key <> renamed.name_key
        and other.fiscal_year = renamed.fiscal_year
        and other.report_kind = renamed.report_kind
        and other.report_level is not distinct from renamed.report_level
    where list_contains(renamed.vocabulary_rules, 'rename')
    group by renamed.name_key
),

matched as (
    select
        tentative.* exclude (auto_key, vocabulary_rules, vocabulary_path, prefix_dropped, regions_dropped),
        case when conflicted.name_key is null then tentative.auto_key else tentative.name_key end as auto_key,
        case when conflicted.name_key is null then tentative.vocabulary_rules else []::varchar[] end
            as vocabulary_rules,
        case when conflicted.name_key is null then tentative.vocabulary_path end as vocabulary_path,
        conflicted.name_key is null and tentative.prefix_dropped as prefix_dropped,
        tentative.regions_dropped,
        case when conflicted.name_key is not null then tentative.auto_key end as unmerged_from_key,
        case
            when conflicted.name_key is not null
                then 'renamed into the department of ' || conflicted.other_name
                    || ', which prints the same ' || conflicted.shared_report || ' report'
        end as unmerged_reason
    from tentative
    left join conflicted on conflicted.name_key = tentative.name_key
),

overrides as (
    select
        *,
        {{ department_key('printed_name') }} as override_key,
        {{ normalise_name('region') }} as region_key,
        {{ department_key('department_name') }} as target_key
    from {{ ref('stg_department_overrides') }}
),

automatic_keys as (
    select distinct name_key, auto_key from matched
),

overridden as (
    select
        matched.document_id,
        overrides.department_name,
        overrides.line_number,
        overrides.source_file,
        case
            when overrides.target_key in (matched.printed_key, matched.name_key) then overrides.target_key
            else coalesce(target.auto_key, overrides.target_key)
        end as override_department_key
    from matched
    left join parts as own_parts on own_parts.name_key = matched.name_key
    left join parts as auto_parts on auto_parts.name_key = matched.auto_key
    inner join overrides
        on overrides.override_key in (matched.printed_key, matched.name_key)
        and (
            overrides.region_key is null
            or ends_with(coalesce(auto_parts.region, ''), overrides.region_key)
            or ends_with(coalesce(own_parts.region, ''), overrides.region_key)
            or ends_with(coalesce(matched.printed_region, ''), overrides.region_key)
        )
    left join automatic_keys as target on target.name_key = overrides.target_key
    -- a row naming the region wins over one that does not; then the later line
    qualify row_number() over (
        partition by matched.document_id order by overrides.region_key is null, overrides.line_number desc
    ) = 1
)

select
    matched.document_id,
    matched.printed_name,
    matched.printed_key,
    matched.name_key,
    matched.fiscal_year,
    matched.report_kind,
    matched.report_level,
    matched.loaded_at,
    coalesce(overridden.override_department_key, matched.auto_key) as department_key,
    md5(coalesce(overridden.override_department_key, matched.auto_key)) as department_id,
    md5(matched.auto_key) as automatic_department_id,
    case
        when overridden.document_id is not null then 'override'
        else coalesce(
            nullif(
                array_to_string(
                    list_distinct(
                        list_concat(
                            case when matched.alias_of is not null then ['alias'] else []::varchar[] end,
                            case when matched.prefix_dropped then ['prefix dropped'] else []::varchar[] end,
                            matched.vocabulary_rules
                        )
                    ),
                    ' + '
                ),
                ''
            ),
            'exact'
        )
    end as match_rule,
    case
        when overridden.document_id is not null then overridden.department_name
        else matched.auto_key
    end as matched_name,
    case
        when overridden.document_id is not null
            then coalesce(overridden.source_file, 'the override file') || ' line ' || overridden.line_number
                || ': ' || matched.printed_name
                || case
                    when overridden.override_department_key in (matched.printed_key, matched.name_key)
                        then ' is a department of its own'
                    else ' → ' || overridden.department_name
                end
        else coalesce(
            nullif(
                concat_ws(
                    '; ',
                    case when matched.alias_of is not null then 'department_aliases.csv: ' || matched.alias_of end,
                    case
                        when matched.prefix_dropped
                            then 'printed without ' || coalesce(nullif(matched.regions_dropped, ''), 'its region')
                                || ': the one department of that name in its region'
                    end,
                    matched.vocabulary_path,
                    matched.unmerged_reason,
                    case
                        when matched.root_count > 1
                            then matched.root_count || ' departments fit this name: filed on its own (see the candidates)'
                    end
                ),
                ''
            ),
            case
                when matched.printed_key = matched.name_key and {{ normalise_name('matched.printed_name') }} = matched.name_key
                    then 'the name as printed'
                else 'the same name once spaces, full-width brackets and 中共 are set aside'
            end
        )
    end as match_evidence,
    matched.alias_of,
    matched.root_count,
    matched.unmerged_reason,
    matched.unmerged_from_key,
    overridden.department_name as override_department_name
from matched
left join overridden on overridden.document_id = matched.document_id
