{#- Yuan per 0.01 of a table's printed unit: 万元 → 100, 元 → 0.01 (unknown → the looser 万元). -#}
{% macro yuan_per_cent(unit) -%}
    cast(
        case when {{ unit }} = '元' then {{ var('yuan_per_cent_yuan') }} else {{ var('yuan_per_cent_wan') }} end
        as decimal(20, 2)
    )
{%- endmacro %}

{#- Yuan shown in 万元 (what people read), exactly: a decimal product, never a float division. -#}
{% macro wan(yuan) -%}
    cast(({{ yuan }}) * 0.0001 as decimal(22, 6))
{%- endmacro %}

{#- An issue's figure as a reader sees it: a year as 2023, a percentage as 12.5%, money as yuan. -#}
{% macro issue_value(figure, value_kind) -%}
    case
        when {{ figure }} is null then null
        when {{ value_kind }} = 'year' then cast(cast({{ figure }} as integer) as varchar)
        when {{ value_kind }} = 'percent' then cast({{ figure }} as varchar) || '%'
        else cast({{ figure }} as varchar) || ' 元'
    end
{%- endmacro %}
