-- document id with ESC
-- expect: id 'a\x1b[2J' contains control characters
update documents set id = 'a' || char(27) || '[2J' where id = '{DOC2}';
