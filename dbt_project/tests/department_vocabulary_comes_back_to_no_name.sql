-- A vocabulary chain that leads a department word back to itself (A → B → A) would let two names link to
-- each other: each department word's chain must end elsewhere.
{{ config(tags=['project_only']) }}
select from_core, to_core, path
from {{ ref('int_department_vocabulary') }}
where from_core = to_core
