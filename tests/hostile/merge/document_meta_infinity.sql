-- document meta Infinity
-- expect: -Infinity is not valid JSON
update documents set meta = '{"x": -Infinity}' where id = '{DOC}';
