{#- A mart's totals reconcile with the facts it comes from: grouped by `by`, the sum of `column` over
    the model's rows (optionally `where`) equals the sum of `to_column` over `to`'s rows (`to_where`)
    exactly: both sides add the same printed amounts, only in another order. Returns each group
    whose sums differ, or that one side lacks. -#}
{% test sums_reconcile(model, column, to, to_column, by, where=none, to_where=none) %}
with mart as (
    select {{ by | join(', ') }}, sum({{ column }}) as mart_sum
    from {{ model }}
    {% if where %}where {{ where }}{% endif %}
    group by {{ by | join(', ') }}
),

facts as (
    select {{ by | join(', ') }}, sum({{ to_column }}) as facts_sum
    from {{ to }}
    {% if to_where %}where {{ to_where }}{% endif %}
    group by {{ by | join(', ') }}
)

select
    {% for key in by %}coalesce(mart.{{ key }}, facts.{{ key }}) as {{ key }}, {% endfor %}
    mart.mart_sum,
    facts.facts_sum
from mart
full outer join facts
    on {% for key in by %}mart.{{ key }} is not distinct from facts.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
where mart.mart_sum is distinct from facts.facts_sum
{% endtest %}
