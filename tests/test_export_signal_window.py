"""An export with tokens loads spaCy before its output exists: a signal during that slow import (a
second or more) then finds nothing to clean up, instead of landing inside the import machinery while
a half-written file waits (where a library's catch-all could swallow it)."""

from annotator.formats import exporting, tokens
from annotator.model import Document


def test_spacy_is_loaded_before_the_output_file_is_opened(tmp_path, monkeypatch):
    tokens.tokenizer.cache_clear()
    seen = []
    real = exporting.atomic_file

    def watching(*args, **kwargs):
        seen.append(tokens.tokenizer().nlp is not None)
        return real(*args, **kwargs)

    monkeypatch.setattr(exporting, "atomic_file", watching)
    doc = Document.from_text("Kim Jong Un met Vladimir Putin.")
    exporting.export([exporting.ExportItem(doc, [], "alice", None)], "jsonl", str(tmp_path / "out.jsonl"))
    assert seen == [True]
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count('"tokens"') == 1
