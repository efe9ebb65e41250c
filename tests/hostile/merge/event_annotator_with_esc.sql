-- event annotator with ESC
-- expect: events row 1
update events set annotator = 'x' || char(27) where id = 1;
