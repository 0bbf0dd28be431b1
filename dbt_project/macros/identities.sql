{#- Rows of `facts` at parent_level whose amount is not the sum of their child_level rows (same
    document, table, fund scope, measure) within 0.01 × n printed units. Only parents in tables
    that print that level of detail are checked (summary tables print 类 lines only). A parent
    row left blank (zero) under non-zero children is a mismatch too. -#}
{% macro hierarchy_mismatches(facts, code, level, parent, parent_level, child_level) %}
with facts as (
    select
        document_id, table_kind, fund_scope, measure,
        {{ code }} as code, {{ level }} as level, {{ parent }} as parent_code, amount_yuan
    from {{ facts }}
),

children as (
    select
        document_id, table_kind, fund_scope, measure, parent_code,
        sum(amount_yuan) as children_sum,
        count(*) as n_terms
    from facts
    where level = '{{ child_level }}'
    group by document_id, table_kind, fund_scope, measure, parent_code
),

parents as (
    select document_id, table_kind, fund_scope, measure, code as parent_code, amount_yuan as printed
    from facts
    where level = '{{ parent_level }}'
),

detailed as (
    select distinct document_id, table_kind, fund_scope, parent_code
    from children
),

compared as (
    select
        coalesce(parents.document_id, children.document_id) as document_id,
        coalesce(parents.table_kind, children.table_kind) as table_kind,
        coalesce(parents.fund_scope, children.fund_scope) as fund_scope,
        coalesce(parents.measure, children.measure) as measure,
        coalesce(parents.parent_code, children.parent_code) as parent_code,
        coalesce(parents.printed, 0) as printed,
        coalesce(children.children_sum, 0) as children_sum,
        coalesce(children.n_terms, 0) as n_terms
    from parents
    full outer join children
        on parents.document_id = children.document_id
        and parents.table_kind = children.table_kind
        and parents.fund_scope = children.fund_scope
        and parents.measure = children.measure
        and parents.parent_code = children.parent_code
)

select compared.*, tables.unit
from compared
inner join detailed
    on detailed.document_id = compared.document_id
    and detailed.table_kind = compared.table_kind
    and detailed.fund_scope = compared.fund_scope
    and detailed.parent_code = compared.parent_code
left join {{ ref('int_document_tables') }} as tables
    on tables.document_id = compared.document_id
    and tables.table_kind = compared.table_kind
where {{ outside_tolerance('compared.printed', 'compared.children_sum', 'compared.n_terms', 'tables.unit') }}
{% endmacro %}
