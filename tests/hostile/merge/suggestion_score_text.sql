-- suggestion score text
-- expect: score must be a finite number
update suggestions set score = 'high' where kind = 'entity';
