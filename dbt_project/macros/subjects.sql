{#- Classification codes: the level is told by the code's length (function 3/5/7, economic 3/5). -#}

{% macro function_subject_level(code) -%}
    case
        when regexp_full_match({{ code }}, '[0-9]{3}') then '类'
        when regexp_full_match({{ code }}, '[0-9]{5}') then '款'
        when regexp_full_match({{ code }}, '[0-9]{7}') then '项'
    end
{%- endmacro %}

{% macro function_parent_code(code) -%}
    case
        when regexp_full_match({{ code }}, '[0-9]{5}') then left({{ code }}, 3)
        when regexp_full_match({{ code }}, '[0-9]{7}') then left({{ code }}, 5)
    end
{%- endmacro %}

{% macro function_section_code(code) -%}
    case when regexp_full_match({{ code }}, '[0-9]{5}|[0-9]{7}') then left({{ code }}, 5) end
{%- endmacro %}

{% macro economic_subject_level(code) -%}
    case
        when regexp_full_match({{ code }}, '[0-9]{3}') then '类'
        when regexp_full_match({{ code }}, '[0-9]{5}') then '款'
    end
{%- endmacro %}

{% macro class_code(code) -%}
    case when regexp_full_match({{ code }}, '[0-9]{3}([0-9]{2}){0,2}') then left({{ code }}, 3) end
{%- endmacro %}

{#- Economic classes that are personnel spending (人员经费): 工资福利支出, 对个人和家庭的补助. -#}
{% macro personnel_economic_classes() -%}
    '301', '303'
{%- endmacro %}
