-- suggestion start text
-- expect: span offsets must be integers
update suggestions set start = 'abc' where kind = 'entity';
