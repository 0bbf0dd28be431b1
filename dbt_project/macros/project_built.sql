{#-
  True when this run builds the project's own relations: it loads the seeds. warehouse/dbt.py leaves the seeds,
  the staging views and the seeds' tests out of a whole build when the warehouse records that its last whole
  build was of the same project (BUILT_PROJECT), so a run that loads no seed is one whose project is what the
  warehouse already holds. The on-run-end hooks that follow the project alone — the orphan sweep (a relation
  renamed or moved) and the marts_zh views (their columns and words are the project's; a DuckDB view names its
  mart and binds it when read, so it answers the rebuilt mart) — run only then.
-#}
{% macro project_built() %}
    {%- for unique_id in selected_resources if unique_id.startswith('seed.') -%}
        {{ return(true) }}
    {%- endfor -%}
    {{ return(false) }}
{% endmacro %}
