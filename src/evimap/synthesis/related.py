"""Related records: the records most similar to one record, by its words and its concepts.

PubMed's "similar articles" weighs the words and MeSH terms two abstracts share by how rare
they are (Lin & Wilbur 2007, doi:10.1186/1471-2105-8-423). We do the same with what the
store already keeps, so nothing is precomputed per record and the cost of a query does not
grow with the store beyond the index lookups:

1. *Query terms* ("more like this"): the record's title, abstract and body are tokenized
   the way the full-text index tokenizes them (Porter stems, by the index's own tokenizer),
   each stem weighted by TF-IDF, (1 + ln tf) x ln(N / df), title words counting thrice.
   Document frequencies are counted on the index itself, up to a cap. Stems in one
   record only, or in more than `MAX_DF` records (or `MAX_DF_SHARE` of a small store),
   are left out: the first match nothing, the second say little and cost most.
2. *Candidates*: the heaviest stems (at most `QUERY_TERMS`, their posting lists within
   `POSTINGS_BUDGET`) as one OR query on the full-text index, ranked by its BM25
   (Robertson & Zaragoza 2009, doi:10.1561/1500000019; titles weighted as in search),
   best `CANDIDATES` kept.
3. *Re-ranking*: score = `TEXT_WEIGHT` x BM25 relative to the best candidate +
   `CONCEPT_WEIGHT` x the share of the record's concepts (`fingerprint`'s, IDF-weighted)
   the candidate shares. Shared drugs and conditions lift a record above one that only
   shares words.

`bench/related.py` measures the query time on stores of 10,000 to 1,000,000 records.
On databases other than SQLite, until their full-text index exists, candidates are the
records sharing the record's rarest concepts, ranked by the concept score alone.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Connection, Engine, and_, func, or_, select, text

from evimap.records import Record
from evimap.store import schema, sqlite
from evimap.store.plan import chunks
from evimap.store.queries import stored_id
from evimap.synthesis.fingerprint import EVERY_RECORD, ConceptKey

QUERY_TERMS = 24
"""Stems in the OR query: enough to describe an abstract, few enough to keep it fast."""

CANDIDATES = 50
"""Records re-ranked: five times the usual page of related records."""

LOOKED_UP = 64
"""The record's most frequent stems (title words counting thrice) whose document
frequency is counted: each count reads at most `MAX_DF` postings."""

POSTINGS_BUDGET = 5_000
"""The most index postings (records per term, summed) the OR query may touch: its cost is
about 5 us per posting, so the query stays within some 25 ms however large the store.
In a large store this keeps the query to rarer words, which are also the telling ones."""

MAX_DF_SHARE = 0.2
"""Stems in more than this share of the records are left out of the query."""

MAX_DF = 1_000
"""Stems in more records than this are left out too: in a large store only the rarer
words are queried, which bounds the cost of counting and of the query."""

TITLE_WEIGHT = 3
TEXT_WEIGHT = 0.7
CONCEPT_WEIGHT = 0.3

_WORD = re.compile(r"\w+")
_STOPWORD_TEXT = """a about after all also an and any are as at be been before between both but by
can could did do does during each either for from had has have he her his how however if in
into is it its may might more most no nor not of on or other our out over she should so some
such than that the their them then there these they this those through to too under up very
was we were what when where which while who whom why will with within without would you your"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
"""English function words: never query terms, and not worth a frequency lookup."""


def related_records(engine: Engine, record_id: str, *, limit: int = 10) -> list[tuple[str, float]]:
    """The ids of the records most similar to `record_id`, best first, with scores in (0, 1].

    Empty for an unknown record or one with nothing to compare (no words, no concepts).
    The record itself and its aliases are never in the list.
    """
    if limit <= 0:
        return []
    with engine.connect() as connection:
        found = stored_id(connection, record_id)
        if found is None:
            return []
        data = connection.scalar(select(schema.records.c.data).where(schema.records.c.id == found))
        if data is None:
            return []
        record = schema.record_from_data(data)
        concepts = _concepts_of(connection, [found]).get(found, {})
        idf = _concept_idf(connection, concepts)
        if connection.dialect.name == "sqlite":
            text_scores = _text_candidates(connection, record)
        else:
            text_scores = _concept_candidates(connection, found, idf)
        text_scores.pop(found, None)
        if not text_scores:
            return []
        theirs = _concepts_of(connection, list(text_scores))
    scored = [
        (other, _score(text_scores[other], theirs.get(other, {}), idf)) for other in text_scores
    ]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return [(other, round(score, 6)) for other, score in scored[:limit]]


