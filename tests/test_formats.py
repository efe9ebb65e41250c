"""Every format, against the real Prodigy and Doccano files in ../shared/fixtures."""

import json

import pytest

from annotator.formats.exporting import collect, export
from annotator.formats.importing import import_sources
from annotator.model import Document, Span, SpanRef, Stance
from annotator.store import ImportRecord, Store
from tests.conftest import shared_file

UNICODE_TEXT = "Kim 김정은 met Putin 🇷🇺 in Moscow.\r\nCafé (e\u0301) 👩‍👩‍👧 welcomed 条约 «pact».\r\n"


def export_jsonl(store, layer, tmp_path, name="out.jsonl"):
    out = tmp_path / name
    export(collect(store, layer), "jsonl", str(out))
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def spans_of(record):
    return sorted((s["start"], s["end"], s["label"]) for s in record.get("spans", []))


def test_fashion_brands_import_export_reimport_identical(tmp_path):
    source = shared_file("prodigy", "ner_fashion_brands_training.jsonl")
    original = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    with Store(tmp_path / "a.db") as store:
        report = import_sources(store, [source])
        assert report.result.documents_added == len(original)
        exported = export_jsonl(store, "imported", tmp_path)
    assert [r["text"] for r in exported] == [r["text"] for r in original]
    for before, after in zip(original, exported):
        assert spans_of(after) == spans_of(before)
        for span in after["spans"]:
            assert span["text"] == after["text"][span["start"]:span["end"]]
            tokens = after["tokens"]
            assert tokens[span["token_start"]]["start"] <= span["start"] < tokens[span["token_end"]]["end"]
        assert set(after) >= {"text", "meta", "_input_hash", "_task_hash", "tokens", "spans", "relations", "answer",
                              "_annotator_id", "_session_id"}
    with Store(tmp_path / "b.db") as again:
        import_sources(again, [tmp_path / "out.jsonl"])
        reexported = export_jsonl(again, "imported", tmp_path, "again.jsonl")
    assert [(r["text"], spans_of(r)) for r in reexported] == [(r["text"], spans_of(r)) for r in original]


def test_prodigy_relations_are_kept(tmp_path):
    source = shared_file("prodigy", "relations_annotations.jsonl")
    original = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    with Store(tmp_path / "a.db") as store:
        import_sources(store, [source], layer="genia")
        exported = export_jsonl(store, "genia", tmp_path)

    def rels(record):
        return sorted({(r["head_span"]["start"], r["head_span"]["end"], r["child_span"]["start"],
                        r["child_span"]["end"], r["label"]) for r in record["relations"]})

    assert len(exported) == len(original)
    for before, after in zip(original, exported):
        assert rels(after) == rels(before)
        assert all(r["kind"] == "relation" for r in after["relations"])  # not mistaken for stances


def test_doccano_both_shapes_import(tmp_path):
    seq = shared_file("doccano", "sequence_labeling.jsonl")
    rel = shared_file("doccano", "relation_extraction.jsonl")
    with Store(tmp_path / "a.db") as store:
        import_sources(store, [seq, rel], layer="doccano")
        items = {d.text: [a.value for a in store.items(d.id, "doccano")] for d in store.documents()}
    assert Span(0, 4, "ORG") in items["NATO foreign ministers met in Brussels on Thursday."]
    assert items["No entities in this line."] == []
    welcome = items["Moscow welcomed the treaty signed by Kim Jong Un."]
    assert Stance(SpanRef(0, 6, "GPE"), SpanRef(20, 26, "LAW"), "FAVOR") in welcome
    assert Stance(SpanRef(37, 48, "PERSON"), SpanRef(20, 26, "LAW"), "FAVOR") in welcome


def test_doccano_export_round_trips(tmp_path):
    rel = shared_file("doccano", "relation_extraction.jsonl")
    with Store(tmp_path / "a.db") as store:
        import_sources(store, [rel], layer="d")
        out = tmp_path / "d.jsonl"
        export(collect(store, "d"), "doccano", str(out))
    with Store(tmp_path / "b.db") as again:
        import_sources(again, [out], layer="d")
        for doc in again.documents():
            assert {a.value.key for a in again.items(doc.id, "d")} == {
                a.value.key for a in Store(tmp_path / "a.db").items(doc.id, "d")}


def unicode_store(tmp_path) -> tuple[Store, Document, list]:
    store = Store(tmp_path / "u.db")
    doc = Document.from_text(UNICODE_TEXT)
    find = UNICODE_TEXT.index
    values = [
        Span(find("김정은"), find("김정은") + 3, "PERSON"),
        Span(find("🇷🇺"), find("🇷🇺") + 2, "GPE"),
        Span(find("Café (e\u0301)"), find("Café (e\u0301)") + len("Café (e\u0301)"), "ORG"),
        Span(find("👩‍👩‍👧"), find("👩‍👩‍👧") + len("👩‍👩‍👧"), "NORP"),
        Span(find("条约"), find("条约") + 2, "LAW"),
        Span(0, find("Café") - 2, "CLAIM", "claim", {"speaker": "AUTHOR"}),
    ]
    values.append(Stance(values[3].ref(), values[4].ref(), "FAVOR"))
    store.import_records([ImportRecord(doc, "uni", values, "done")])
    return store, doc, values


