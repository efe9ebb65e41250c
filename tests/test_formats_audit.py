"""What a researcher's data keeps through import and export: Prodigy's own fields, real fixtures, hostile input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import shared_file

CHOICE = {"text": "Seoul condemned the deployment.", "options": [{"id": "POS", "text": "positive"},
                                                                     {"id": "NEG", "text": "negative"}],
          "accept": ["NEG"], "answer": "accept", "_timestamp": 1700000000, "_input_hash": 123456789,
          "_task_hash": 42, "_view_id": "choice", "meta": {"source": "wire"}}
TEXTCAT = {"text": "Doc build broken", "label": "DOCUMENTATION", "body": "I can reproduce it", "html": "<h1>x</h1>",
           "answer": "reject", "_input_hash": -2040210110}


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("tokens", ["--tokens", "--no-tokens"])
def test_prodigy_top_level_fields_survive_import_and_export(tmp_path, run_cli, tokens):
    """A textcat label, a choice task's options and accepted choices, html, timestamps: written back where they
    were, with the record's own _input_hash (Prodigy's --exclude and db-in match on it)."""
    source = write_jsonl(tmp_path / "in.jsonl", [CHOICE, TEXTCAT])
    assert run_cli("import", "--as", "x", str(source)).exit_code == 0
    out = tmp_path / "out.jsonl"
    result = run_cli("export", "--annotator", "x", tokens, "-o", str(out))
    assert result.exit_code == 0, result.output
    choice, textcat = lines(out)
    for before, after in ((CHOICE, choice), (TEXTCAT, textcat)):
        for key in set(before) - {"_task_hash", "_view_id", "meta"}:
            assert after[key] == before[key], key
        assert "record_fields" not in after["meta"]
    assert choice["meta"] == {"source": "wire"}
    assert choice["_view_id"] == "annotator"  # ours, as the README says
    # and again: an export imported and exported is the same file
    again = tmp_path / "again.jsonl"
    assert run_cli("import", "--db", str(tmp_path / "b.db"), str(out), db=False).exit_code == 0
    assert run_cli("export", "--db", str(tmp_path / "b.db"), "--annotator", "x", tokens, "-o", str(again),
                   db=False).exit_code == 0
    assert [{k: v for k, v in t.items() if k != "meta"} for t in lines(again)] == \
        [{k: v for k, v in t.items() if k != "meta"} for t in lines(out)]


def test_doccano_export_keeps_a_prodigy_records_other_fields(tmp_path, run_cli):
    source = write_jsonl(tmp_path / "in.jsonl", [TEXTCAT])
    assert run_cli("import", "--as", "x", str(source)).exit_code == 0
    out = tmp_path / "out.jsonl"
    assert run_cli("export", "--annotator", "x", "--format", "doccano", "-o", str(out)).exit_code == 0
    (record,) = lines(out)
    assert record["body"] == TEXTCAT["body"] and record["html"] == TEXTCAT["html"]
    assert record["label"] == []  # Doccano's own field: the spans
    assert "_input_hash" not in record and "record_fields" not in record


def test_textcat_fixture_round_trips_every_field(tmp_path, run_cli):
    source = shared_file("prodigy", "textcat_docs_issues_training.jsonl")
    original = lines(source)
    assert run_cli("import", "--as", "x", str(source)).exit_code == 0
    out = tmp_path / "out.jsonl"
    assert run_cli("export", "--annotator", "x", "--no-tokens", "-o", str(out)).exit_code == 0
    exported = lines(out)
    assert len(exported) == len(original)
    for before, after in zip(original, exported):
        assert after["text"] == before["text"]
        for key in set(before) - {"_task_hash", "_view_id", "meta"}:
            assert after[key] == before[key], key


def brat_pair(folder: Path, text: str, ann: str) -> Path:
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (folder / "a.ann").write_text(ann, encoding="utf-8")
    return folder


def test_brat_byte_order_mark_moves_claims_speakers_and_cues_too(tmp_path, run_cli):
    """brat counts a BOM as a character: every offset, those in a claim's speaker and cue too, moves back by one."""
    text = "Biden said the tariffs are bad.\n"
    ann = ("T1\tSource 1 6\tBiden\nT2\tCue 7 11\tsaid\nT3\tContent 12 31\tthe tariffs are bad\n"
           "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n")
    folder = brat_pair(tmp_path / "brat", text, ann)
    assert run_cli("import", "--as", "x", str(folder)).exit_code == 0
    result = run_cli("export", "--annotator", "x", "--no-tokens")
    (claim,) = json.loads(result.output)["spans"]
    assert claim["text"] == "the tariffs are bad"
    assert claim["attrs"]["speaker"] == "Biden"
    assert claim["attrs"]["speaker_span"]["start"] == 0 and claim["attrs"]["speaker_span"]["end"] == 5
    assert text[slice(claim["attrs"]["cue_span"]["start"], claim["attrs"]["cue_span"]["end"])] == "said"


