-- annotation start text
-- expect: annotations row ent1: span offsets must be integers
update annotations set start = 'abc' where id = 'ent1';
