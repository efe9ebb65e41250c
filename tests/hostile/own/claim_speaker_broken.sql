-- claim speaker broken
-- expect: annotations row claim1: claim speaker needs
update annotations set attrs = '{"speaker": {}}' where id = 'claim1';
