"""Search quality on a labelled query set, against a SQLite FTS5 trigram index as the baseline.

    python -m bench.search_eval [FILE.tsv]

FILE has ``query`` and ``expected_items`` columns; expected items are ``|``-separated guide names, and a
value starting with ``(`` means no such item exists (a negative row). Both engines search the demo
catalogue (cms/demo_data). Positive rows give hit@1, hit@5 and MRR@10; negative rows give the share
answered with no result at all and the share whose best hit still scores high (a likely wrong answer).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.search_catalog import catalogue_docs, eval_rows, load_catalogue
from cms.search import SearchDoc, SearchIndex, seed_synonyms

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "search_dev_queries.tsv"
HIT5_TARGET = 0.95
MRR_TARGET = 0.85
# "Clearly above the baseline": this much more MRR@10, in absolute terms.
BASELINE_MARGIN = 0.15
CONFIDENT_SCORE = 0.6

Engine = Callable[[str], list[str]]  # query -> the top 10 guide names


@dataclass
class Figures:
    hit1: float
    hit5: float
    mrr10: float
    positives: int
    negatives: int
    negatives_empty: float
    misses: list[tuple[str, list[str], list[str]]]


def evaluate(engine: Engine, rows: Sequence[tuple[str, list[str], bool]]) -> Figures:
    hit1 = hit5 = 0
    reciprocal = 0.0
    positives = negatives = empty = 0
    misses = []
    for query, expected, negative in rows:
        names = engine(query)
        if negative:
            negatives += 1
            empty += not names
            continue
        positives += 1
        rank = next((i + 1 for i, name in enumerate(names[:10]) if name in expected), None)
        if rank is None or rank > 1:
            misses.append((query, expected, names[:3]))
        if rank is not None:
            hit1 += rank == 1
            hit5 += rank <= 5
            reciprocal += 1 / rank
    share = (lambda count: count / positives) if positives else (lambda count: 0.0)
    return Figures(
        share(hit1),
        share(hit5),
        share(reciprocal),
        positives,
        negatives,
        empty / negatives if negatives else 0.0,
        misses,
    )


def index_engine(docs: list[SearchDoc]) -> tuple[Engine, SearchIndex]:
    index = SearchIndex(docs, synonyms=seed_synonyms(), cache_size=0)
    names = {doc.id: doc.name for doc in docs}

    def engine(query: str) -> list[str]:
        return [names[hit.doc_id] for hit in index.search(query, limit=10).hits]

    return engine, index


def fts5_engine(docs: list[SearchDoc]) -> Engine:
    """FTS5 with the trigram tokenizer over name and department, queried with the OR of the query's
    trigrams and ranked by bm25 (a plain phrase query finds almost nothing colloquial)."""
    database = sqlite3.connect(":memory:")
    database.execute("CREATE VIRTUAL TABLE guides USING fts5(name, department, tokenize='trigram')")
    database.executemany("INSERT INTO guides (name, department) VALUES (?, ?)", [(d.name, d.department) for d in docs])

    def engine(query: str) -> list[str]:
        compact = "".join(query.split())
        if len(compact) < 3:
            rows = database.execute("SELECT name FROM guides WHERE name LIKE ? LIMIT 10", (f"%{compact}%",))
            return [row[0] for row in rows]
        trigrams = dict.fromkeys(compact[i : i + 3] for i in range(len(compact) - 2))
        expression = " OR ".join('"' + trigram.replace('"', '""') + '"' for trigram in trigrams)
        rows = database.execute(
            "SELECT name FROM guides WHERE guides MATCH ? ORDER BY bm25(guides) LIMIT 10", (expression,)
        )
        return [row[0] for row in rows]

    return engine


def confident_negatives(index: SearchIndex, rows: Sequence[tuple[str, list[str], bool]]) -> float:
    """Share of negative rows whose best hit scores as if it were a real match."""
    negatives = [query for query, _, negative in rows if negative]
    if not negatives:
        return 0.0
    confident = 0
    for query in negatives:
        hits = index.search(query, limit=1).hits
        confident += bool(hits) and hits[0].score >= CONFIDENT_SCORE
    return confident / len(negatives)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_FILE
    rows = list(eval_rows(path))
    docs = catalogue_docs(load_catalogue())
    engine, index = index_engine(docs)
    ours = evaluate(engine, rows)
    baseline = evaluate(fts5_engine(docs), rows)
    print(f"# {path.name}: {ours.positives} positive rows, {ours.negatives} negative rows, {len(docs)} guides")
    for query, expected, got in ours.misses:
        print(f"# not first: {query!r} expected {'|'.join(expected)}; got {' / '.join(got) or '-'}")
    lines = [
        ("hit@1", f"{ours.hit1:.3f}", "-", None),
        ("hit@5", f"{ours.hit5:.3f}", f">={HIT5_TARGET}", ours.hit5 >= HIT5_TARGET),
        ("mrr@10", f"{ours.mrr10:.3f}", f">={MRR_TARGET}", ours.mrr10 >= MRR_TARGET),
        ("fts5_trigram_hit@1", f"{baseline.hit1:.3f}", "-", None),
        ("fts5_trigram_hit@5", f"{baseline.hit5:.3f}", "-", None),
        ("fts5_trigram_mrr@10", f"{baseline.mrr10:.3f}", "-", None),
        (
            "mrr@10_minus_fts5_trigram",
            f"{ours.mrr10 - baseline.mrr10:+.3f}",
            f">=+{BASELINE_MARGIN}",
            ours.mrr10 - baseline.mrr10 >= BASELINE_MARGIN,
        ),
    ]
    if ours.negatives:
        lines += [
            ("negatives_no_result", f"{ours.negatives_empty:.3f}", "-", None),
            ("negatives_confident_hit", f"{confident_negatives(index, rows):.3f}", "-", None),
            ("fts5_trigram_negatives_no_result", f"{baseline.negatives_empty:.3f}", "-", None),
        ]
    failed = False
    for name, value, target, passed in lines:
        verdict = "INFO" if passed is None else ("PASS" if passed else "FAIL")
        failed |= passed is False
        print(f"{name} {value} {target} {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
