-- The fact marts carry exactly the figures the gate let in: every fact of a current loaded document's table
-- that is not withheld is one mart row with the same amount, and no mart row comes from anywhere else. The
-- arithmetic identities are the gate's (expectations/identities.py, generated from the specs, run on each
-- document before it loads, their failures in fct_quality_issue with whose error they are): since the marts
-- reshape the gated figures without changing one, every identity holds or fails in the marts exactly as the
-- gate found it, and none is written a second time here. Fails the build.
with withheld as (
    select distinct document_id, table_kind
    from {{ ref('stg_document_tables') }}
    where withheld_reason is not null
),

gated as (
    select
        facts.document_id, facts.table_kind,
        case when facts.fact_kind = 'three_public' then null else facts.fund_scope end as fund_scope,
        facts.fact_kind, facts.fact_key, facts.measure, facts.amount_yuan
    from {{ ref('stg_facts') }} as facts
    inner join {{ ref('dim_document') }} as documents
        on documents.document_id = facts.document_id
        and documents.is_current
    anti join withheld
        on withheld.document_id = facts.document_id
        and withheld.table_kind = facts.table_kind
),

in_marts as (
    select document_id, table_kind, fund_scope, 'function' as fact_kind, subject_code as fact_key, measure, amount_yuan
    from {{ ref('fct_function_amount') }}
    union all
    select document_id, table_kind, fund_scope, 'economic', econ_code, measure, amount_yuan
    from {{ ref('fct_economic_amount') }}
    union all
    select document_id, table_kind, fund_scope, 'summary', line_key, 'amount', amount_yuan
    from {{ ref('fct_summary_line') }}
    union all
    select document_id, table_kind, null, 'three_public', item, measure, amount_yuan
    from {{ ref('fct_three_public') }}
    union all
    select document_id, table_kind, fund_scope, 'table_total', total_key, measure, amount_yuan
    from {{ ref('int_table_totals') }}
)

select
    coalesce(gated.document_id, in_marts.document_id) as document_id,
    coalesce(gated.table_kind, in_marts.table_kind) as table_kind,
    coalesce(gated.fund_scope, in_marts.fund_scope) as fund_scope,
    coalesce(gated.fact_kind, in_marts.fact_kind) as fact_kind,
    coalesce(gated.fact_key, in_marts.fact_key) as fact_key,
    coalesce(gated.measure, in_marts.measure) as measure,
    gated.amount_yuan as gated_amount,
    in_marts.amount_yuan as mart_amount
from gated
full outer join in_marts
    on in_marts.document_id = gated.document_id
    and in_marts.table_kind = gated.table_kind
    and in_marts.fund_scope is not distinct from gated.fund_scope
    and in_marts.fact_kind = gated.fact_kind
    and in_marts.fact_key = gated.fact_key
    and in_marts.measure = gated.measure
where gated.amount_yuan is distinct from in_marts.amount_yuan
