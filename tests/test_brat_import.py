"""brat standoff import: every line type, discontinuous spans, events as claims, bad lines, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.errors import AnnotatorError
from annotator.formats.exporting import collect, export
from annotator.formats.brat import parse_ann
from annotator.formats.brat_mapping import load_mapping, read_pair, to_values
from annotator.formats.importing import import_sources
from annotator.model import Document, Span, SpanRef, Stance, value_to_record
from annotator.store import ImportRecord, Store
from tests.conftest import SHARED

TEXT = ("Senator Ann Lee said the tariffs would hurt farmers.\n"
        "The plan, officials warned, is costly.\n"
        "Lee backed the bill.\n")


def write_pair(folder: Path, name: str, text: str, ann: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8", newline="")
    (folder / f"{name}.ann").write_text(ann, encoding="utf-8", newline="")
    return folder / f"{name}.txt"


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def t_line(ident: str, type_: str, text: str, *needles: str) -> str:
    frags = [at(text, n) for n in needles]
    offsets = ";".join(f"{a} {b}" for a, b in frags)
    return f"{ident}\t{type_} {offsets}\t{' '.join(text[a:b] for a, b in frags)}\n"


def polnear_style_ann(text: str) -> str:
    return (t_line("T1", "Source", text, "Senator Ann Lee") + t_line("T2", "Cue", text, "said")
            + t_line("T3", "Content", text, "the tariffs would hurt farmers") + t_line("T4", "Attribution", text, "said")
            + "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
            # a discontinuous content around the cue: "The plan, ... is costly"
            + t_line("T5", "Content", text, "The plan", "is costly") + t_line("T6", "Cue", text, "warned")
            + t_line("T7", "Source", text, "officials") + t_line("T8", "Attribution", text, "warned")
            + "E2\tAttribution:T8 Cue:T6 Source:T7 Content:T5\n"
            + t_line("T9", "Content", text, "Lee backed the bill") + t_line("T10", "Attribution-no-source", text, "backed")
            + "E3\tAttribution-no-source:T10 Content:T9\n"
            + t_line("T11", "Discard", text, "Lee backed")
            + "#1\tAnnotatorNotes T11\tnot sure about this one\n")


def test_attribution_events_become_claims_with_speaker_and_cue(tmp_path):
    path = write_pair(tmp_path, "doc", TEXT, polnear_style_ann(TEXT))
    text, meta, values = read_pair(path, load_mapping(None))
    claims = {text[v.start:v.end]: v for v in values if v.kind == "claim"}
    lee = claims["the tariffs would hurt farmers"]
    assert lee.attrs["speaker"] == {"start": 0, "end": 15, "label": ""}
    assert lee.attrs["speaker_text"] == "Senator Ann Lee" and lee.attrs["cue"] == "said"
    assert "fragments" not in lee.attrs
    plan = claims["The plan, officials warned, is costly"]  # first to last character
    assert plan.attrs["fragments"] == [list(at(TEXT, "The plan")), list(at(TEXT, "is costly"))]
    assert plan.attrs["speaker_text"] == "officials"
    assert claims["Lee backed the bill"].attrs["speaker"] == "UNNAMED"
    # the parts of the events are not entities; other spans are, with their notes
    entities = [(text[v.start:v.end], v.label, v.attrs) for v in values if v.kind == "entity"]
    assert entities == [("Lee backed", "Discard", {"note": "not sure about this one"})]
    assert meta["title"] == "Senator Ann Lee said the tariffs would hurt farmers."


def test_relations_attributes_and_generic_events(tmp_path):
    lee = at(TEXT, "Lee", 1)
    ann = (f"T1\tPERSON {lee[0]} {lee[1]}\tLee\n"
           + t_line("T2", "LAW", TEXT, "the bill") + "R1\tFAVOR Arg1:T1 Arg2:T2\n"
           + t_line("T3", "ORG", TEXT, "officials") + "R2\tPart-of Arg1:T3 Arg2:T2\n"
           + "A1\tNegated T3\n" + "A2\tCertainty T2 High\n"
           + t_line("T4", "Vote", TEXT, "backed") + "E1\tVote:T4 Agent:T1 Theme:T2\n")
    path = write_pair(tmp_path, "doc", TEXT, ann)
    text, _, values = read_pair(path, load_mapping(None))
    stances = [(text[v.source.start:v.source.end], v.polarity, text[v.target.start:v.target.end], v.attrs)
               for v in values if isinstance(v, Stance)]
    assert ("Lee", "FAVOR", "the bill", {}) in stances
    assert ("officials", "Part-of", "the bill", {"relation": "relation"}) in stances
    assert ("backed", "Agent", "Lee", {"relation": "relation"}) in stances  # the event's arguments
    assert ("backed", "Theme", "the bill", {"relation": "relation"}) in stances
    spans = {text[v.start:v.end]: v for v in values if isinstance(v, Span)}
    assert spans["officials"].attrs == {"Negated": True} and spans["the bill"].attrs == {"Certainty": "High"}
    assert spans["backed"].label == "Vote"


def test_mapping_file_names_claims_stances_and_ignored_types(tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("claims:\n  - {type: Quote}\n  - {type: Said, content: What, speaker: Who}\n"
                       "stances: {Supports: FAVOR}\nignore: [Discard]\n", encoding="utf-8")
    ann = (t_line("T1", "Quote", TEXT, "is costly") + t_line("T2", "Who", TEXT, "Senator Ann Lee")
           + t_line("T3", "What", TEXT, "the tariffs would hurt farmers") + t_line("T4", "Said", TEXT, "said")
           + "E1\tSaid:T4 What:T3 Who:T2\n" + t_line("T5", "PERSON", TEXT, "officials")
           + "R1\tSupports Arg1:T5 Arg2:T1\n" + t_line("T6", "Discard", TEXT, "bill"))
    path = write_pair(tmp_path, "doc", TEXT, ann)
    text, _, values = read_pair(path, load_mapping(mapping))
    claims = sorted((text[v.start:v.end], v.attrs.get("speaker_text")) for v in values if v.kind == "claim")
    assert claims == [("is costly", None), ("the tariffs would hurt farmers", "Senator Ann Lee")]
    assert [v.polarity for v in values if isinstance(v, Stance)] == ["FAVOR"]
    assert "bill" not in {text[v.start:v.end] for v in values if isinstance(v, Span)}

    mapping.write_text("stances: {Supports: LOVE}\n", encoding="utf-8")
    with pytest.raises(AnnotatorError, match="LOVE") as err:
        load_mapping(mapping)
    assert err.value.line == 1


@pytest.mark.parametrize("line, problem", [
    ("T1\tPERSON 0 7\tSenator", None),
    ("T1\tPERSON 0 7\tSenatr", "its text 'Senatr' is not the text at 0 7 ('Senator')"),
    ("T1\tPERSON 0 9999\tSenator", "offsets 0-9999 lie outside the text"),
    ("T1\tPERSON 7 7\t", "end <= start"),
    ("T1\tPERSON seven\tSenator", "expected 'TYPE START END'"),
    ("X1\tPERSON 0 7\tSenator", "not a brat annotation line"),
    ("T1 PERSON 0 7 Senator", "not a brat annotation line"),
    ("R1\tFAVOR Arg1:T1", "expected 'TYPE Arg1:ID Arg2:ID'"),
    ("R1\tFAVOR Arg1:T8 Arg2:T9", "R1 refers to T8, which is not defined"),
    ("E1\tAttribution Content:T3", "expected 'TYPE:TRIGGER ROLE:ID ...'"),
    ("A1\tNegated", "expected 'TYPE TARGET [VALUE]'"),
    ("A1\tNegated T7", "A1 refers to T7"),
    ("#1\tAnnotatorNotes\tnote", "expected 'AnnotatorNotes TARGET'"),
])
def test_bad_lines_name_file_line_and_problem(tmp_path, line, problem):
    ann = "N1\tReference T0 Wikipedia:1\tignored\n\n" + line + "\n"
    if problem is None:
        assert list(parse_ann(ann, TEXT, "x.ann").textbounds) == ["T1"]
        return
    with pytest.raises(AnnotatorError) as err:
        parse_ann(ann, TEXT, "x.ann")
    assert problem in err.value.problem and err.value.path == "x.ann" and err.value.line == 3


def test_duplicate_ids_and_multiline_text(tmp_path):
    text = "First para.\n\nSecond para."
    with pytest.raises(AnnotatorError, match="T1 is defined twice") as err:
        parse_ann("T1\tX 0 5\tFirst\nT1\tX 0 5\tFirst\n", text, "x.ann")
    assert err.value.line == 2
    # a span over a line break: its text runs on over the next lines of the .ann (seen in real corpora)
    so = parse_ann("T1\tContent 6 24\tpara.\n\nSecond para\nT2\tX 0 5\tFirst\n", text, "x.ann")
    assert (so.textbounds["T1"].start, so.textbounds["T1"].end) == (6, 24) and so.textbounds["T2"].line == 4


def test_import_cli_reads_a_brat_folder_without_importing_its_txt_twice(tmp_path, run_cli, db_path):
    folder = tmp_path / "corpus"
    write_pair(folder, "a", TEXT, polnear_style_ann(TEXT))
    write_pair(folder, "empty", "Nobody annotated this yet.\n", "")
    (folder / "plain.txt").write_text("A plain article.\n", encoding="utf-8")
    (folder / "annotation.conf").write_text("[entities]\nDiscard\n", encoding="utf-8")
    result = run_cli("import", str(folder), "--as", "gold")
    assert result.exit_code == 0, result.output
    assert "imported 3 new documents (0 already present), 4 annotations (4 to gold)" in result.output
    with Store(db_path) as store:
        texts = sorted(d.text for d in store.documents())
        assert texts == sorted([TEXT, "Nobody annotated this yet.\n", "A plain article.\n"])
        gold = store.layer_items("gold")
        assert len(gold) == 1 and store.statuses("gold") == {Document.from_text(TEXT).id: "done"}
    # the .ann, its .txt and the configuration given one by one: the same document, nothing twice
    again = run_cli("import", str(folder / "a.ann"), str(folder / "a.txt"), str(folder / "annotation.conf"), "--as", "gold")
    assert again.exit_code == 0 and "imported 0 new documents" in again.output and "0 annotations" in again.output
    with Store(db_path) as store:
        assert store.count_documents() == 3 and sum(len(v) for v in store.layer_items("gold").values()) == 4


def test_import_cli_bad_ann_is_one_line_and_writes_nothing(tmp_path, run_cli, db_path):
    folder = tmp_path / "corpus"
    write_pair(folder, "a", TEXT, polnear_style_ann(TEXT))
    write_pair(folder, "b", TEXT.replace("Senator", "Senatr"), "T1\tPERSON 0 7\tSenator\n")
    result = run_cli("import", str(folder))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines() == [
        f"error: {folder / 'b.ann'}:1: T1: its text 'Senator' is not the text at 0 7 ('Senatr '); "
        "is the .txt the one this .ann belongs to?"]
    assert not db_path.exists() or Store(db_path).count_documents() == 0
    skipped = run_cli("import", str(folder), "--skip-invalid")
    assert skipped.exit_code == 0 and "1 invalid record skipped" in skipped.output
    orphan = tmp_path / "orphan.ann"
    orphan.write_text("", encoding="utf-8")
    lonely = run_cli("import", str(orphan))
    assert lonely.exit_code == 1 and "needs its text beside it (orphan.txt is missing)" in lonely.output


def layer_values(store: Store, layer: str) -> list:
    import json

    return sorted(json.dumps(value_to_record(a.value), sort_keys=True)
                  for items in store.layer_items(layer).values() for a in items)


def test_brat_export_then_import_round_trips(tmp_path):
    text = "Kim 김정은 met Putin in\r\nMoscow. 👩‍👩‍👧 Officials said the pact\nwas signed.\tTabs\there.\n"
    kim, putin, moscow = at(text, "Kim 김정은"), at(text, "Putin"), at(text, "Moscow")
    claim_span = at(text, "the pact\nwas signed")
    officials = at(text, "Officials")
    values = [
        Span(*kim, "PERSON"), Span(*putin, "PERSON", "entity", {"note": "checked"}), Span(*moscow, "GPE"),
        Span(*at(text, "Putin in\r\nMoscow"), "EVENT"),  # over a line break
        Span(*claim_span, "CLAIM", "claim", {"speaker": {"start": officials[0], "end": officials[1], "label": ""},
                                             "speaker_text": "Officials", "cue": "said", "hedged": False,
                                             "claim_type": "event", "checkworthy": 0.85}),
        Span(*at(text, "Tabs\there"), "CLAIM", "claim", {"speaker": "AUTHOR", "hedged": True}),
        Span(*at(text, "the pact"), "TOPIC", "topic", {}),
        Stance(SpanRef(*kim, "PERSON"), SpanRef(*putin, ""), "FAVOR", SpanRef(0, 30, ""), {"rule": "verb", "cue": "met"}),
        Stance(SpanRef(*officials, ""), SpanRef(*at(text, "the pact"), "TOPIC"), "AGAINST", None, {}),
        Stance(SpanRef(*putin, "PERSON"), SpanRef(*moscow, "GPE"), "located_in", None, {"relation": "relation"}),
    ]
    doc = Document.from_text(text, {"source": "x"})
    with Store(tmp_path / "a.db") as store:
        store.import_records([ImportRecord(doc, "alice", values, "done")])
        export(collect(store, "alice"), "brat", str(tmp_path / "brat"))
        before = layer_values(store, "alice")
    anns = sorted((tmp_path / "brat").glob("*.ann"))
    assert len(anns) == 1
    with Store(tmp_path / "b.db") as again:
        import_sources(again, [tmp_path / "brat"], layer="alice")
        assert [d.text for d in again.documents()] == [text]
        assert layer_values(again, "alice") == before
        export(collect(again, "alice"), "brat", str(tmp_path / "brat2"))
    assert sorted(p.read_text(encoding="utf-8") for p in (tmp_path / "brat2").glob("*.ann")) == \
        [anns[0].read_text(encoding="utf-8")]


def test_text_with_byte_order_mark_keeps_brat_offsets(tmp_path):
    (tmp_path / "d.txt").write_bytes("\ufeffKim met Putin.".encode("utf-8"))
    (tmp_path / "d.ann").write_text("T1\tPERSON 9 14\tPutin\n", encoding="utf-8")
    text, _, values = read_pair(tmp_path / "d.txt", load_mapping(None))
    assert text == "Kim met Putin." and [(text[v.start:v.end], v.label) for v in values] == [("Putin", "PERSON")]


POLNEAR = SHARED / "corpora" / "polnear" / "dev"


def test_polnear_dev_imports_and_round_trips(tmp_path):
    if not POLNEAR.is_dir():
        pytest.skip(f"{POLNEAR} is absent (the PolNeAR corpus lives beside the repo in ../shared)")
    names = sorted(POLNEAR.glob("*.ann"))[:12]
    events = sum(line.startswith("E") for p in names for line in p.read_text(encoding="utf-8").splitlines())
    with Store(tmp_path / "p.db") as store:
        import_sources(store, [p.with_suffix(".txt") for p in names], layer="polnear")
        claims = [a.value for items in store.layer_items("polnear").values() for a in items if a.value.kind == "claim"]
        assert len(claims) >= events - 3  # the same content twice in a document is one item
        assert all(c.attrs["speaker"] == "UNNAMED" or c.attrs["speaker_text"] for c in claims)
        before = layer_values(store, "polnear")
        export(collect(store, "polnear"), "brat", str(tmp_path / "out"))
    with Store(tmp_path / "q.db") as again:
        import_sources(again, [tmp_path / "out"], layer="polnear")
        assert layer_values(again, "polnear") == before


def test_to_values_works_on_parsed_standoff_directly():
    so = parse_ann(t_line("T1", "CLAIM", TEXT, "is costly") + "A1\tSpeaker T1 AUTHOR\nA2\tHedged T1\n", TEXT, "x.ann")
    [claim] = to_values(so, TEXT)
    assert claim.kind == "claim" and claim.attrs == {"speaker": "AUTHOR", "hedged": True}
