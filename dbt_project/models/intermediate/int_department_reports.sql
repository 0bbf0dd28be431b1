-- The reports the answer marts read: one current document per department, year and report kind, at
-- the department (consolidated) level. Unit-level reports are parts of their department's and are
-- never added to it; a department publishing only unit reports has no row here. The region is the
-- department's (a document printing the department's short name may print its region short too).
select
    documents.document_id,
    documents.department_id,
    departments.department_name,
    coalesce(departments.region, documents.region) as region,
    documents.fiscal_year,
    documents.report_kind,
    documents.report_level,
    documents.file_name
from {{ ref('int_current_documents') }} as documents
inner join {{ ref('int_departments') }} as departments on departments.department_id = documents.department_id
where documents.report_level = 'department'
    and documents.fiscal_year is not null
    and documents.report_kind is not null
