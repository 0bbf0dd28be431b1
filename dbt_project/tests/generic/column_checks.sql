{#-
  A model's column checks in one query, one dbt node: a dbt build pays ~40 ms of its own Python per node, more than
  most of these checks' SQL, so a model's not_null, unique, accepted_values and relationships checks run as one
  test instead of one each. Each check is dbt's own test's query, and fails on the same rows:
  - not_null: [column, …]: each row where the column is null; {column, where} only among the rows `where` holds;
  - unique: [[column, …], …]: a key; each value shared by two rows or more. A one-column key ignores nulls, as
    dbt's unique; a key of several columns is the table's grain: no two rows share all of them, nulls included;
  - accepted_values: {column: [word, …]}: each value outside the list (a null is no value);
  - relationships: [{column, to, field}, …]: each row whose non-null value is no `field` of `to` (a vocabulary
    seed, or the dimension the column names);
  - sums_reconcile: [{column, to, to_column, by, where, to_where}, …]: a mart's totals reconcile with the facts it
    comes from: grouped by `by`, the sum of `column` over the model's rows (optionally `where`) equals the sum of
    `to_column` over `to`'s rows (`to_where`) exactly, both sides adding the same printed amounts in another order;
    each group whose sums differ, or that one side lacks.
  Each failing row says which check it fails (failed_check) and on which value (failing_value): warehouse/dbt.py
  names the failed checks in the build's outcome.
-#}
{% test column_checks(model, not_null=[], unique=[], accepted_values={}, relationships=[], sums_reconcile=[]) %}
{%- set checks = [] -%}
{%- for column in not_null -%}
    {%- if column is mapping -%}
        {%- do checks.append(column_check_not_null(model, column.column, column.where)) -%}
    {%- else -%}
        {%- do checks.append(column_check_not_null(model, column)) -%}
    {%- endif -%}
{%- endfor -%}
{%- for key in unique -%}
    {%- do checks.append(column_check_unique(model, key)) -%}
{%- endfor -%}
{%- for column, words in accepted_values.items() -%}
    {%- do checks.append(column_check_accepted_values(model, column, words)) -%}
{%- endfor -%}
{%- for relationship in relationships -%}
    {%- do checks.append(column_check_relationship(model, relationship.column, relationship.to, relationship.field)) -%}
{%- endfor -%}
{%- for sums in sums_reconcile -%}
    {%- do checks.append(column_check_sums_reconcile(model, sums)) -%}
{%- endfor -%}
{%- if not checks -%}
    {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ ": no check given") }}
{%- endif -%}
{{ checks | join('\nunion all\n') }}
{% endtest %}
