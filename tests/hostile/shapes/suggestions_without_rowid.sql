-- suggestions without rowid
-- expect: data table 'suggestions' is a special table
drop table suggestions;
create table suggestions (id text primary key, doc_id, suggester, version, rule, score, kind, start, end, label, attrs, created) without rowid;
