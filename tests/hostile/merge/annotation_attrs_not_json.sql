-- annotation attrs not JSON
-- expect: attrs is not valid JSON
update annotations set attrs = 'nope' where id = 'ent1';
