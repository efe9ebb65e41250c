-- annotation layer empty
-- expect: layer is empty
update annotations set layer = '' where id = 'ent1';
