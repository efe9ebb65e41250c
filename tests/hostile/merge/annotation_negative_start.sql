-- annotation negative start
-- expect: lies outside
update annotations set start = -3 where id = 'ent1';
