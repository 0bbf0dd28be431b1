-- The documents whose facts the fact marts expose: loaded (passed the gate) and current.
select *
from {{ ref('int_documents') }}
where is_current
