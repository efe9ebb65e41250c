-- stance row offsets not its source's
-- expect: are not its source's 50-56
update annotations set start = 51 where id = 'stance1';
