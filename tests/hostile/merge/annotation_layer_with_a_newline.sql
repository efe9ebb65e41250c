-- annotation layer with a newline
-- expect: contains control characters
update annotations set layer = 'a' || char(10) || 'b' where id = 'ent1';
