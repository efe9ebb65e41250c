-- document text a blob
-- expect: got bytes
update documents set text = x'00ff' where id = '{DOC}';
