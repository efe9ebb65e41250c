"""Data files: cue lexicons and aliases for the suggesters (loaded by annotator/suggest/lexicon.py)."""
