-- stance evidence not an object
-- expect: stance evidence must be an object
update annotations set attrs = json_set(attrs, '$.evidence', 5) where id = 'stance1';
