"""Teams: assigning documents, merging teammates' files, agreement between annotators, and review
into the ``review`` layer."""
