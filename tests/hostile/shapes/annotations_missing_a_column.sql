-- annotations missing a column
-- expect: table 'annotations' lacks column 'origin'
alter table annotations drop column origin;
