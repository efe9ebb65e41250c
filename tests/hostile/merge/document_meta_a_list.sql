-- document meta a list
-- expect: meta must be a JSON object
update documents set meta = '[1]' where id = '{DOC}';
