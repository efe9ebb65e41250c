-- claim speaker with string offsets
-- expect: annotations row claim1: claim speaker offsets must be integers
update annotations set attrs = '{"speaker": {"start": "a", "end": "b"}}' where id = 'claim1';
