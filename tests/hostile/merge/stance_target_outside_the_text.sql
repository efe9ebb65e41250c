-- stance target outside the text
-- expect: stance target 67-999 lies outside
update annotations set attrs = json_set(attrs, '$.target.end', 999) where id = 'stance1';
