{#-
  Incremental fact models: a build rebuilds the rows of the documents whose rows changed, not of every document.

  A current document's fact rows are a function of the document as loaded (its facts and tables, withheld ones
  out: they change only when it is loaded again, under a new extractor version) and of its attributes: department
  (which a new document or an override may change), year, report kind and level. `document_signature` hashes them
  with the document's id; int_current_facts keeps it on every row. At a build, int_current_facts first deletes the
  rows whose signature no current document has any more (superseded, quarantined on a new reading, moved to
  another department …) and appends the rows of every current document it then lacks, stamped with the build's
  invocation_id. Each model downstream deletes the rows of every document int_current_facts does not hold from
  an earlier build (rebuilt now, or gone) and appends the rows stamped by this one.

  A build of a changed project rebuilds them whole (warehouse/dbt.py: --full-refresh), as does any build of a
  warehouse without them. Only whole builds keep the chain in step: a model left out of a build misses that
  build's stamps (dbt build --full-refresh repairs it).
-#}
{% macro document_signature(documents) %}
    md5(concat_ws('|',
        {{ documents }}.document_id, {{ documents }}.department_id, {{ documents }}.fiscal_year,
        {{ documents }}.report_kind, {{ documents }}.report_level, {{ documents }}.extractor_version,
        {{ documents }}.loaded_at, {{ documents }}.status
    ))
{% endmacro %}

{#- int_current_facts' pre-hook: the rows of documents no longer current as they were built. -#}
{% macro delete_rows_of_changed_documents(current_documents) %}
    {%- if is_incremental() %}
    delete from {{ this }}
    where document_signature not in (
        select {{ document_signature('documents') }} from {{ current_documents }} as documents
    )
    {%- endif %}
{% endmacro %}

{#- A downstream model's pre-hook: the rows of documents its upstream rebuilt in this build, or no longer holds. -#}
{% macro delete_rows_rebuilt_upstream(upstream) %}
    {%- if is_incremental() %}
    delete from {{ this }}
    where document_id not in (
        select document_id from {{ upstream }} where dbt_invocation_id <> {{ sql_string(invocation_id) }}
    )
    {%- endif %}
{% endmacro %}

{#- A downstream model's filter: the rows its upstream (re)built in this build. -#}
{% macro rows_rebuilt_upstream(upstream_alias='') %}
    {%- if is_incremental() %}
    and {{ upstream_alias ~ '.' if upstream_alias }}dbt_invocation_id = {{ sql_string(invocation_id) }}
    {%- endif %}
{% endmacro %}
