-- annotation end beyond the text
-- expect: lies outside the text
update annotations set end = 999 where id = 'ent2';
