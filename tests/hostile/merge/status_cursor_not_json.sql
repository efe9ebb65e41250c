-- status cursor not JSON
-- expect: cursor is not valid JSON
update doc_status set cursor = '{' where layer = 'bob';
