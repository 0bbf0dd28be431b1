{#-
  ref() and source() without the catalog: "staging"."stg_facts", never "warehouse"."staging"."stg_facts".
  A DuckDB view resolves the names in its body in the catalog it lives in, and a file's catalog is
  named after the file: a view naming the catalog breaks when the file is copied or renamed. Tables
  built at run time resolve the same names through the connection's default catalog (profiles.yml:
  settings.schema = warehouse.main). Overrides of dbt's builtins (docs: "About builtins").
-#}
{% macro ref() %}
    {%- set version = kwargs.get('version') or kwargs.get('v') -%}
    {%- if (varargs | length) == 1 -%}
        {%- set relation = builtins.ref(varargs[0], version=version) -%}
    {%- else -%}
        {%- set relation = builtins.ref(varargs[0], varargs[1], version=version) -%}
    {%- endif -%}
    {{ return(relation.include(database=False)) }}
{% endmacro %}

{% macro source(source_name, table_name) %}
    {{ return(builtins.source(source_name, table_name).include(database=False)) }}
{% endmacro %}
