-- annotation status unknown
-- expect: status must be
update annotations set status = '?' where id = 'ent2';