def test_unicode_round_trip_offsets_slice_the_same_string(tmp_path):
    store, doc, values = unicode_store(tmp_path)
    [task] = export_jsonl(store, "uni", tmp_path)
    assert task["text"] == UNICODE_TEXT  # CRLF, combining marks, ZWJ emoji intact
    for span in task["spans"]:
        assert task["text"][span["start"]:span["end"]] == span["text"]
    wanted = {(v.start, v.end): doc.text[v.start:v.end] for v in values if isinstance(v, Span)}
    assert {(s["start"], s["end"]): s["text"] for s in task["spans"]} == wanted
    with Store(tmp_path / "again.db") as again:
        import_sources(again, [tmp_path / "out.jsonl"])
        assert {a.value.key for a in again.items(doc.id, "uni")} == {v.key for v in values}
    out = tmp_path / "u.doccano.jsonl"
    export(collect(store, "uni"), "doccano", str(out))
    record = json.loads(out.read_text(encoding="utf-8"))
    for ent in record["entities"]:
        assert record["text"][ent["start_offset"]:ent["end_offset"]] == doc.text[ent["start_offset"]:ent["end_offset"]]


def test_spacy_docbin_has_ents_claims_and_stances(tmp_path):
    import spacy
    from spacy.tokens import DocBin

    store, doc, values = unicode_store(tmp_path)
    out = tmp_path / "train.spacy"
    export(collect(store, "uni"), "spacy", str(out))
    [sdoc] = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert sdoc.text == UNICODE_TEXT
    assert {(e.text, e.label_) for e in sdoc.ents} >= {("김정은", "PERSON"), ("条约", "LAW")}
    assert [s.label_ for s in sdoc.spans["claims"]] == ["CLAIM"]
    assert sdoc.user_data["stances"][0]["polarity"] == "FAVOR"


def test_brat_export_writes_txt_ann_and_conf(tmp_path):
    store, doc, values = unicode_store(tmp_path)
    out = tmp_path / "brat"
    export(collect(store, "uni"), "brat", str(out))
    with open(out / f"{doc.id}.txt", encoding="utf-8", newline="") as fh:
        text = fh.read()
    assert text == UNICODE_TEXT
    ann = (out / f"{doc.id}.ann").read_text(encoding="utf-8").splitlines()
    t_lines = [line.split("\t") for line in ann if line.startswith("T")]
    for _, spec, surface in t_lines:
        fragments = [tuple(map(int, f.split())) for f in spec.split(" ", 1)[1].split(";")]
        assert " ".join(text[a:b] for a, b in fragments) == surface
    assert any(line.startswith("R") and "FAVOR Arg1:" in line for line in ann)
    assert (out / "annotation.conf").exists()


def test_export_refuses_to_overwrite_without_force(tmp_path):
    store, doc, values = unicode_store(tmp_path)
    out = tmp_path / "x.jsonl"
    out.write_text("precious\n")
    from annotator.errors import AnnotatorError

    with pytest.raises(AnnotatorError, match="already exists"):
        export(collect(store, "uni"), "jsonl", str(out))
    assert out.read_text() == "precious\n"
    export(collect(store, "uni"), "jsonl", str(out), force=True)
    assert json.loads(out.read_text(encoding="utf-8"))["text"] == UNICODE_TEXT


@pytest.mark.parametrize("lean", [False, True])
def test_a_document_in_progress_comes_back_in_progress(tmp_path, lean):
    """Exported and imported again, each document keeps its status: one still in progress has no
    ``answer`` (an ``accept`` would make it done: complete gold for training, which it is not)."""
    from click.testing import CliRunner

    from annotator.cli import cli

    texts = {"done": "Alice met Bob in Paris.", "in_progress": "Carol met Dan in Rome.",
             "skipped": "Erin met Frank in Oslo.", "rejected": "Gina met Hal in Lima."}
    with Store(tmp_path / "a.db") as store:
        store.import_records([ImportRecord(Document.from_text(t), "alice", [Span(0, 5, "PERSON")]) for t in texts.values()])
        for status, text in texts.items():
            store.set_status("alice", Document.from_text(text).id, status)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["export", "--db", str(tmp_path / "a.db"), "--annotator", "alice", "-o", str(out),
                                      *(["--no-tokens"] if lean else [])])
    assert result.exit_code == 0, result.output
    answers = {r["text"]: r.get("answer") for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert answers == {texts["done"]: "accept", texts["in_progress"]: None, texts["skipped"]: "ignore",
                       texts["rejected"]: "reject"}
    with Store(tmp_path / "b.db") as again:
        import_sources(again, [out])
        got = {status: again.status("alice", Document.from_text(text).id) for status, text in texts.items()}
    assert got == {status: status for status in texts}


@pytest.mark.parametrize("lean", [False, True])
def test_a_stance_end_that_is_no_span_does_not_come_back_as_one(tmp_path, lean):
    """Prodigy wants a relation's ends among the spans, so the export lists an end no span holds; marked
    ``stance_end_only``, it is not imported as an item the annotator never made."""
    from click.testing import CliRunner

    from annotator.cli import cli

    text = "Germany backed the plan on Tuesday."
    germany, plan = Span(0, 7, "GPE"), SpanRef(15, 23, "")  # the plan: a stance target only, not a topic span
    stance = Stance(germany.ref(), plan, "FAVOR")
    with Store(tmp_path / "a.db") as store:
        store.import_records([ImportRecord(Document.from_text(text), "alice", [germany, stance])])
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["export", "--db", str(tmp_path / "a.db"), "--annotator", "alice", "-o", str(out),
                                      *(["--no-tokens"] if lean else [])])
    assert result.exit_code == 0, result.output
    [task] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(s["text"], s.get("stance_end_only", False)) for s in task["spans"]] == [("Germany", False),
                                                                                    ("the plan", True)]
    with Store(tmp_path / "b.db") as again:
        import_sources(again, [out])
        doc_id = Document.from_text(text).id
        assert sorted(map(repr, (a.value for a in again.items(doc_id, "alice")))) == sorted(map(repr, [germany, stance]))
