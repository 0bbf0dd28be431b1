{#-
  marts_zh: one view per relation in `marts`, for analysts who work in Chinese. Nothing here is written
  per mart: the views are generated at the end of every run (dbt_project.yml on-run-end) from what
  `marts` holds and from two seeds —

    display_columns_zh (model, column, label, unit, vocabulary): a column's Chinese name. model `*` is
      the default for a column name in any mart. unit 元 / 万元 suffixes the name (“金额（元）”); a 元
      column is followed by its 万元 twin: the mart's own 万元 column of the same label, or one computed
      exactly (macro wan). vocabulary names the codes the column holds (`table_kind[]`: a comma-separated
      list of them).
    display_values_zh (vocabulary, value, report_kind, label): a code's Chinese words; a row with a
      report_kind applies to rows of that kind (a table_kind is titled 决算 or 预算 by its document).

  A column without a label keeps its English name and a code without words shows as stored
  (tests/test_display_zh.py fails on both). The views name no catalog (a copied file answers them)
  and carry the marts' persisted descriptions as comments.
-#}

{% macro create_display_views_zh(source_schema='marts', display_schema='marts_zh') %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set columns = display_columns_zh() -%}
    {%- set values = display_values_zh() -%}
    {%- set marts = relations_with_columns(source_schema) -%}
    {%- set target_schema = adapter.quote(target.database) ~ '.' ~ adapter.quote(display_schema) -%}
    drop schema if exists {{ target_schema }} cascade;
    create schema {{ target_schema }};
    {%- for mart_name, mart in marts.items() %}
        {%- set view = target_schema ~ '.' ~ adapter.quote(mart_name) -%}
        {%- set shown = display_columns_of(mart_name, mart, columns, values) %}
    create view {{ view }} as
    select
        {%- for column in shown %}
        {{ column.expression }} as {{ sql_identifier(column.name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ adapter.quote(source_schema) }}.{{ adapter.quote(mart_name) }} as mart;
        {%- if mart.comment %}
    comment on view {{ view }} is {{ sql_string(mart.comment) }};
        {%- endif %}
        {%- for column in shown if column.comment %}
    comment on column {{ view }}.{{ sql_identifier(column.name) }} is {{ sql_string(column.comment) }};
        {%- endfor %}
    {%- endfor %}
{% endmacro %}


{#- The columns a mart's view shows: [{name, expression, comment}] in the mart's order, a 万元 column
    right after its 元 twin (the mart's own 万元 column of the same label, or one computed exactly). -#}
{% macro display_columns_of(mart_name, mart, columns, values) %}
    {%- set labelled = [] -%}
    {%- for column in mart.columns -%}
        {%- do labelled.append((column, columns.get(mart_name ~ '.' ~ column.name) or columns.get('*.' ~ column.name))) -%}
    {%- endfor -%}
    {%- set in_yuan, in_wan = [], {} -%}
    {%- for column, label in labelled if label and label.unit -%}
        {%- if label.unit == '元' -%}
            {%- do in_yuan.append(label.label) -%}
        {%- else -%}
            {%- do in_wan.update({label.label: column}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set has_report_kind = mart.columns | selectattr('name', 'equalto', 'report_kind') | list | length > 0 -%}
    {%- set shown = [] -%}
    {%- for column, label in labelled -%}
        {%- set source = 'mart.' ~ sql_identifier(column.name) -%}
        {%- if label is none -%}
            {%- do shown.append({'name': column.name, 'expression': source, 'comment': column.comment}) -%}
        {%- elif label.unit == '万元' and label.label in in_yuan -%}
            {#- shown beside its 元 twin -#}
        {%- elif label.unit -%}
            {%- do shown.append({'name': label.label ~ '（' ~ label.unit ~ '）', 'expression': source, 'comment': column.comment}) -%}
            {%- if label.unit == '元' -%}
                {%- set twin = in_wan.get(label.label) -%}
                {%- do shown.append({
                    'name': label.label ~ '（万元）',
                    'expression': 'mart.' ~ sql_identifier(twin.name) if twin else wan(source),
                    'comment': twin.comment if twin else (column.comment ~ ' ' if column.comment else '') ~ 'Shown in 万元.',
                }) -%}
            {%- endif -%}
        {%- elif label.vocabulary -%}
            {%- set report_kind = 'mart.' ~ adapter.quote('report_kind') if has_report_kind else none -%}
            {%- if label.vocabulary.endswith('[]') -%}
                {#- a comma-separated list of codes (dim_document.withheld_tables), shown 、-separated -#}
                {%- set words = values.get(label.vocabulary[:-2], []) -%}
                {%- set expression = "array_to_string(list_transform(string_split(" ~ source ~ ", ','), lambda code: "
                    ~ words_of('code', words, report_kind) ~ "), '、')" -%}
            {%- else -%}
                {%- set expression = words_of(source, values.get(label.vocabulary, []), report_kind) -%}
            {%- endif -%}
            {%- do shown.append({'name': label.label, 'expression': expression, 'comment': column.comment}) -%}
        {%- else -%}
            {%- do shown.append({'name': label.label, 'expression': source, 'comment': column.comment}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(shown) }}
{% endmacro %}


{#- A code shown in words: the words for the row's report kind first, then the words for any kind. -#}
{% macro words_of(source, words, report_kind) %}
    {%- set code = 'cast(' ~ source ~ ' as varchar)' -%}
    {%- set branches = [] -%}
    {%- if report_kind -%}
        {%- for word in words if word.report_kind -%}
            {%- do branches.append('when ' ~ report_kind ~ ' = ' ~ sql_string(word.report_kind) ~ ' and ' ~ code ~ ' = ' ~ sql_string(word.value) ~ ' then ' ~ sql_string(word.label)) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for word in words if not word.report_kind -%}
        {%- do branches.append('when ' ~ code ~ ' = ' ~ sql_string(word.value) ~ ' then ' ~ sql_string(word.label)) -%}
    {%- endfor -%}
    {{ return('case ' ~ branches | join(' ') ~ ' else ' ~ code ~ ' end' if branches else code) }}
{% endmacro %}


{#- display_columns_zh as {'model.column': row}. -#}
{% macro display_columns_zh() %}
    {%- set rows = {} -%}
    {%- for row in run_query('select * from ' ~ seed_relation('display_columns_zh')).rows -%}
        {%- do rows.update({row['model'] ~ '.' ~ row['column']: row}) -%}
    {%- endfor -%}
    {{ return(rows) }}
{% endmacro %}


{#- display_values_zh as {vocabulary: [row]}. -#}
{% macro display_values_zh() %}
    {%- set vocabularies = {} -%}
    {%- for row in run_query('select * from ' ~ seed_relation('display_values_zh')).rows -%}
        {%- do vocabularies.setdefault(row['vocabulary'], []).append(row) -%}
    {%- endfor -%}
    {{ return(vocabularies) }}
{% endmacro %}


{#- The relations of a schema with their comment and columns (name, comment), in column order. -#}
{% macro relations_with_columns(schema) %}
    {%- set query -%}
        select
            columns.table_name,
            coalesce(tables.comment, views.comment) as relation_comment,
            columns.column_name,
            columns.comment as column_comment
        from duckdb_columns() as columns
        left join duckdb_tables() as tables
            on tables.database_name = columns.database_name
            and tables.schema_name = columns.schema_name
            and tables.table_name = columns.table_name
        left join duckdb_views() as views
            on views.database_name = columns.database_name
            and views.schema_name = columns.schema_name
            and views.view_name = columns.table_name
        where columns.database_name = {{ sql_string(target.database) }}
            and columns.schema_name = {{ sql_string(schema) }}
        order by columns.table_name, columns.column_index
    {%- endset -%}
    {%- set relations = {} -%}
    {%- for row in run_query(query).rows -%}
        {%- set relation = relations.setdefault(row['table_name'], {'comment': row['relation_comment'], 'columns': []}) -%}
        {%- do relation['columns'].append({'name': row['column_name'], 'comment': row['column_comment']}) -%}
    {%- endfor -%}
    {{ return(relations) }}
{% endmacro %}


{% macro seed_relation(seed_name) %}
    {%- set seed = graph.nodes['seed.' ~ project_name ~ '.' ~ seed_name] -%}
    {{ return(adapter.quote(seed.database) ~ '.' ~ adapter.quote(seed.schema) ~ '.' ~ adapter.quote(seed.alias)) }}
{% endmacro %}


{#- A name in double quotes, a double quote in it doubled (adapter.quote leaves it as is). -#}
{% macro sql_identifier(name) -%}
    "{{ name | replace('"', '""') }}"
{%- endmacro %}


{% macro sql_string(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}
