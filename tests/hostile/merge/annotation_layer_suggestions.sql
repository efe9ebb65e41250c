-- annotation layer suggestions
-- expect: reserved
update annotations set layer = 'suggestions' where id = 'ent1';
