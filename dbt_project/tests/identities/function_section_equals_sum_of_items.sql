-- DOMAIN.md identity 1: each function 款 row = the sum of its 项 rows.
{{ hierarchy_mismatches(ref('fct_function_amount'), 'subject_code', 'subject_level', 'parent_code', '款', '项') }}
