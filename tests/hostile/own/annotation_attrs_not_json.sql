-- annotation attrs not JSON
-- expect: attrs is not valid JSON
update annotations set attrs = '{' where id = 'ent2';
