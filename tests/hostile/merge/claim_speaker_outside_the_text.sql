-- claim speaker outside the text
-- expect: claim speaker 0-500 lies outside
update annotations set attrs = '{"speaker": {"start": 0, "end": 500}}' where id = 'claim1';
