-- status unknown
-- expect: doc_status row ({DOC}, bob): status must be one of
update doc_status set status = 'bogus' where layer = 'bob';
