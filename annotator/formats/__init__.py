"""Files in and out: importing (every source kind checked, then streamed to the store), exporting
(a layer to JSONL, spaCy DocBin, Doccano or brat) and outputs (targets that are safe to write);
one module per format. Nothing here opens a database: the store is handed in."""
