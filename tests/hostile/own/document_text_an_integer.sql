-- document text an integer
-- expect: text must be a string, got int
-- untyped: documents
update documents set text = 7 where id = '{DOC2}';
