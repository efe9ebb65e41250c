-- document meta NaN
-- expect: meta: NaN is not valid JSON
update documents set meta = '{"x": NaN}' where id = '{DOC}';
