{#-
  A relation left in `schema` by an earlier version of the project (a model since renamed, moved to
  another schema or removed) is dropped at the end of a run: the schema BI users see holds exactly the
  project's models, never a stale copy of a table that moved (e.g. fct_table_total, now intermediate.int_table_totals), and
  no stale view is left behind that still names the catalog of the file it was built in.
-#}
{% macro drop_orphan_relations(schema) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set built_here = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type in ('model', 'seed', 'snapshot') -%}
        {%- if node.schema == schema and node.database == target.database -%}
            {%- do built_here.append(node.alias) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set query -%}
        select table_name, 'table' from duckdb_tables()
        where database_name = {{ sql_string(target.database) }} and schema_name = {{ sql_string(schema) }}
        union all
        select view_name, 'view' from duckdb_views()
        where database_name = {{ sql_string(target.database) }} and schema_name = {{ sql_string(schema) }}
    {%- endset -%}
    {%- for name, kind in run_query(query).rows if name not in built_here %}
    drop {{ kind }} {{ adapter.quote(target.database) }}.{{ adapter.quote(schema) }}.{{ adapter.quote(name) }};
    {%- endfor %}
{% endmacro %}
