-- claim speaker empty object
-- expect: claim speaker needs 'start' and 'end'
update annotations set attrs = '{"speaker": {}}' where id = 'claim1';
