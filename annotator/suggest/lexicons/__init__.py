"""Data files: cue lexicons and aliases for the suggesters (see ../lexicons.py)."""
