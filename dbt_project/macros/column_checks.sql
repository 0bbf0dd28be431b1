{#- The checks of tests/generic/column_checks.sql, one failing-row query each. -#}
{% macro column_check_not_null(model, column) %}
select 'not_null: {{ column }}' as failed_check, cast(null as varchar) as failing_value
from {{ model }}
where {{ column }} is null
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
