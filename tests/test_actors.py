"""The schema's ``actors:`` decides which entities can speak or hold a stance, everywhere: the
speaker and stance pickers of the annotation session, the review screen's speaker picker, the
suggesters, and the suggester versions (a schema that changes its actors gets new suggestions)."""

from __future__ import annotations

import uuid

import pytest

from annotator.annotate import decisions as D
from annotator.annotate.session import AnnotationSession, Refused
from annotator.model import Annotation, Document, Span
from annotator.schema import DEFAULT_ACTORS, builtin_schema_path, load_schema
from annotator.store import ImportRecord, Store

TEXT = ("Heathrow Airport and British Airways criticized the plan. Angela Merkel, a German leader, "
        "said the plan would fail in Berlin.")
ENTITIES = {"Heathrow Airport": "FAC", "British Airways": "ORG", "Angela Merkel": "PERSON", "German": "NORP",
            "Berlin": "GPE"}


def schema_with(tmp_path, actors: str | None):
    """The built-in schema with another ``actors:`` line (None: without one, so the default)."""
    text = builtin_schema_path().read_text(encoding="utf-8")
    assert "actors: [PERSON, ORG, GPE, NORP]\n" in text
    path = tmp_path / f"schema-{uuid.uuid4().hex[:6]}.yaml"
    path.write_text(text.replace("actors: [PERSON, ORG, GPE, NORP]\n", "" if actors is None else f"actors: {actors}\n"),
                    encoding="utf-8")
    return load_schema(path)


def span(needle: str) -> Span:
    start = TEXT.index(needle)
    return Span(start, start + len(needle), ENTITIES[needle])


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "a.db")
    doc = Document.from_text(TEXT)
    s.import_records([ImportRecord(doc)])
    s.replace_suggestions(doc.id, "test", "1", [(span(n), "ner", 0.9) for n in ENTITIES])
    yield s
    s.close()


def open_session(store, schema) -> AnnotationSession:
    s = AnnotationSession(store, schema, "alice")
    assert s.open_first()
    return s


def test_the_default_actors_are_the_four_and_a_schema_can_say_otherwise(tmp_path):
    assert load_schema().actors == DEFAULT_ACTORS == ("PERSON", "ORG", "GPE", "NORP")
    assert schema_with(tmp_path, None).actors == DEFAULT_ACTORS
    assert schema_with(tmp_path, "[ORG, GPE, FAC]").actors == ("ORG", "GPE", "FAC")


def test_decisions_take_the_actor_labels_they_are_given():
    items = D.visible_items([], [Annotation(str(i), "d", "alice", span(n)) for i, n in enumerate(ENTITIES)])
    assert [i.label for i in D.actors(items, DEFAULT_ACTORS)] == ["ORG", "PERSON", "NORP", "GPE"]
    assert [i.label for i in D.actors(items, ("FAC", "ORG"))] == ["FAC", "ORG"]


def test_speaker_and_stance_pickers_follow_the_schemas_actors(store, tmp_path):
    default = open_session(store, load_schema())
    assert sorted(c.text for c in default.actor_candidates()) == ["Angela Merkel", "Berlin", "British Airways",
                                                                  "German"]
    places = open_session(store, schema_with(tmp_path, "[ORG, GPE, FAC]"))  # adds FAC, drops PERSON and NORP
    assert sorted(c.text for c in places.actor_candidates()) == ["Berlin", "British Airways", "Heathrow Airport"]
    _, sources, _ = places.stance_draft()
    assert sorted(c.text for c in sources) == ["Berlin", "British Airways", "Heathrow Airport"]
    nobody = open_session(store, schema_with(tmp_path, "[]"))
    assert nobody.actor_candidates() == []
    with pytest.raises(Refused, match=r"No actors \(the schema names none\)"):
        nobody.stance_draft()
    _, sources, _ = open_session(store, schema_with(tmp_path, "[PERSON]")).stance_draft()
    assert [c.text for c in sources] == ["Angela Merkel"]


