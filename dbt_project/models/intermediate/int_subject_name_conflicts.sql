-- A code printed with a name that contradicts the code list: one quality issue per document, code and printed
-- name, in the columns of stg_quality_issues (fct_quality_issue unions it). A printed name does not contradict
-- the list when, compared as keys (subject_name_key: numbering, spaces, bracket widths, a "(类)" aside), it is
-- one of the names the list knows for the code in any year (a former or a later name: documents keep printing
-- a renamed subject's old name), a clear abbreviation of one (its characters in order: 其他支出, a name cut by
-- its cell), or one of them with words added after it. A code the list does not know is not judged here (the
-- extractor's code.name_disagrees reads such a code by its name).
with listed as (
    select
        subject_kind,
        subject_code,
        subject_name,
        valid_from,
        valid_to,
        {{ subject_name_key('subject_name') }} as name_key
    from {{ ref('int_subject_names') }}
    where source = 'code list'
),

printed as (
    select * from {{ ref('int_printed_subject_names') }}
),

judged as (
    select printed.*
    from printed
    where exists (
        select 1 from listed
        where listed.subject_kind = printed.subject_kind and listed.subject_code = printed.subject_code
    )
    and not exists (
        select 1
        from listed
        where listed.subject_kind = printed.subject_kind
            and listed.subject_code = printed.subject_code
            and (
                listed.name_key = printed.name_key
                or starts_with(printed.name_key, listed.name_key)
                or {{ is_abbreviation_of('printed.name_key', 'listed.name_key') }}
            )
    )
),

-- The list's name(s) for the printed year: the names whose years cover it; before the list's records, the
-- code's earliest name; after a code ended, its last name.
expected as (
    select
        judged.document_id,
        judged.subject_kind,
        judged.subject_code,
        judged.name_key,
        string_agg(distinct listed.subject_name, '、' order by listed.subject_name) filter (
            where (listed.valid_from is null or listed.valid_from <= judged.fiscal_year)
            and (listed.valid_to is null or judged.fiscal_year <= listed.valid_to)
        ) as name_in_year,
        first(listed.subject_name order by coalesce(listed.valid_from, 0)) as earliest_name,
        first(listed.subject_name order by coalesce(listed.valid_to, 9999) desc) as latest_name,
        min(listed.valid_from) as first_year
    from judged
    inner join listed
        on listed.subject_kind = judged.subject_kind and listed.subject_code = judged.subject_code
    group by judged.document_id, judged.subject_kind, judged.subject_code, judged.name_key
),

issues as (
    select
        judged.*,
        coalesce(
            expected.name_in_year,
            case when judged.fiscal_year < expected.first_year then expected.earliest_name end,
            expected.latest_name
        ) as list_name,
        case judged.subject_kind when 'function' then '支出功能分类科目' else '部门预算支出经济分类科目' end
            as list_title
    from judged
    inner join expected
        on expected.document_id = judged.document_id
        and expected.subject_kind = judged.subject_kind
        and expected.subject_code = judged.subject_code
        and expected.name_key = judged.name_key
)

select
    document_id,
    case subject_kind
        when 'function' then 'subject.name_contradicts_list'
        else 'economic_subject.name_contradicts_list'
    end as check_name,
    'warning' as severity,
    table_kind,
    page,
    subject_code,
    cast(null as decimal(20, 2)) as expected,
    cast(null as decimal(20, 2)) as actual,
    '科目 ' || subject_code || ' 印为“' || printed_name || '”（第' || page || '页），而' || list_title
        || ' ' || fiscal_year || ' 年的名称为“' || list_name || '”' as message,
    'publisher' as attributed_to,
    list_title || ' ' || subject_code || '：' || list_name as evidence,
    printed_label as printed
from issues
