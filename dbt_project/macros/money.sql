{#- Yuan per 0.01 of a table's printed unit: 万元 → 100, 元 → 0.01 (unknown → the looser 万元). -#}
{% macro yuan_per_cent(unit) -%}
    cast(
        case when {{ unit }} = '元' then {{ var('yuan_per_cent_yuan') }} else {{ var('yuan_per_cent_wan') }} end
        as decimal(20, 2)
    )
{%- endmacro %}

{#- A sum of n printed terms may miss its printed total by 0.01 × n in the printed unit. -#}
{% macro outside_tolerance(expected, actual, n_terms, unit) -%}
    abs({{ expected }} - {{ actual }}) > greatest({{ n_terms }}, 1) * {{ yuan_per_cent(unit) }}
{%- endmacro %}
