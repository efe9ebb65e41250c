from annotator.startup import pause_gc

pause_gc()  # before the imports: see annotator.startup

from annotator.cli import main  # noqa: E402

main()
