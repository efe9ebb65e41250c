-- documents a view
-- expect: data table 'documents' is a view
drop table documents;
create view documents as select 'x' as id, 'y' as text, '{}' as meta, 1 as position, '' as added;
