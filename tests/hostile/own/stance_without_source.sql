-- stance without source
-- expect: annotations row stance1: stance source
update annotations set attrs = '{}' where id = 'stance1';
