-- annotation status unknown
-- expect: status must be
update annotations set status = 'maybe' where id = 'ent1';
