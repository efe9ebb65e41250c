-- status layer with ESC
-- expect: layer 'al\x1b' contains control characters
update doc_status set layer = 'al' || char(27) where layer = 'bob';
