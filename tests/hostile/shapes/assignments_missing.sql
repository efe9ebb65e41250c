-- assignments missing
-- expect: data table 'assignments' is missing
drop table assignments;