@pytest.mark.anyio
async def test_the_review_screens_speaker_picker_follows_the_schemas_actors(tmp_path):
    pytest.importorskip("textual")
    from annotator.tui.screens.picker import PickerScreen
    from tests.helpers.review import SIZE, review_app, review_screen

    db = tmp_path / "r.db"
    doc = Document.from_text(TEXT)
    claim = Span(TEXT.index("the plan would"), TEXT.index(" in Berlin"), "CLAIM", "claim")
    with Store(db) as s:
        s.import_records([ImportRecord(doc)])
        for who, speaker in (("alice", "AUTHOR"), ("bob", "UNNAMED")):
            for value in [span(n) for n in ENTITIES] + [Span(claim.start, claim.end, "CLAIM", "claim",
                                                             {"speaker": speaker})]:
                s.apply(who, doc.id, "add", [(None, Annotation(uuid.uuid4().hex, doc.id, who, value))])

    async def offered(schema) -> list[str]:
        app = review_app(db, schema=schema)
        async with app.run_test(size=SIZE) as pilot:
            screen = await review_screen(pilot)
            screen.focus_row = [r.kind for r in screen.al.rows].index("claim")
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            out = [c.prompt.plain for c in app.screen.choices]
            await pilot.press("escape")
            await pilot.pause()
        return out

    # nearest the claim first, each with its line (see the review screen's _edit_speaker)
    assert await offered(load_schema()) == ["AUTHOR (the article's own voice)", "UNNAMED", "Berlin (GPE) · line 1",
                                            "German (NORP) · line 1", "Angela Merkel (PERSON) · line 1",
                                            "British Airways (ORG) · line 1"]
    assert await offered(schema_with(tmp_path, "[ORG, FAC]")) == [
        "AUTHOR (the article's own voice)", "UNNAMED", "British Airways (ORG) · line 1",
        "Heathrow Airport (FAC) · line 1"]


def test_the_suggester_versions_name_actors_other_than_the_default(tmp_path):
    from annotator.suggest.lexicon import load_lexicons
    from annotator.suggest.runner import make_suggesters

    lex = load_lexicons()
    default = make_suggesters(load_schema(), lex).versions
    assert "actors" not in "".join(default.values())  # the versions of databases suggested before stay current
    assert make_suggesters(schema_with(tmp_path, None), lex).versions == default
    other = make_suggesters(schema_with(tmp_path, "[PERSON, ORG, GPE, NORP, FAC]"), lex).versions
    assert other["entities"] == default["entities"]
    assert other["claims"] == default["claims"] + "+actors=PERSON,ORG,GPE,NORP,FAC"
    assert other["stances"] == default["stances"] + "+actors=PERSON,ORG,GPE,NORP,FAC"


@pytest.mark.slow
def test_suggesters_follow_the_schemas_actors(tmp_path):
    from annotator.suggest.runner import suggest_text
    from test_suggest_common import shared_pipeline

    nlp, schema = shared_pipeline()
    no_norp = schema_with(tmp_path, "[PERSON, ORG, GPE]")
    with_fac = schema_with(tmp_path, "[PERSON, ORG, GPE, NORP, FAC]")

    def stance_sources(s, text):
        return [(x.value.attrs["source_text"], x.value.source.label) for x in suggest_text(nlp, s, text)
                if x.value.kind == "stance"]

    def speakers(s, text):
        out = []
        for x in suggest_text(nlp, s, text):
            if x.value.kind == "claim" and x.rule != "author":
                sp = x.value.attrs["speaker"]
                out.append(sp if isinstance(sp, str) else x.value.attrs["speaker_text"])
        return out

    text = "Republicans opposed the bill on Tuesday."  # Republicans: NORP
    assert stance_sources(schema, text) == [("Republicans", "NORP")]
    assert stance_sources(no_norp, text) == []
    text = "Heathrow Airport opposed the new rules."  # Heathrow Airport: FAC
    assert stance_sources(schema, text) == []
    assert stance_sources(with_fac, text) == [("Heathrow Airport", "FAC")]
    text = "Heathrow Airport reopened on Monday. It said flights would resume."
    assert speakers(schema, text) == ["It"]  # no actor for "It" to stand for: the pronoun is the speaker
    assert speakers(with_fac, text) == ["Heathrow Airport"]
