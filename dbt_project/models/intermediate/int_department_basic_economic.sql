-- Each department report's general-public-budget basic expenditure by economic class, read once: the
-- 一般公共预算财政拨款基本支出 economic table's leaf rows (款 where printed, else 类), added up per class.
-- Personnel (人员经费) is classes 301 工资福利支出 and 303 对个人和家庭的补助; public use (公用经费) is
-- every other class of basic expenditure (302 商品和服务支出, 310 资本性支出 …): the Ministry's split,
-- whatever columns or subtotal rows a province prints it with.
with facts as (
    select facts.*
    from {{ ref('int_economic_facts') }} as facts
    inner join {{ ref('int_department_reports') }} as reports on reports.document_id = facts.document_id
    where facts.table_kind = 'gpb_basic_economic'
        and facts.measure = 'total'
),

parents as (
    select distinct document_id, class_code
    from facts
    where econ_level = '款'
)

select
    facts.document_id,
    facts.class_code,
    sum(facts.amount_yuan) as amount_yuan,
    facts.class_code in ({{ personnel_economic_classes() }}) as is_personnel
from facts
left join parents
    on parents.document_id = facts.document_id
    and parents.class_code = facts.econ_code
where parents.class_code is null
group by facts.document_id, facts.class_code
