{#- How a department's name is matched (models/intermediate/int_department_*.sql). -#}

{#- A department name as a matching key: normalise_name(), then the party prefix set aside
    (中共乐山市金口河区委办公室 and 乐山市金口河区委办公室 are one name). -#}
{% macro department_key(name) -%}
    nullif(regexp_replace({{ normalise_name(name) }}, '^(?:中共|中国共产党)', ''), '')
{%- endmacro %}

{#- One region word a name opens with: a province, city, district or county as printed (四川省, 乐山市,
    金口河区, 峨边彝族自治县, 广西壮族自治区). Two characters at least before the level word, so 城市管理局
    or 市场监督管理局 never start with a region. -#}
{% macro region_word_pattern() -%}
    [^省市区县]{2,8}?(?:省|自治区|自治州|地区|盟|市|区|县|旗)
{%- endmacro %}

{#- A bare level word opening what is left after the regions: 区委办公室, 县政府办 (the district unnamed). -#}
{% macro bare_level_pattern() -%}
    ^([省市区县])(?:委|人民政府|政府|人大|政协)
{%- endmacro %}
