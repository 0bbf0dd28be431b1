{#- A department name as a key: all whitespace removed, full-width brackets folded to ASCII. -#}
{% macro normalise_name(name) -%}
    nullif(
        translate(regexp_replace(trim({{ name }}), '[\s\x{3000}]+', '', 'g'), '（）【】', '()[]'),
        ''
    )
{%- endmacro %}

{#- A printed row label as a name: a leading code ("2013101 ") or ordinal ("一、") removed. -#}
{% macro clean_row_label(label) -%}
    nullif(
        regexp_replace(trim({{ label }}), '^([0-9]+[\s\x{3000}]*|[一二三四五六七八九十]+、|[\s\x{3000}]+)+', ''),
        ''
    )
{%- endmacro %}
