-- annotation end beyond the text
-- expect: annotations row ent1: span 0-9999 lies outside the text
update annotations set end = 9999 where id = 'ent1';
