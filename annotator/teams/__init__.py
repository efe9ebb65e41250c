"""Teams: assigning documents, agreement between annotators, and review into the ``review`` layer.

(``annotator.merge`` belongs here too and moves in a later step.)
"""
