-- annotation kind unknown
-- expect: unknown kind 'bogus'
update annotations set kind = 'bogus' where id = 'ent1';
