-- claim speaker a number
-- expect: claim speaker must be
update annotations set attrs = '{"speaker": 3}' where id = 'claim1';