def test_brat_span_that_starts_on_the_byte_order_mark_starts_after_it(tmp_path, run_cli):
    folder = brat_pair(tmp_path / "brat", "Biden spoke.\n", "T1\tPERSON 0 6\t\ufeffBiden\n")
    result = run_cli("import", "--as", "x", str(folder))
    assert result.exit_code == 0, result.output
    (span,) = json.loads(run_cli("export", "--annotator", "x", "--no-tokens").output)["spans"]
    assert (span["start"], span["end"], span["text"]) == (0, 5, "Biden")


def test_brat_span_on_nothing_but_the_byte_order_mark_is_one_line_naming_the_ann(tmp_path, run_cli):
    folder = brat_pair(tmp_path / "brat", "Biden spoke.\n", "T1\tPERSON 0 1\t\ufeff\n")
    result = run_cli("import", "--as", "x", str(folder))
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "a.ann" in result.output and "byte-order mark" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "test.db").exists()


TEACH = [{"text": "Apple hired Tim Cook.", "spans": [{"start": 0, "end": 5, "label": "ORG"}], "answer": "accept"},
         {"text": "Apple hired Tim Cook.", "spans": [{"start": 12, "end": 20, "label": "ORG"}], "answer": "reject"}]


def test_binary_records_of_one_text_with_other_answers_are_refused_naming_both_lines(tmp_path, run_cli):
    """ner.teach writes a record per span: a rejected span must not become an accepted one of the same document."""
    source = write_jsonl(tmp_path / "teach.jsonl", TEACH)
    result = run_cli("import", "--as", "x", str(source))
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {source}:2: the same text as line 1, in layer 'x', answered 'accept' "
                                    "there and 'reject' here")
    assert result.output.count("\n") == 1
    assert not (tmp_path / "test.db").exists()
    # --skip-invalid keeps the first and lists the other
    result = run_cli("import", "--as", "x", "--skip-invalid", str(source))
    assert result.exit_code == 0 and f"skipped {source}:2:" in result.output
    (task,) = [json.loads(line) for line in run_cli("export", "--annotator", "x", "--no-tokens").output.splitlines()]
    assert [(s["start"], s["end"]) for s in task["spans"]] == [(0, 5)] and task["answer"] == "accept"


def test_records_of_one_text_with_other_labels_are_refused_and_equal_ones_merge(tmp_path, run_cli):
    labels = [{"text": "Doc build broken", "label": label, "answer": "accept", "_timestamp": n}
              for n, label in enumerate(["BUG", "DOCUMENTATION"])]
    first, second = (write_jsonl(tmp_path / name, [record]) for name, record in zip(("a.jsonl", "b.jsonl"), labels))
    result = run_cli("import", "--as", "x", str(first), str(second))
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {second}:1: the same text as {first}:1 with other fields (label)")
    # the same record twice (another timestamp, no answer the second time) is one document, as before
    again = write_jsonl(tmp_path / "c.jsonl", [labels[0], {**labels[0], "_timestamp": 9, "answer": None},
                                               {"text": "Doc build broken", "spans": [], "label": "BUG"}])
    result = run_cli("import", "--as", "x", str(again))
    assert result.exit_code == 0, result.output
    assert "imported 1 new document (2 already present)" in result.output


EMOJI = "🇺🇸 Biden 😀 said that 𝐓𝐡𝐞 tariffs are bad. Merkel backs Macron 👍 on the 🎉 pact.\r\nZürich\u0301 too."


def span(text: str, part: str, label: str, kind: str = "entity", **attrs) -> dict:
    start = text.index(part)
    return {"start": start, "end": start + len(part), "label": label, "kind": kind, "text": part, "attrs": attrs}


