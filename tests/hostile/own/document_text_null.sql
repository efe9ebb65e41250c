-- document text NULL
-- expect: documents row {DOC2}
update documents set text = NULL where id = '{DOC2}';
