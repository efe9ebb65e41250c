-- annotation start text
-- expect: annotations row ent2
update annotations set start = 'abc' where id = 'ent2';
