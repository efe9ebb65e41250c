"""Rule accept rates: counted from decisions, shown by `stats --rules`, used to demote or hide rules."""

import json

from annotator.suggest.feedback import MIN_DECISIONS, apply_feedback, by_key, rule_stats
from annotator.model import Annotation, Document, Span
from annotator.store import ImportRecord, new_id


def decide(store, doc, suggestion, status, label=None):
    value = suggestion.value if label is None else Span(suggestion.value.start, suggestion.value.end, label)
    ann = Annotation(new_id(), doc.id, "alice", value, status, suggestion.id, "suggestion")
    store.apply("alice", doc.id, "accept" if status == "accepted" else "reject", [(None, ann)])


def test_rule_outcomes_count_accepted_fixed_and_rejected(store, run_cli):
    docs = [Document.from_text(f"Doc {i}: Moscow and Kiev met.") for i in range(12)]
    store.import_records([ImportRecord(d) for d in docs])
    for i, doc in enumerate(docs):
        store.replace_suggestions(doc.id, "entities", "1", [(Span(8, 14, "GPE"), "ner", 0.9),
                                                            (Span(19, 23, "ORG"), "bad-rule", 0.8)])
        good, bad = sorted(store.suggestions(doc.id), key=lambda s: s.value.start)
        decide(store, doc, good, "accepted", label="LOC" if i == 0 else None)
        decide(store, doc, bad, "rejected")
    stats = by_key(rule_stats(store))
    ner, bad = stats[("entities", "ner", "GPE")], stats[("entities", "bad-rule", "ORG")]
    assert (ner.suggested, ner.accepted, ner.fixed, ner.rejected) == (12, 11, 1, 0)
    assert (bad.suggested, bad.rejected, bad.keep_rate) == (12, 12, 0.0)
    assert ner.verdict == "trusted" and bad.verdict == "hidden"
    kept = apply_feedback([(Span(0, 3, "GPE"), "ner", 0.9), (Span(0, 3, "ORG"), "bad-rule", 0.8),
                           (Span(0, 3, "PERSON"), "bad-rule", 0.8), (Span(0, 3, "ORG"), "new-rule", 0.5)],
                          "entities", stats)
    # the hidden rule is hidden for the label people rejected, not for its other labels
    assert [(rule, v.label) for v, rule, _ in kept] == [("ner", "GPE"), ("bad-rule", "PERSON"), ("new-rule", "ORG")]
    assert kept[0][2] < 0.9  # scaled by the smoothed keep rate
    # recomputing suggestions keeps their ids, so decisions stay linked to rules
    store.replace_suggestions(docs[0].id, "entities", "2", [(Span(8, 14, "GPE"), "ner", 0.9)])
    assert by_key(rule_stats(store))[("entities", "ner", "GPE")].accepted == 11
    out = run_cli("stats", "--rules", "--json")
    verdicts = {r["rule"]: r["verdict"] for r in json.loads(out.output)}
    assert verdicts == {"ner": "trusted", "bad-rule": "hidden"}


def test_a_rule_is_not_judged_before_enough_decisions(store):
    doc = Document.from_text("Moscow.")
    store.import_records([ImportRecord(doc)])
    store.replace_suggestions(doc.id, "entities", "1", [(Span(0, 6, "ORG"), "r", 0.9)])
    decide(store, doc, store.suggestions(doc.id)[0], "rejected")
    [stat] = rule_stats(store)
    assert stat.decided == 1 < MIN_DECISIONS and stat.weight == 1.0 and stat.verdict.startswith("learning")
