-- DOMAIN.md identity 1 (economic): each 类 row = the sum of its 款 rows.
{{ hierarchy_mismatches(ref('fct_economic_amount'), 'econ_code', 'econ_level', 'class_code', '类', '款') }}
