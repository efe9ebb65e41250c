"""Running the suggesters over stored documents (or one text): stream → parse → propose → store.

``suggest_documents`` is the recipe: the documents lacking current suggestions are streamed
through ``nlp.pipe`` (long ones in pieces), each parsed piece goes through :func:`propose`
(entities first; their index is passed on to the claim and stance rules), the rule feedback
demotes or hides what people keep rejecting, and the proposals are written to the store in
batches.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from annotator.model import Suggestion
from annotator.suggest.lexicon import Lexicons, load_lexicons

if TYPE_CHECKING:
    from annotator.schema import Schema
    from annotator.suggest.claims import ClaimSuggester
    from annotator.suggest.entities import EntitySuggester
    from annotator.suggest.stances import StanceSuggester
    from annotator.suggest.trained import ModelClaimSuggester, RescoredClaims, RescoredStances

DEFAULT_BATCH_SIZE = 32
CHUNK_CHARS = 100_000  # longer documents are parsed in pieces split at line breaks
MAX_CHARS = 2_000_000  # longer documents are refused (reported, not stored); --max-chars raises it


@dataclass
class SuggestReport:
    documents: int = 0  # documents processed
    pending: int = 0  # documents that needed suggestions
    total: int = 0  # documents in the store
    suggestions: Counter = field(default_factory=Counter)  # per kind
    rules: Counter = field(default_factory=Counter)
    skipped: list = field(default_factory=list)  # (doc_id, reason)
    model: str = ""
    versions: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"documents": self.documents, "pending": self.pending, "total": self.total,
                "suggestions": dict(self.suggestions), "rules": dict(self.rules),
                "skipped": [list(s) for s in self.skipped], "model": self.model, "versions": self.versions}


@dataclass(frozen=True)
class Suggesters:
    """The active suggesters by role; ``model_claims`` only with a trained span categorizer."""

    schema: Schema
    lex: Lexicons
    entities: EntitySuggester
    claims: ClaimSuggester | RescoredClaims  # re-scored with a trained claim rescorer
    stances: StanceSuggester | RescoredStances  # re-scored with a trained stance classifier
    model_claims: ModelClaimSuggester | None = None

    def all(self) -> tuple:
        return tuple(s for s in (self.entities, self.claims, self.stances, self.model_claims) if s is not None)

    @property
    def versions(self) -> dict[str, str]:
        return {s.name: s.version for s in self.all()}


def make_suggesters(schema, lex: Lexicons | None = None, model_id: str = "", trained: str | None = None) -> Suggesters:
    """The active suggesters; with a pipeline from `annotator train` (`trained`, its folder) the
    trained span categorizer adds claims and its stance classifier re-scores the stance rules."""
    from annotator.suggest.claims import ClaimSuggester
    from annotator.suggest.entities import EntitySuggester
    from annotator.suggest.stances import StanceSuggester

    lex = lex if lex is not None else load_lexicons(schema)
    stances = StanceSuggester(schema, lex)
    claims = ClaimSuggester(schema, lex)
    model_claims = None
    if trained:
        from annotator.suggest.trained import ModelClaimSuggester, RescoredClaims, RescoredStances, trained_components

        has_spancat, stance_dir, rescorer_dir = trained_components(trained)
        if stance_dir:
            stances = RescoredStances(stances, stance_dir, model_id)
        if rescorer_dir:  # the rescorer also sees the broad candidates the rules alone never suggest
            claims = RescoredClaims(ClaimSuggester(schema, lex, broad=True), rescorer_dir, model_id)
        if has_spancat:
            model_claims = ModelClaimSuggester(schema, model_id)
    return Suggesters(schema, lex, EntitySuggester(schema, model_id), claims, stances, model_claims)


def _trained(name: str | None) -> str | None:
    from annotator.suggest.trained import trained_meta

    return name if name and Path(name).is_dir() and trained_meta(name) is not None else None


def suggester_versions(schema, model: str | None = None, lex: Lexicons | None = None) -> dict[str, str]:
    """name -> version of the active suggesters (entities, claims, stances).

    The entity version names the pipeline (and its version); the rule suggesters' versions
    include a hash of the lexicons, so editing a lexicon makes ``suggest`` redo them.
    """
    from annotator.suggest.pipeline import model_version, resolve_model

    name = resolve_model(model, schema)
    return make_suggesters(schema, lex, model_version(name), _trained(name)).versions


def _pieces(text: str, limit: int | None = None) -> list[tuple[int, str]]:
    """Split a long text at line breaks (else spaces) into pieces of at most ``limit`` characters."""
    limit = limit or CHUNK_CHARS
    if len(text) <= limit:
        return [(0, text)]
    out = []
    pos = 0
    while pos < len(text):
        end = min(len(text), pos + limit)
        if end < len(text):
            cut = text.rfind("\n", pos + limit // 2, end)
            if cut < 0:
                cut = text.rfind(" ", pos + limit // 2, end)
            end = cut + 1 if cut >= 0 else end
        out.append((pos, text[pos:end]))
        pos = end
    return out


def propose(parsed: list[tuple[int, object]], suggesters: Suggesters) -> dict[str, list]:
    """Every suggester's proposals for the parsed pieces (offset, Doc) of one text: name -> proposals.

    Entities come first; their index goes to the claim and stance rules, and the rules'
    claims to the trained span categorizer (which fills only where no rule made a claim).
    """
    from annotator.suggest.common import DocContext, EntityIndex, Piece

    out: dict[str, list] = {s.name: [] for s in suggesters.all()}
    for offset, doc in parsed:
        piece = Piece(doc, offset)
        found = suggesters.entities.find(piece)
        out[suggesters.entities.name].extend(suggesters.entities.proposals(piece, found))
        ctx = DocContext(piece, EntityIndex(found, suggesters.schema.actors), suggesters.lex)
        claims = suggesters.claims.suggest(ctx)
        out[suggesters.claims.name].extend(claims)
        out[suggesters.stances.name].extend(suggesters.stances.suggest(ctx))
        if suggesters.model_claims is not None:
            out[suggesters.model_claims.name].extend(suggesters.model_claims.suggest(ctx, [p[0] for p in claims]))
    return out


def suggest_text(nlp, schema, text: str, *, lex: Lexicons | None = None, suggesters: Suggesters | None = None
                 ) -> list[Suggestion]:
    """Suggestions for one text (not stored): Suggestion objects with doc_id '' and ids by position."""
    suggesters = suggesters or make_suggesters(schema, lex, _model_id(nlp))
    if not text.strip():
        return []
    pieces = _pieces(text)
    parsed = [(off, doc) for (off, _), doc in zip(pieces, nlp.pipe(p for _, p in pieces))]
    result = propose(parsed, suggesters)
    out = []
    for s in suggesters.all():
        for i, (value, rule, score) in enumerate(result[s.name]):
            out.append(Suggestion(f"{s.name}-{i}", "", s.name, s.version, rule, float(score), value))
    return out


def _model_id(nlp) -> str:
    meta = getattr(nlp, "meta", {}) or {}
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')}"


def suggest_documents(store, schema, *, model: str | None = None, all: bool = False, n_process: int = 1,
                      batch_size: int = DEFAULT_BATCH_SIZE, progress: Callable[[int, int], None] | None = None,
                      nlp=None, lex: Lexicons | None = None, on_warning=None,
                      max_chars: int = MAX_CHARS) -> SuggestReport:
    """Suggest for every document lacking current-version suggestions (every document with all=True).

    One pipeline load (unless ``nlp`` is given), ``nlp.pipe`` batching over all pending
    documents, results written in batches with ``store.replace_suggestions_many``. Safe to
    call from a worker thread with its own Store: it keeps no global state.
    """
    from annotator.suggest.pipeline import load_pipeline, model_version, resolve_model

    lex = lex if lex is not None else load_lexicons(schema)
    name = resolve_model(model, schema) if nlp is None else _model_id(nlp)
    trained = _trained(model if nlp is None else (nlp.meta.get("annotator_trained") or {}).get("path"))
    suggesters = make_suggesters(schema, lex, model_version(name) if nlp is None else name, trained)
    report = SuggestReport(model=name, versions=suggesters.versions)
    docs = _pending_documents(store, suggesters.versions, all, max_chars, report)
    if not docs:
        return report
    nlp = nlp if nlp is not None else load_pipeline(name, schema, on_warning=on_warning)
    writer = _Writer(store, suggesters, report, progress, flush_every=max(8, int(batch_size)), total=len(docs))
    for doc in docs:
        if not doc.text.strip():  # empty documents: no suggestions, no error, but marked as done
            writer.add(doc.id, propose([], suggesters))
    writer.flush()
    texts = [d for d in docs if d.text.strip()]
    for doc_id, proposals in _analysed(nlp, texts, suggesters, max(1, int(n_process or 1)), max(1, int(batch_size))):
        writer.add(doc_id, proposals)
    writer.flush()
    return report


def _pending_documents(store, versions: dict[str, str], all: bool, max_chars: int, report: SuggestReport) -> list:
    """The documents to suggest for; those over ``max_chars`` are listed in ``report.skipped``."""
    ids = store.document_ids() if all else store.documents_lacking(versions)
    report.total = store.count_documents()
    report.pending = len(ids)
    docs = []
    for d in store.documents(ids) if ids else []:
        if len(d.text) > max_chars:
            report.skipped.append((d.id, f"too long ({len(d.text):,} characters; the limit is {max_chars:,})"))
        else:
            docs.append(d)
    return docs


def _analysed(nlp, docs: list, suggesters: Suggesters, n_process: int, batch_size: int) -> Iterator[tuple[str, dict]]:
    """(doc_id, proposals by suggester) for each document, parsed with ``nlp.pipe`` (or forked workers)."""
    fork = _fork_context() if n_process > 1 else None
    if fork is not None:
        # Workers forked after the pipeline is loaded parse and run the rules; only the small
        # proposals travel back (spaCy's own n_process would ship every parsed Doc back).
        chunks = [[(d.id, _pieces(d.text)) for d in docs[i:i + batch_size]] for i in range(0, len(docs), batch_size)]
        with fork.Pool(n_process, initializer=_init_worker, initargs=(nlp, suggesters, batch_size)) as pool:
            for results in pool.imap(_work_chunk, chunks):
                yield from results
        return
    # every document becomes one or more pieces; pieces of one document stay in order
    stream = ((piece, (d.id, off, k == len(pieces) - 1))
              for d in docs for pieces in [_pieces(d.text)] for k, (off, piece) in enumerate(pieces))
    parsed: list = []
    for doc, (doc_id, off, last) in nlp.pipe(stream, as_tuples=True, batch_size=batch_size, n_process=n_process):
        parsed.append((off, doc))
        if last:
            yield doc_id, propose(parsed, suggesters)
            parsed = []


class _Writer:
    """Applies the rule feedback, counts what is stored, and writes proposals to the store in batches."""

    def __init__(self, store, suggesters: Suggesters, report: SuggestReport, progress, *, flush_every: int, total: int):
        from annotator.suggest.feedback import by_key, rule_stats

        self.store = store
        self.suggesters = suggesters.all()
        self.report = report
        self.progress = progress
        self.flush_every = flush_every * len(self.suggesters)
        self.total = total
        self.feedback = by_key(rule_stats(store))  # rules people keep rejecting are demoted or hidden
        self.buffer: list = []
        if progress:
            progress(0, total)

    def add(self, doc_id: str, result: dict[str, list]) -> None:
        from annotator.suggest.feedback import apply_feedback

        for s in self.suggesters:
            proposals = apply_feedback(result[s.name], s.name, self.feedback)
            self.buffer.append((doc_id, s.name, s.version, proposals))
            for value, rule, _ in proposals:
                self.report.suggestions[value.kind] += 1
                self.report.rules[f"{s.name}:{rule}"] += 1
        if len(self.buffer) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        self.store.replace_suggestions_many(self.buffer)
        self.report.documents += len({item[0] for item in self.buffer})
        self.buffer.clear()
        if self.progress:
            self.progress(self.report.documents, self.total)


# --- worker processes (--n-process N) -------------------------------------------------------

_WORKER: dict = {}


def _fork_context():
    import multiprocessing

    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: spaCy's own n_process is used instead
        return None


def _init_worker(nlp, suggesters: Suggesters, batch_size: int) -> None:
    _WORKER.update(nlp=nlp, suggesters=suggesters, batch_size=batch_size)


def _work_chunk(chunk: list) -> list:
    """Parse and suggest for a chunk of (doc_id, pieces) in a worker; returns (doc_id, proposals by suggester)."""
    nlp = _WORKER["nlp"]
    flat = [(doc_id, off, text) for doc_id, pieces in chunk for off, text in pieces]
    parsed: dict = {}
    for (doc_id, off, _), doc in zip(flat, nlp.pipe((t for _, _, t in flat), batch_size=_WORKER["batch_size"])):
        parsed.setdefault(doc_id, []).append((off, doc))
    return [(doc_id, propose(parsed.get(doc_id, []), _WORKER["suggesters"])) for doc_id, _ in chunk]
