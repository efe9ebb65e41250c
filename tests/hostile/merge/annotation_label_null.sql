-- annotation label NULL
-- expect: label must be a string
update annotations set label = NULL where id = 'ent1';
