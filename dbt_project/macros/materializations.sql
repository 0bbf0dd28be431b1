{#-
  The project's `table` and `incremental` materializations for DuckDB: a model's table replaced, or appended to,
  in one statement and one transaction.

  dbt-duckdb's own build a new table under a temporary name, look the old one's indexes and foreign keys up,
  rename the old one to a backup and the new one into place, drop the backup, and persist the docs (each
  documented column's comment after two DESCRIBEs of the table; an incremental run also stages its rows in a
  temporary table and compares its columns with the target's): 8 to 13 statements a model, each a macro call and
  logged events of dbt's own Python (~10 ms each, more than most of these models' SQL). Here a table is dropped
  and created again (its contract, if any, as dbt-duckdb's create_table_as writes it) with its comments, one
  statement; DuckDB's DDL is transactional, so a failed build leaves the old table as it was, and no view depends
  on a table in DuckDB (a view binds its tables when it is read), so dropping it first is safe.

  An incremental model's run (strategy append only, the one this project uses: macros/rebuilt_documents.sql)
  inserts the model's rows by column name into the table as it is, whose comments it keeps. Its columns cannot
  have changed since the table was made: warehouse/dbt.py builds a changed project with --full-refresh (every
  table made again), so dbt's on_schema_change comparison is not repeated; a column the table lacks fails the
  insert.

  The documented columns are commented without first reading the table's columns: a _models.yml that documents
  a column the model lacks fails the build. Not supported, and refused: indexes, grants, partitioned_by /
  sorted_by, unique_key, other incremental strategies, Python models (none in this project).
-#}
{% materialization table, adapter="duckdb" %}
    {{ return(replace_or_append(incremental=false)) }}
{% endmaterialization %}

{% materialization incremental, adapter="duckdb" %}
    {%- if (config.get('incremental_strategy') or 'append') != 'append' or config.get('unique_key') -%}
        {{ exceptions.raise_compiler_error(model.name ~ ": macros/materializations.sql appends only (no unique_key)") }}
    {%- endif -%}
    {{ return(replace_or_append(incremental=true)) }}
{% endmaterialization %}

{% macro replace_or_append(incremental) %}
    {%- for unsupported in ('indexes', 'grants', 'partitioned_by', 'sorted_by') if config.get(unsupported) -%}
        {{ exceptions.raise_compiler_error(model.name ~ ": macros/materializations.sql does not support " ~ unsupported) }}
    {%- endfor -%}
    {%- if model.language != 'sql' -%}
        {{ exceptions.raise_compiler_error(model.name ~ ": macros/materializations.sql builds SQL models only") }}
    {%- endif -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set append = incremental and existing_relation is not none and existing_relation.is_table
        and not should_full_refresh() -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% call statement('main') -%}
        {%- if append %}
        insert into {{ target_relation }} by name
        select * from (
            {{ sql }}
        );
        {%- else %}
            {%- if existing_relation is not none %}
        drop {{ existing_relation.type }} if exists {{ existing_relation }};
            {%- endif %}
            {%- if config.get('contract').enforced and contracts_already_asserted() %}
        {{ create_contracted_table(target_relation, sql) }}
            {%- else %}
        {{ create_table_as(False, target_relation, sql) }}
            {%- endif %}
        {{ persisted_docs_sql(target_relation, model) }}
        {%- endif %}
    {%- endcall %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmacro %}

{#-
  A contracted model's table as dbt-duckdb's create_table_as makes it (its declared columns, types and constraints,
  then its rows inserted), without first asserting that the model's query yields the declared columns and types
  (a query of the model's SQL with no rows, planned by DuckDB, and a comparison in dbt's Python: ~20 ms of a core a
  model). That verdict follows from the project and raw's columns alone, never from the rows: warehouse/dbt.py says
  (CAIJUE_CONTRACTS_ASSERTED) when the warehouse was last built, whole and successfully, by this very project over
  the same raw columns, whose build asserted every contract. The declared types and constraints still hold every row.
-#}
{% macro create_contracted_table(relation, sql) %}
    {%- set sql_header = config.get('sql_header', none) -%}
    {{ sql_header if sql_header is not none }}
    create table {{ relation }}
    {{ get_table_columns_and_constraints() }};
    insert into {{ relation }} {{ get_column_names() }} (
        {{ get_select_subquery(sql) }}
    );
{% endmacro %}

{% macro contracts_already_asserted() %}
    {{ return(env_var('CAIJUE_CONTRACTS_ASSERTED', '') == '1') }}
{% endmacro %}

{#- The relation's and its documented columns' comments, as persist_docs writes them (the +persist_docs config). -#}
{% macro persisted_docs_sql(relation, model) %}
    {%- if config.persist_relation_docs() and model.description %}
        comment on table {{ relation }} is {{ comment_literal(model.description) }};
    {%- endif %}
    {%- if config.persist_column_docs() %}
        {%- for column in model.columns.values() if column.description %}
        comment on column {{ relation }}.{{ adapter.quote(column.name) if column.quote else column.name }}
            is {{ comment_literal(column.description) }};
        {%- endfor %}
    {%- endif %}
{% endmacro %}

{#- A comment as a dollar-quoted literal, as dbt-duckdb's duckdb_escape_comment writes it: its text verbatim. Called
    once per documented column (~300); written here without the context lookups of dbt-duckdb's macro. -#}
{% macro comment_literal(text) -%}
    {%- set quote = '$dbt_comment_literal_block$' -%}
    {%- if quote in text -%}
        {{ exceptions.raise_compiler_error('The string ' ~ quote ~ ' is not allowed in comments.') }}
    {%- endif -%}
    {{ quote ~ text ~ quote }}
{%- endmacro %}