def _score(text_score: float, theirs: dict[ConceptKey, int], idf: dict[ConceptKey, float]) -> float:
    total = sum(idf.values())
    shared = sum(w for key, w in idf.items() if key in theirs) / total if total else 0.0
    return TEXT_WEIGHT * text_score + CONCEPT_WEIGHT * shared


def query_terms(connection: Connection, record: Record) -> list[tuple[str, float]]:
    """The record's most telling words as (word, TF-IDF weight), heaviest first (SQLite).

    One word is given per stem (its commonest form in the record), since the index stems
    the query itself. Only the `LOOKED_UP` most frequent stems have their document
    frequency looked up (one index seek each), and terms are taken heaviest first while
    their posting lists fit in `POSTINGS_BUDGET`, which bounds the cost of the query.
    """
    counts = _word_counts(record)
    if not counts:
        return []
    stems = _stems(connection, sorted(counts))
    tf: Counter[str] = Counter()
    form: dict[str, tuple[float, str]] = {}
    for word, stem in stems.items():
        tf[stem] += counts[word]
        if counts[word] > form.get(stem, (0.0, ""))[0]:
            form[stem] = (counts[word], word)
    frequent = sorted(tf, key=lambda stem: (-tf[stem], stem))[:LOOKED_UP]
    n = max(_record_count(connection), 1)
    cap = int(min(MAX_DF, max(MAX_DF_SHARE * n, 2)))
    df = _document_frequencies(connection, {stem: form[stem][1] for stem in frequent}, cap)
    weighted = sorted(
        (
            (stem, (1 + math.log(tf[stem])) * math.log(n / df[stem]))
            for stem in frequent
            if 1 < df[stem] <= cap
        ),
        key=lambda item: (-item[1], item[0]),
    )
    chosen: list[tuple[str, float]] = []
    postings = 0
    for stem, weight in weighted:
        if postings + df[stem] > POSTINGS_BUDGET and chosen:
            continue
        chosen.append((form[stem][1], weight))
        postings += df[stem]
        if len(chosen) == QUERY_TERMS:
            break
    return chosen


def _word_counts(record: Record) -> Counter[str]:
    counts: Counter[str] = Counter()
    texts = [(record.title or "", TITLE_WEIGHT)]
    texts += [(t, 1) for f, t in record.texts().items() if f in ("abstract", "body")]
    for value, weight in texts:
        for word in _WORD.findall(value.lower()):
            if len(word) < 3 or word in _STOPWORDS or word.isdigit():
                continue
            if sqlite.cjk_spaced(word) != word:
                continue
            counts[word] += weight
    return counts


def _stems(connection: Connection, words: Sequence[str]) -> dict[str, str]:
    """Each word's stem, as the full-text index's own tokenizer makes it.

    The words go into a temporary FTS5 table (one row each) in the connection's `temp`
    schema, and its `fts5vocab` reads the stems back: no second stemmer to drift from the
    index's. The tables are created once per connection (committed, which touches only
    `temp`); the rows are removed again before the caller's transaction ends.
    """
    if connection.in_transaction():
        connection.commit()
    connection.exec_driver_sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.related_words "
        f"USING fts5(word, tokenize = '{sqlite.TOKENIZER}')"
    )
    connection.exec_driver_sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.related_stems "
        "USING fts5vocab(temp, related_words, 'instance')"
    )
    connection.commit()
    connection.exec_driver_sql(
        "INSERT INTO temp.related_words(rowid, word) VALUES (?, ?)", list(enumerate(words))
    )
    rows = connection.exec_driver_sql("SELECT term, doc FROM temp.related_stems").all()
    connection.exec_driver_sql("DELETE FROM temp.related_words")
    return {words[doc]: term for term, doc in rows}


