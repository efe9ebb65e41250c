-- event payload not JSON
-- expect: events row 1: payload is not valid JSON
update events set payload = 'not json' where id = 1;