def emoji_task() -> dict:
    biden = span(EMOJI, "Biden", "PERSON")
    claim = span(EMOJI, "𝐓𝐡𝐞 tariffs are bad", "CLAIM", "claim", speaker="Biden",
                 speaker_span={k: biden[k] for k in ("start", "end", "label")})
    merkel, macron, pact = span(EMOJI, "Merkel", "PERSON"), span(EMOJI, "Macron", "PERSON"), span(EMOJI, "pact", "TOPIC",
                                                                                                  "topic")
    ends = [{k: s[k] for k in ("start", "end", "label")} for s in (merkel, macron, pact)]
    return {"text": EMOJI, "answer": "accept",
            "spans": [biden, claim, merkel, macron, pact, span(EMOJI, "Zürich\u0301", "GPE")],
            "relations": [{"head_span": ends[0], "child_span": ends[1], "label": "FAVOR", "kind": "stance"},
                          {"head_span": ends[0], "child_span": ends[2], "label": "FAVOR", "kind": "stance"}]}


def test_doccano_keeps_claim_speakers_and_topics_with_astral_offsets(tmp_path, run_cli):
    """Claim speakers travel as Speaker relations (as in brat); offsets are code points, emoji and all."""
    source = write_jsonl(tmp_path / "in.jsonl", [emoji_task()])
    assert run_cli("import", "--as", "x", str(source)).exit_code == 0
    out = tmp_path / "d.jsonl"
    assert run_cli("export", "--annotator", "x", "--format", "doccano", "-o", str(out)).exit_code == 0
    (record,) = lines(out)
    ents = {e["id"]: EMOJI[e["start_offset"]:e["end_offset"]] for e in record["entities"]}
    assert {(ents[r["from_id"]], ents[r["to_id"]], r["type"]) for r in record["relations"]} == {
        ("𝐓𝐡𝐞 tariffs are bad", "Biden", "Speaker"), ("Merkel", "Macron", "FAVOR"), ("Merkel", "pact", "FAVOR")}
    # imported again, the same items as the original: speaker, topic and all
    assert run_cli("import", "--db", str(tmp_path / "b.db"), "--as", "x", str(out), db=False).exit_code == 0
    lean = [run_cli("export", "--db", str(db), "--annotator", "x", "--no-tokens", db=False).output
            for db in (tmp_path / "test.db", tmp_path / "b.db")]
    first, again = (json.loads(text) for text in lean)
    assert again["spans"] == first["spans"] and again["relations"] == first["relations"]


