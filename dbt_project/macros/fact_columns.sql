{# The columns that place a fact: which document, whose, which year and kind of report, which table and fund
   scope — typed as the contract states them, for every fact model that carries them (stated once here). #}
{% macro fact_place_columns() -%}
    cast(document_id as varchar) as document_id,
    cast(department_id as varchar) as department_id,
    cast(fiscal_year as integer) as fiscal_year,
    cast(report_kind as varchar) as report_kind,
    cast(table_kind as varchar) as table_kind,
    cast(fund_scope as varchar) as fund_scope
{%- endmacro %}
