-- document text NULL
-- expect: documents row {DOC}: text must be a string, got null
update documents set text = NULL where id = '{DOC}';
