-- The name vocabulary (seeds/department_name_vocabulary.csv) closed over its chains: 卫计局 → 卫生和计划生育局
-- → 卫生健康局 gives 卫计局 → 卫生健康局 too, with every step's rule and the path in words.
-- Made of a seed alone, so of the project alone (warehouse/dbt.py PROJECT_ONLY_NODES): a build of the project the
-- warehouse already holds leaves it, and its tests, as they are.
{{ config(tags=['project_only']) }}

with recursive vocabulary as (
    select
        printed_core,
        canonical_core,
        rule,
        printed_core || ' → ' || canonical_core || ' (' || rule || coalesce(', ' || since_year, '') || ')' as step
    from {{ ref('department_name_vocabulary') }}
),

closure as (
    select printed_core as from_core, canonical_core as to_core, [rule] as rules, step as path, 1 as steps
    from vocabulary
    union all
    select
        closure.from_core,
        vocabulary.canonical_core,
        list_append(closure.rules, vocabulary.rule),
        closure.path || '; ' || vocabulary.step,
        closure.steps + 1
    from closure
    inner join vocabulary on vocabulary.printed_core = closure.to_core
    where closure.steps < 5
)

select from_core, to_core, rules, path
from closure
qualify row_number() over (partition by from_core, to_core order by steps, path) = 1
