-- stance without source or target
-- expect: annotations row stance1: stance source must be an object
update annotations set attrs = '{}' where id = 'stance1';
