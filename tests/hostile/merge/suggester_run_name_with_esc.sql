-- suggester run with ESC in the suggester's name
-- expect: suggester 'ent\x1b' contains control characters
update suggester_runs set suggester = 'ent' || char(27) where suggester = 'entities';
