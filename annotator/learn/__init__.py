"""The last pipeline stage: learning from decisions (``train``) and measuring suggestions (``evaluate``).

Nothing in ``annotator.suggest`` imports from here: the suggest stage runs without it.
"""
