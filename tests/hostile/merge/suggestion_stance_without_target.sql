-- suggestion stance without target
-- expect: stance target must be an object with start and end, got null
update suggestions set attrs = json_remove(attrs, '$.target') where kind = 'stance';
