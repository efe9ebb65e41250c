-- assignment to suggestions
-- expect: annotator 'suggestions' is reserved
update assignments set annotator = 'suggestions';
