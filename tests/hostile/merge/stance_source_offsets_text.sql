-- stance source offsets text
-- expect: stance source offsets must be integers
update annotations set attrs = json_set(attrs, '$.source.start', 'x') where id = 'stance1';
