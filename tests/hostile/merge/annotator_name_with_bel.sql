-- annotator name with BEL
-- expect: annotators row a
update annotators set name = 'a' || char(7);
