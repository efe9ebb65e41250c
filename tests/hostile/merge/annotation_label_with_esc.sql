-- annotation label with ESC
-- expect: annotations row ent1: label 'X\x1b]0;pwned\x07'
update annotations set label = 'X' || char(27) || ']0;pwned' || char(7) where id = 'ent1';