def test_doccano_speaker_relation_from_something_not_a_claim_stays_a_relation(tmp_path, run_cli):
    record = {"text": "Kim met Putin.", "entities": [{"id": 1, "start_offset": 0, "end_offset": 3, "label": "PERSON"},
                                                   {"id": 2, "start_offset": 8, "end_offset": 13, "label": "PERSON"}],
              "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "Speaker"}]}
    assert run_cli("import", "--as", "x", str(write_jsonl(tmp_path / "d.jsonl", [record]))).exit_code == 0
    (rel,) = json.loads(run_cli("export", "--annotator", "x", "--no-tokens").output)["relations"]
    assert (rel["label"], rel["kind"]) == ("Speaker", "relation")


def load_docbin(path: Path) -> list:
    import spacy
    from spacy.tokens import DocBin

    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def test_spacy_docbin_loads_back_with_every_span_where_it_was(tmp_path, run_cli):
    source = write_jsonl(tmp_path / "in.jsonl", [emoji_task()])
    assert run_cli("import", "--as", "x", str(source)).exit_code == 0
    out = tmp_path / "x.spacy"
    result = run_cli("export", "--annotator", "x", "--format", "spacy", "-o", str(out))
    assert result.exit_code == 0 and "widened" not in result.output and "left out" not in result.output
    (doc,) = load_docbin(out)
    assert doc.text == EMOJI
    got = {(s.start_char, s.end_char, s.label_) for group in doc.spans.values() for s in group}
    assert got == {(s["start"], s["end"], s["label"]) for s in emoji_task()["spans"]}
    assert {(e.text, e.label_) for e in doc.ents} == {("Biden", "PERSON"), ("Merkel", "PERSON"), ("Macron", "PERSON"),
                                                        ("Zürich\u0301", "GPE")}
    assert doc.user_data["claims"][0]["attrs"]["speaker"] == emoji_task()["spans"][1]["attrs"]["speaker_span"]


def test_spacy_docbin_leaves_out_a_span_of_whitespace_alone_and_says_so(tmp_path, run_cli):
    """spaCy's expand alignment makes an empty span of it, which `spacy train` cannot use."""
    record = {"text": "Kim  met Putin.", "spans": [{"start": 3, "end": 4, "label": "X"},
                                                     {"start": 9, "end": 14, "label": "PERSON"}], "answer": "accept"}
    assert run_cli("import", "--as", "x", str(write_jsonl(tmp_path / "in.jsonl", [record]))).exit_code == 0
    out = tmp_path / "x.spacy"
    result = run_cli("export", "--annotator", "x", "--format", "spacy", "-o", str(out))
    assert result.exit_code == 0
    assert "(1 spans of whitespace alone left out: a DocBin span needs a token)" in result.output
    (doc,) = load_docbin(out)
    assert [(s.text, s.label_) for s in doc.spans["entities"]] == [("Putin", "PERSON")]
    assert [(e.text, e.label_) for e in doc.ents] == [("Putin", "PERSON")]


@pytest.mark.parametrize("content, problem", [
    ('{"text": ""}\n', "in.jsonl:1: 'text' is empty"),
    ('{"text": "ok"}\n{"text": " \\n\\t"}\n', "in.jsonl:2: 'text' holds only whitespace"),
    ('[\n  {"text": "a"},\n  {"text": "b"}\n]\n', "in.jsonl:1: a JSON array over several lines, not JSON Lines"),
    ('[{"text": "a"}]\n', "in.jsonl:1: expected a JSON object, got list (one JSON object per line"),
])
def test_blank_texts_and_json_arrays_are_one_line_naming_the_line(tmp_path, run_cli, content, problem):
    source = tmp_path / "in.jsonl"
    source.write_text(content, encoding="utf-8")
    result = run_cli("import", str(source))
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {tmp_path}/{problem}") and result.output.count("\n") == 1
    assert not (tmp_path / "test.db").exists()


def test_brat_export_of_labels_brat_cannot_hold_imports_back_exactly(tmp_path, run_cli):
    """A label with a space (Prodigy allows it) written as a brat type broke the .ann line: brat and annotator
    itself refused the export. The type is made brat-safe and the note keeps the real label."""
    text = "I love Gucci bags and Kim said so."
    gucci, kim = {"start": 7, "end": 12, "label": "FASHION BRAND"}, {"start": 22, "end": 25, "label": "PER:SON"}
    record = {"text": text, "answer": "accept", "spans": [gucci, kim, {"start": 0, "end": 1, "label": "A;B"}],
              "relations": [{"head_span": kim, "child_span": gucci, "label": "LIKES IT"},
                            {"head_span": kim, "child_span": {"start": 13, "end": 17, "label": "GOOD S"},
                             "label": "FAVOR", "kind": "stance"}]}
    assert run_cli("import", "--as", "x", str(write_jsonl(tmp_path / "in.jsonl", [record]))).exit_code == 0
    assert run_cli("export", "--annotator", "x", "--format", "brat", "-o", str(tmp_path / "brat")).exit_code == 0
    (ann,) = (tmp_path / "brat").glob("*.ann")
    types = [line.split("\t")[1].split()[0] for line in ann.read_text(encoding="utf-8").splitlines()
             if line[0] in "TR"]
    assert sorted(types) == ["A_B", "FASHION_BRAND", "FAVOR", "GOOD_S", "LIKES_IT", "PER_SON"]
    conf = (tmp_path / "brat" / "annotation.conf").read_text(encoding="utf-8")
    assert all(len(line.split("\t")[0].split()) == 1 for line in conf.splitlines() if line and line[0] != "[")
    other = tmp_path / "b.db"
    result = run_cli("import", "--db", str(other), "--as", "x", str(tmp_path / "brat"), db=False)
    assert result.exit_code == 0, result.output
    first, again = (json.loads(run_cli("export", "--db", str(db), "--annotator", "x", "--no-tokens", db=False).output)
                    for db in (tmp_path / "test.db", other))
    assert again["spans"] == first["spans"] and again["relations"] == first["relations"]


def test_a_top_level_field_json_cannot_hold_is_named_as_the_record_names_it(tmp_path, run_cli):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "a b", "score": NaN, "answer": "accept"}\n', encoding="utf-8")
    result = run_cli("import", str(source))
    assert result.exit_code == 1
    assert result.output == f"error: {source}:1: 'score' holds NaN, which is not valid JSON\n"


