-- document text an integer
-- expect: documents row {DOC}: text must be a string, got int
-- untyped: documents
update documents set text = 5 where id = '{DOC}';
