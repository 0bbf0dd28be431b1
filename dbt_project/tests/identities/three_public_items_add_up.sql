-- DOMAIN.md identity 4: 三公 合计 = 因公出国(境)费 + 公务用车购置及运行维护费 + 公务接待费, and
-- 公务用车购置及运行维护费 = 购置费 + 运行维护费, for budget and for actual.
with items as (
    select
        document_id, table_kind, measure,
        max(amount_yuan) filter (where item = 'total') as total,
        max(amount_yuan) filter (where item = 'vehicle_total') as vehicle_total,
        coalesce(sum(amount_yuan) filter (where item in ('overseas_travel', 'vehicle_total', 'reception')), 0)
            as total_parts,
        count(*) filter (where item in ('overseas_travel', 'vehicle_total', 'reception')) as n_total_parts,
        coalesce(sum(amount_yuan) filter (where item in ('vehicle_purchase', 'vehicle_operation')), 0)
            as vehicle_parts,
        count(*) filter (where item in ('vehicle_purchase', 'vehicle_operation')) as n_vehicle_parts
    from {{ ref('fct_three_public') }}
    group by document_id, table_kind, measure
),

checks as (
    select document_id, table_kind, measure, 'total = overseas_travel + vehicle_total + reception' as identity,
        coalesce(total, 0) as printed, total_parts as parts_sum, n_total_parts as n_terms
    from items
    where total is not null or n_total_parts > 0
    union all
    select document_id, table_kind, measure, 'vehicle_total = vehicle_purchase + vehicle_operation' as identity,
        coalesce(vehicle_total, 0) as printed, vehicle_parts as parts_sum, n_vehicle_parts as n_terms
    from items
    where n_vehicle_parts > 0
)

select checks.*, tables.unit
from checks
left join {{ ref('int_document_tables') }} as tables
    on tables.document_id = checks.document_id
    and tables.table_kind = checks.table_kind
where {{ outside_tolerance('checks.printed', 'checks.parts_sum', 'checks.n_terms', 'tables.unit') }}
