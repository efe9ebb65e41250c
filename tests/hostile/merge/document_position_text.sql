-- document position text
-- expect: position must be an integer
-- untyped: documents
update documents set position = 'first' where id = '{DOC}';
