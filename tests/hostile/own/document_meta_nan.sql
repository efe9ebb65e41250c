-- document meta NaN
-- expect: NaN
update documents set meta = '{"x": NaN}' where id = '{DOC2}';
