-- document meta not JSON
-- expect: meta is not valid JSON
update documents set meta = '{broken' where id = '{DOC}';
