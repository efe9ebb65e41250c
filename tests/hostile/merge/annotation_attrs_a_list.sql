-- annotation attrs a list
-- expect: attrs must be a JSON object
update annotations set attrs = '[]' where id = 'ent1';
