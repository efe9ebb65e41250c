-- stance polarity with ESC
-- expect: stance polarity 'FAVOR\x1b'
update annotations set label = 'FAVOR' || char(27) where id = 'stance1';
