-- suggester run of a missing document
-- expect: doc_id 'nowhere' is not a document
update suggester_runs set doc_id = 'nowhere' where suggester = 'entities';
