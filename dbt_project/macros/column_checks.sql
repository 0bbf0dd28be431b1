{#- The checks of tests/generic/column_checks.sql, one failing-row query each. -#}
{% macro column_check_not_null(model, column, where=none) %}
select 'not_null: {{ column }}{{ (" where " ~ where) | replace("'", "''") if where }}' as failed_check, cast(null as varchar) as failing_value
from {{ model }}
where {{ column }} is null{{ " and (" ~ where ~ ")" if where }}
{% endmacro %}

{% macro column_check_unique(model, key) %}
select 'unique: {{ key | join(", ") }}' as failed_check, concat_ws(', ', {{ key | join(', ') }}) as failing_value
from {{ model }}
{%- if key | length == 1 %}
where {{ key[0] }} is not null
{%- endif %}
group by {{ key | join(', ') }}
having count(*) > 1
{% endmacro %}

{% macro column_check_accepted_values(model, column, words) %}
select 'accepted_values: {{ column }}' as failed_check, cast({{ column }} as varchar) as failing_value
from {{ model }}
where {{ column }} not in ({% for word in words %}{{ sql_string(word) }}{% if not loop.last %}, {% endif %}{% endfor %})
group by {{ column }}
{% endmacro %}

{% macro column_check_relationship(model, column, to, field) %}
select 'relationships: {{ column }} → {{ to.identifier }}.{{ field }}' as failed_check,
    cast(child.{{ column }} as varchar) as failing_value
from {{ model }} as child
where child.{{ column }} is not null
    and not exists (select 1 from {{ to }} as parent where parent.{{ field }} = child.{{ column }})
{% endmacro %}

{#- A group's key and both sums as the failing value: "2024, final: 1234.50 in the model, 1234.00 in fct_summary_line"
    (a sum one side lacks is "none"). -#}
{% macro column_check_sums_reconcile(model, check) %}
{%- set by = check.by | join(', ') -%}
select 'sums_reconcile: {{ check.column }} = {{ check.to.identifier }}.{{ check.to_column }} by {{ by }}' as failed_check,
    concat_ws(', ', {% for key in check.by %}coalesce(mart.{{ key }}, facts.{{ key }}){{ ', ' if not loop.last }}{% endfor %}) || ': '
        || coalesce(cast(mart.mart_sum as varchar), 'none') || ' in the model, '
        || coalesce(cast(facts.facts_sum as varchar), 'none') || ' in {{ check.to.identifier }}' as failing_value
from (
    select {{ by }}, sum({{ check.column }}) as mart_sum
    from {{ model }}
    {% if check.where %}where {{ check.where }}{% endif %}
    group by {{ by }}
) as mart
full outer join (
    select {{ by }}, sum({{ check.to_column }}) as facts_sum
    from {{ check.to }}
    {% if check.to_where %}where {{ check.to_where }}{% endif %}
    group by {{ by }}
) as facts
    on {% for key in check.by %}mart.{{ key }} is not distinct from facts.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
where mart.mart_sum is distinct from facts.facts_sum
{% endmacro %}
