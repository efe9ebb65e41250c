-- events a view
-- expect: data table 'events' is a view
drop table events;
create view events as select 1 as id, '' as time, 'a' as annotator, null as doc_id, 'x' as action, '{}' as payload;
