-- annotation label empty
-- expect: label is empty
update annotations set label = '' where id = 'ent1';
