-- a suggester's version kept the old way (before schema 6) in a file of schema 6: a reserved layer
-- expect: layer 'suggester:entities' is reserved
insert into doc_status (doc_id, layer, status, updated) values ('{DOC}', 'suggester:entities', '1', '2026-01-01');
