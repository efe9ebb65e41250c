-- suggestion label with BEL
-- expect: contains control characters
update suggestions set label = 'ORG' || char(7) where kind = 'entity';
