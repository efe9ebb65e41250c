-- annotation label with ESC
-- expect: label 'G\x1b[2J'
update annotations set label = 'G' || char(27) || '[2J' where id = 'ent2';
