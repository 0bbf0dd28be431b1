-- DOMAIN.md identity 1: each function 类 row = the sum of its 款 rows.
{{ hierarchy_mismatches(ref('fct_function_amount'), 'subject_code', 'subject_level', 'parent_code', '类', '款') }}
