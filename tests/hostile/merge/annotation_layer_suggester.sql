-- annotation layer suggester:
-- expect: layer 'suggester:entities' is reserved
update annotations set layer = 'suggester:entities' where id = 'ent1';
