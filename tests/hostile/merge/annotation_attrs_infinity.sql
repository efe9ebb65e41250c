-- annotation attrs Infinity
-- expect: Infinity is not valid JSON
update annotations set attrs = '{"x": Infinity}' where id = 'ent1';
