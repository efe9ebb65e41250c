"""Running the suggesters over stored documents (or one text) with nlp.pipe batching."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from annotator.model import Suggestion
from annotator.suggest.lexicon import Lexicons, load_lexicons

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


def make_suggesters(schema, lex: Lexicons | None = None, model_id: str = "", trained: str | None = None):
    """The active suggesters; with a pipeline from `annotator train` (`trained`, its folder) the
    trained span categorizer adds claims and its stance classifier re-scores the stance rules."""
    from annotator.suggest.claims import ClaimSuggester
    from annotator.suggest.entities import EntitySuggester
    from annotator.suggest.stances import StanceSuggester

    lex = lex if lex is not None else load_lexicons(schema)
    suggesters = [EntitySuggester(schema, lex, model_id), ClaimSuggester(schema, lex), StanceSuggester(schema, lex)]
    if trained:
        from annotator.suggest.trained import ModelClaimSuggester, RescoredStances, trained_components

        has_spancat, stance_dir = trained_components(trained)
        if stance_dir:
            suggesters[2] = RescoredStances(suggesters[2], stance_dir, model_id)
        if has_spancat:
            suggesters.append(ModelClaimSuggester(schema, model_id))
    return suggesters


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
    return {s.name: s.version for s in make_suggesters(schema, lex, model_version(name), _trained(name))}


def _pieces(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """Split a long text at line breaks (else spaces) into pieces of at most ``limit`` characters."""
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


def analyse(docs_with_offsets, schema, suggesters) -> dict[str, list]:
    """Run every suggester over parsed pieces of one text; returns name -> proposals."""
    from annotator.suggest.common import DocContext

    out: dict[str, list] = {s.name: [] for s in suggesters}
    lex = suggesters[1].lex if len(suggesters) > 1 else None
    for offset, doc in docs_with_offsets:
        ctx = DocContext(doc, schema, lex, offset=offset)
        for s in suggesters:
            out[s.name].extend(s.suggest(ctx))
    return out


def suggest_text(nlp, schema, text: str, *, lex: Lexicons | None = None, suggesters=None) -> list[Suggestion]:
    """Suggestions for one text (not stored): Suggestion objects with doc_id '' and ids by position."""
    suggesters = suggesters or make_suggesters(schema, lex, _model_id(nlp))
    if not text.strip():
        return []
    pieces = _pieces(text)
    docs = [(off, doc) for (off, _), doc in zip(pieces, nlp.pipe(p for _, p in pieces))]
    result = analyse(docs, schema, suggesters)
    out = []
    for s in suggesters:
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
    documents, results written per document with ``store.replace_suggestions``. Safe to call
    from a worker thread with its own Store: it keeps no global state.
    """
    from annotator.suggest.pipeline import load_pipeline, model_version, resolve_model

    from annotator.suggest.feedback import apply_feedback, by_key, rule_stats

    lex = lex if lex is not None else load_lexicons(schema)
    if nlp is None:
        name = resolve_model(model, schema)
        model_id = model_version(name)
    else:
        name = _model_id(nlp)
        model_id = name
    trained = _trained(model if nlp is None else (nlp.meta.get("annotator_trained") or {}).get("path"))
    suggesters = make_suggesters(schema, lex, model_id, trained)
    # rules people keep rejecting are demoted or hidden (see annotator.suggest.feedback)
    rule_feedback = by_key(rule_stats(store)) if hasattr(store, "rule_outcomes") else {}
    versions = {s.name: s.version for s in suggesters}
    report = SuggestReport(model=name, versions=versions)
    ids = store.document_ids() if all else store.documents_lacking(versions)
    report.total = store.count_documents() if hasattr(store, "count_documents") else len(store.document_ids())
    report.pending = len(ids)
    if not ids:
        return report
    docs = []
    for d in store.documents(ids):
        if len(d.text) > max_chars:
            report.skipped.append((d.id, f"too long ({len(d.text):,} characters; the limit is {max_chars:,})"))
        else:
            docs.append(d)
    if not docs:
        return report
    if nlp is None:
        nlp = load_pipeline(name, schema, on_warning=on_warning)
    total = len(docs)
    if progress:
        progress(0, total)

    # every document becomes one or more pieces; pieces of one document stay in order
    def stream():
        for d in docs:
            pieces = _pieces(d.text) if d.text.strip() else []
            for k, (off, piece) in enumerate(pieces):
                yield piece, (d.id, off, k == len(pieces) - 1)

    by_id = {d.id: d for d in docs}
    pending_docs: list = []
    done = 0

    buffer: list = []
    flush_every = max(8, int(batch_size))

    def flush():
        nonlocal done
        if not buffer:
            return
        if hasattr(store, "replace_suggestions_many"):
            store.replace_suggestions_many(buffer)
        else:
            for item in buffer:
                store.replace_suggestions(*item)
        ndocs = len({item[0] for item in buffer})
        buffer.clear()
        done += ndocs
        report.documents += ndocs
        if progress:
            progress(done, total)

    def finish(doc_id, parsed):
        record(doc_id, analyse(parsed, schema, suggesters))

    def record(doc_id, result):
        for s in suggesters:
            proposals = apply_feedback(result[s.name], s.name, rule_feedback)
            buffer.append((doc_id, s.name, s.version, proposals))
            for value, rule, _ in proposals:
                report.suggestions[value.kind] += 1
                report.rules[f"{s.name}:{rule}"] += 1
        if len(buffer) >= flush_every * len(suggesters):
            flush()

    # empty documents: no suggestions, no error, but marked as done
    for d in docs:
        if not d.text.strip():
            finish(d.id, [])
    flush()
    n_process = max(1, int(n_process or 1))
    batch_size = max(1, int(batch_size))
    fork = _fork_context() if n_process > 1 else None
    if fork is not None:
        # Workers forked after the pipeline is loaded parse and run the rules; only the small
        # proposals travel back (spaCy's own n_process would ship every parsed Doc back).
        work = [d for d in docs if d.text.strip()]
        chunks = [[(d.id, _pieces(d.text)) for d in work[i:i + batch_size]] for i in range(0, len(work), batch_size)]
        with fork.Pool(n_process, initializer=_init_worker, initargs=(nlp, schema, suggesters, batch_size)) as pool:
            for results in pool.imap(_work_chunk, chunks):
                for doc_id, result in results:
                    record(doc_id, result)
    else:
        parsed_pipe = nlp.pipe(stream(), as_tuples=True, batch_size=batch_size, n_process=n_process)
        for doc, (doc_id, off, last) in parsed_pipe:
            pending_docs.append((off, doc))
            if last:
                finish(doc_id, pending_docs)
                pending_docs = []
    flush()
    del by_id
    return report


# --- worker processes (--n-process N) -------------------------------------------------------

_WORKER: dict = {}


def _fork_context():
    import multiprocessing

    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: spaCy's own n_process is used instead
        return None


def _init_worker(nlp, schema, suggesters, batch_size) -> None:
    _WORKER.update(nlp=nlp, schema=schema, suggesters=suggesters, batch_size=batch_size)


def _work_chunk(chunk: list) -> list:
    """Parse and suggest for a chunk of (doc_id, pieces) in a worker; returns (doc_id, proposals by suggester)."""
    nlp = _WORKER["nlp"]
    flat = [(doc_id, off, text) for doc_id, pieces in chunk for off, text in pieces]
    parsed: dict = {}
    for (doc_id, off, _), doc in zip(flat, nlp.pipe((t for _, _, t in flat), batch_size=_WORKER["batch_size"])):
        parsed.setdefault(doc_id, []).append((off, doc))
    return [(doc_id, analyse(parsed.get(doc_id, []), _WORKER["schema"], _WORKER["suggesters"])) for doc_id, _ in chunk]
