-- event payload a list
-- expect: payload must be a JSON object
update events set payload = '[1, 2]' where id = 1;