def _document_frequencies(
    connection: Connection, words: dict[str, str], cap: int
) -> dict[str, int]:
    """How many records hold each stem (given as stem -> a word of it), counted up to `cap`.

    Counted on the full-text index itself, stopping at `cap + 1`: a stem found more often
    is too common to query, and its count costs no more than `cap` postings. (FTS5's own
    `fts5vocab` counts would read a common term's whole posting list: over a millisecond
    per term in a store of 100,000 records.)
    """
    sql = (
        f"SELECT count(*) FROM (SELECT 1 FROM {sqlite.FTS_TABLE} "
        f"WHERE {sqlite.FTS_TABLE} MATCH ? LIMIT ?)"
    )
    out: dict[str, int] = {}
    cursor = connection.connection.cursor()
    try:
        for stem, word in words.items():
            quoted = '"' + word.replace('"', '""') + '"'
            out[stem] = int(cursor.execute(sql, (quoted, cap + 1)).fetchone()[0])
    finally:
        cursor.close()
    return out


def _record_count(connection: Connection) -> int:
    """N: the records counted by the concept frequencies, else a count of the records."""
    cf = schema.concept_frequencies
    counted = connection.scalar(
        select(cf.c.records).where(cf.c.kind == EVERY_RECORD[0], cf.c.concept == EVERY_RECORD[1])
    )
    if counted:
        return int(counted)
    return int(connection.scalar(select(func.count()).select_from(schema.records)) or 0)


def _text_candidates(connection: Connection, record: Record) -> dict[str, float]:
    """Candidates by BM25 on the OR query of the record's terms, as a share of the best."""
    terms = query_terms(connection, record)
    if not terms:
        return {}
    match = " OR ".join('"' + word.replace('"', '""') + '"' for word, _ in terms)
    rows = connection.execute(
        text(
            f"SELECT record_id, rank FROM {sqlite.FTS_TABLE} "
            f"WHERE {sqlite.FTS_TABLE} MATCH :match AND rowid != :own "
            "ORDER BY rank LIMIT :limit"
        ),
        {"match": match, "own": sqlite.full_text_rowid(record.id), "limit": CANDIDATES},
    ).all()
    best = min((float(rank) for _, rank in rows), default=0.0)
    if best >= 0:
        return {}
    return {str(other): float(rank) / best for other, rank in rows}


def _concept_candidates(
    connection: Connection, record_id: str, idf: dict[ConceptKey, float]
) -> dict[str, float]:
    rarest = sorted(idf, key=lambda k: -idf[k])[:8]
    if not rarest:
        return {}
    rc = schema.record_concepts
    rows = connection.execute(
        select(rc.c.record_id)
        .where(or_(*(and_(rc.c.kind == k, rc.c.concept == c) for k, c in rarest)))
        .where(rc.c.record_id != record_id)
        .distinct()
        .limit(CANDIDATES * 10)
    )
    return {str(other): 0.0 for (other,) in rows}


def _concepts_of(connection: Connection, ids: Sequence[str]) -> dict[str, dict[ConceptKey, int]]:
    rc = schema.record_concepts
    out: dict[str, dict[ConceptKey, int]] = {}
    for chunk in chunks(sorted(ids)):
        for record_id, kind, concept, count in connection.execute(
            select(rc.c.record_id, rc.c.kind, rc.c.concept, rc.c.count).where(
                rc.c.record_id.in_(chunk), rc.c.kind != EVERY_RECORD[0]
            )
        ):
            out.setdefault(record_id, {})[kind, concept] = count
    return out


def _concept_idf(
    connection: Connection, concepts: dict[ConceptKey, int]
) -> dict[ConceptKey, float]:
    if not concepts:
        return {}
    cf = schema.concept_frequencies
    n = max(_record_count(connection), 1)
    df: dict[ConceptKey, int] = {}
    for chunk in chunks(sorted(concepts)):
        rows = connection.execute(
            select(cf.c.kind, cf.c.concept, cf.c.records).where(
                or_(*(and_(cf.c.kind == k, cf.c.concept == c) for k, c in chunk))
            )
        )
        df.update({(k, c): int(r) for k, c, r in rows})
    return {key: math.log(1 + n / max(df.get(key, 1), 1)) for key in concepts}


__all__ = [
    "CANDIDATES",
    "CONCEPT_WEIGHT",
    "LOOKED_UP",
    "MAX_DF",
    "MAX_DF_SHARE",
    "POSTINGS_BUDGET",
    "QUERY_TERMS",
    "TEXT_WEIGHT",
    "TITLE_WEIGHT",
    "query_terms",
    "related_records",
]
