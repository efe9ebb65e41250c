-- event payload NaN
-- expect: NaN is not valid JSON
update events set payload = '{"x": NaN}' where id = 1;