def test_doccano_keeps_an_unlabelled_speaker_without_making_it_a_span(tmp_path, run_cli):
    """PolNeAR's sources have no label: Doccano needs one (TOPIC), and it does not come back as a topic span."""
    text = "The Post reports that Clinton was ill.\n"
    ann = ("T1\tSource 0 8\tThe Post\nT2\tCue 9 16\treports\nT3\tContent 17 37\tthat Clinton was ill\n"
           "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n")
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "a.ann").write_text(ann, encoding="utf-8")
    assert run_cli("import", "--as", "x", str(folder)).exit_code == 0
    out = tmp_path / "d.jsonl"
    assert run_cli("export", "--annotator", "x", "--format", "doccano", "-o", str(out)).exit_code == 0
    other = tmp_path / "b.db"
    assert run_cli("import", "--db", str(other), "--as", "x", str(out), db=False).exit_code == 0
    (claim,) = json.loads(run_cli("export", "--db", str(other), "--annotator", "x", "--no-tokens", db=False).output)["spans"]
    assert claim["text"] == "that Clinton was ill"
    assert claim["attrs"] == {"speaker": "The Post", "speaker_span": {"start": 0, "end": 8, "label": ""}}


@pytest.mark.parametrize("tokens", ["--tokens", "--no-tokens"])
def test_a_spans_and_a_relations_own_fields_survive(tmp_path, run_cli, tokens):
    """A pattern match's source and input_hash (ner.manual), a span's type and a relation's color (rel.manual)."""
    gucci = {"start": 7, "end": 12, "label": "BRAND", "source": "./rule-based-model", "input_hash": 620145342,
             "type": "span"}
    kim = {"start": 22, "end": 25, "label": "PERSON", "type": "span"}
    record = {"text": "I love Gucci bags and Kim said so.", "answer": "accept", "spans": [gucci, kim],
              "relations": [{"head_span": {"start": 22, "end": 25, "label": "PERSON"},
                             "child_span": {"start": 7, "end": 12, "label": "BRAND"}, "label": "LIKES",
                             "color": "#ffd882"}]}
    assert run_cli("import", "--as", "x", str(write_jsonl(tmp_path / "in.jsonl", [record]))).exit_code == 0
    (task,) = [json.loads(line) for line in run_cli("export", "--annotator", "x", tokens).output.splitlines()]
    for want, got in zip(record["spans"], task["spans"]):
        assert {k: got[k] for k in want} == want and got["attrs"] == {}
    (rel,) = task["relations"]
    assert rel["color"] == "#ffd882" and rel["label"] == "LIKES" and "attrs" not in rel
    # through brat and back, the same
    assert run_cli("export", "--annotator", "x", "--format", "brat", "-o", str(tmp_path / "brat")).exit_code == 0
    other = tmp_path / "b.db"
    assert run_cli("import", "--db", str(other), "--as", "x", str(tmp_path / "brat"), db=False).exit_code == 0
    again = json.loads(run_cli("export", "--db", str(other), "--annotator", "x", tokens, db=False).output)
    assert again["spans"] == task["spans"] and again["relations"] == task["relations"]


def test_evaluate_reads_gold_as_import_does(tmp_path):
    """A gold span labelled CLAIM without a kind is a claim (it was scored as an entity), and a Doccano gold file
    is read as Doccano (its entities were not read at all)."""
    from annotator.learn.evaluate import load_gold

    gold = write_jsonl(tmp_path / "gold.jsonl", [
        {"text": "Kim said the deal is bad.", "spans": [{"start": 0, "end": 3, "label": "PERSON"},
                                                     {"start": 9, "end": 24, "label": "CLAIM",
                                                      "attrs": {"speaker": "Kim"}}]},
        {"text": "NATO met in Brussels.", "label": [[0, 4, "ORG"], [12, 20, "GPE"]]}])
    first, second = load_gold(gold)
    assert [(v.label, v.kind) for v in first.values] == [("PERSON", "entity"), ("CLAIM", "claim")]
    assert first.values[1].attrs["speaker"] == {"start": 0, "end": 3, "label": "PERSON"}
    assert [(v.start, v.end, v.label) for v in second.values] == [(0, 4, "ORG"), (12, 20, "GPE")]


def test_evaluate_leaves_out_gold_records_prodigy_answered_reject_or_ignore(tmp_path):
    from annotator.learn.evaluate import load_gold

    records = [{"text": f"Kim met Putin on day {n}.", "spans": [{"start": 0, "end": 3, "label": "PERSON"}],
                **({"answer": answer} if answer else {})} for n, answer in enumerate(["accept", "reject", "ignore", None])]
    gold = load_gold(write_jsonl(tmp_path / "gold.jsonl", records))
    assert [g.text for g in gold] == [records[0]["text"], records[3]["text"]]
