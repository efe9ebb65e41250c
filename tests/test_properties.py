"""Property tests: import then export is the identity on text and spans, for any Unicode text."""

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.formats.exporting import collect, export
from annotator.formats.importing import import_sources
from annotator.store import Store


@st.composite
def texts_with_spans(draw):
    text = draw(st.text(min_size=1, max_size=60).filter(lambda t: t.strip()))
    spans = set()
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.add((start, end, draw(st.sampled_from(["PERSON", "GPE", "ORG", "CLAIM"]))))
    return text, sorted(spans)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts_with_spans(), min_size=1, max_size=3, unique_by=lambda x: x[0]))
def test_import_then_export_is_the_identity(records):
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text("\n".join(json.dumps({"text": t, "spans": [{"start": s, "end": e, "label": label}
                                                                  for s, e, label in spans], "_annotator_id": "p"},
                                            ensure_ascii=False) for t, spans in records) + "\n", encoding="utf-8")
        with Store(Path(tmp) / "p.db") as store:
            import_sources(store, [src])
            out = Path(tmp) / "out.jsonl"
            export(collect(store, "p"), "jsonl", str(out))
        exported = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]
    assert [(r["text"], sorted((s["start"], s["end"], s["label"]) for s in r["spans"])) for r in exported] == records
    for r in exported:
        for s in r["spans"]:
            assert r["text"][s["start"]:s["end"]] == s["text"]
