-- annotation kind unknown
-- expect: unknown kind
update annotations set kind = 'x' where id = 'ent2';
