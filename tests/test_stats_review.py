"""`stats` on a team database: the review layer's rejected items are versions settled in review, not
suggestions anybody rejected."""

import uuid

from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import REJECTED, REVIEW_LAYER, Annotation, Document, Span
from annotator.store import ImportRecord, Store

DOC = Document.from_text("Angela Merkel said Germany would back the treaty.")


def test_stats_names_what_the_review_layer_rejected(tmp_path):
    db = tmp_path / "t.db"
    with Store(db) as s:
        s.import_records([ImportRecord(DOC)])
        s.apply("alice", DOC.id, "add", [(None, Annotation(uuid.uuid4().hex, DOC.id, "alice",
                                                             Span(19, 26, "GPE", "entity"), REJECTED))])
        s.apply(REVIEW_LAYER, DOC.id, "add", [(None, Annotation(uuid.uuid4().hex, DOC.id, REVIEW_LAYER,
                                                                  Span(19, 26, "NORP", "entity"), REJECTED))])
    out = CliRunner().invoke(cli, ["stats", "--db", str(db)]).output
    assert "layer alice: 0 done, 1 in progress, 0 skipped, 1 suggestion rejected" in out
    assert "layer review: 0 done, 1 in progress, 0 skipped, 1 rejected in review" in out
