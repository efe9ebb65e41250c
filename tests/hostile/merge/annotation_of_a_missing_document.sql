-- annotation of a missing document
-- expect: doc_id 'nowhere' is not a document
update annotations set doc_id = 'nowhere' where id = 'ent1';
