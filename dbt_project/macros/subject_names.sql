{#- A subject name as a comparison key (the SQL twin of extract.classification.normalise_name on a printed
    label): the leading code or ordinal removed (clean_row_label, and "(一)" / "①" numbering, the "." of "1."), all
    whitespace removed, full-width brackets folded, 其它 read as 其他, a trailing "(类)" / "(款)" / "(项)" and
    any leading "其中:" dropped. -#}
{% macro subject_name_key(label) -%}
    nullif(
        regexp_replace(
            regexp_replace(
                replace(
                    translate(
                        regexp_replace({{ clean_row_label(label) }}, '[\s\x{3000}]+', '', 'g'),
                        '（）：', '():'
                    ),
                    '其它', '其他'
                ),
                '^(其中:?|\([一二三四五六七八九十0-9]+\)、?|[.、]|[①-⑳])+', ''
            ),
            '\((类|款|项)\)$', ''
        ),
        ''
    )
{%- endmacro %}

{#- Whether `printed` (a name key) is a clear abbreviation of `listed` (a name key): its characters appear in
    the listed name in order (行政事业单位养老支 of 行政事业单位养老支出, cut by its cell; 其他支出 of
    其他人大事务支出; 国有土地使用权出让收入安排的支出 of 国有土地使用权出让收入及对应专项债务收入安排的支出). -#}
{% macro is_abbreviation_of(printed, listed) -%}
    regexp_matches(
        {{ listed }},
        '^.*' || array_to_string(list_transform(string_split({{ printed }}, ''), c -> regexp_escape(c)), '.*') || '.*$'
    )
{%- endmacro %}
