-- annotation start after end
-- expect: end <= start
update annotations set start = 20, end = 5 where id = 'ent1';
