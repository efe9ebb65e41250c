-- document id empty
-- expect: id must be a non-empty string
update documents set id = '' where id = '{DOC2}';
