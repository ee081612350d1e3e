"""The vocabularies: every entry reachable, the hierarchy, validation, and how matching behaves."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest

from evimap.extract import vocab
from evimap.extract.vocab import (
    VocabularyError,
    condition_ancestors,
    find_adverse_effects,
    find_conditions,
    find_doses,
    find_interventions,
    find_routes,
    intervention_class,
    parse_vocabulary,
)

VOCAB_DIR = resources.files("evimap.extract").joinpath("vocab")


def _canonicals(matches: list[vocab.TermMatch]) -> list[str]:
    return [m.canonical for m in matches]


def _unreachable(kind: str) -> list[str]:
    problems = []
    for entry in vocab.vocabulary(kind).entries.values():
        terms = [*(t for t in (entry.name, *entry.synonyms)), *entry.abbreviations]
        for term in terms:
            sentence = f"Patients received {term} on day one."
            found = [m for m in vocab.find_terms(kind, sentence) if m.start == 18]
            if not found or found[0].canonical != entry.name:
                problems.append(f"{term!r} -> {[m.canonical for m in found]}, not {entry.name!r}")
    return problems


@pytest.mark.parametrize("kind", vocab.KINDS)
def test_vocab_every_term_is_found_and_maps_to_its_entry(kind: str) -> None:
    assert _unreachable(kind) == []


@pytest.mark.parametrize("kind", vocab.KINDS)
def test_vocab_ignored_phrases_are_found_as_nothing(kind: str) -> None:
    for phrase in vocab.vocabulary(kind).ignored:
        assert vocab.find_terms(kind, f"Patients received {phrase} on day one.") == [], phrase


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("Spravato", "esketamine"),
        ("S-ketamine", "esketamine"),
        ("s ketamine", "esketamine"),
        ("(S)-ketamine", "esketamine"),
        ("ketamine hydrochloride", "ketamine"),
        ("arketamine", "arketamine"),
        ("R-ketamine", "arketamine"),
        ("magnesium sulphate", "magnesium"),
        ("magnesium sulfate", "magnesium"),
        ("MgSO4", "magnesium"),
        ("DXM", "dextromethorphan"),
        ("dextromethorphan-bupropion", "dextromethorphan-bupropion"),
        ("Auvelity", "dextromethorphan-bupropion"),
        ("Namenda", "memantine"),
        ("amantadine", "amantadine"),
        ("nitrous oxide", "nitrous oxide"),
        ("lanicemine", "lanicemine"),
        ("GLYX-13", "rapastinel"),
        ("REL-1017", "esmethadone"),
        ("traxoprodil", "traxoprodil"),
        ("methadone", "methadone"),
        ("paracetamol", "acetaminophen"),
        ("MS Contin", "morphine"),
    ],
)
def test_find_interventions_maps_brands_salts_and_codes(text: str, canonical: str) -> None:
    assert _canonicals(find_interventions(f"Treatment with {text} was given.")) == [canonical]


@pytest.mark.parametrize(
    ("name", "klass"),
    [
        ("ketamine", "nmda_antagonist"),
        ("esketamine", "nmda_antagonist"),
        ("memantine", "nmda_antagonist"),
        ("morphine", "opioid"),
        ("sertraline", "ssri"),
        ("duloxetine", "snri"),
        ("haloperidol", "antipsychotic"),
        ("propofol", "anesthetic"),
        ("midazolam", "benzodiazepine"),
        ("ibuprofen", "nsaid"),
        ("gabapentin", "anticonvulsant"),
    ],
)
def test_intervention_class_of_curated_drugs(name: str, klass: str) -> None:
    assert intervention_class(name) == klass


def test_intervention_class_is_none_for_unknown_or_unclassed() -> None:
    assert intervention_class("not a drug") is None


def test_broad_vocabulary_reaches_beyond_nmda_drugs() -> None:
    found = _canonicals(find_interventions("Liraglutide plus glimepiride versus infliximab."))
    assert found == ["liraglutide", "glimepiride", "infliximab"]


@pytest.mark.parametrize(
    ("name", "ancestors"),
    [
        ("treatment-resistant depression", ("major depressive disorder", "depression")),
        ("neuropathic pain", ("chronic pain", "pain")),
        ("postoperative pain", ("pain",)),
        ("alcohol use disorder", ("substance use disorder",)),
        ("opioid use disorder", ("substance use disorder",)),
        ("cocaine use disorder", ("substance use disorder",)),
        ("bipolar depression", ("depression", "bipolar disorder")),
        ("eclampsia", ("pre-eclampsia",)),
        ("depression", ()),
        ("no such condition", ()),
    ],
)
def test_condition_ancestors_chain_to_the_root(name: str, ancestors: tuple[str, ...]) -> None:
    assert condition_ancestors(name) == ancestors


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("MDD", "major depressive disorder"),
        ("TRD", "treatment-resistant depression"),
        ("CRPS", "complex regional pain syndrome"),
        ("AUD", "alcohol use disorder"),
        ("OUD", "opioid use disorder"),
        ("PTSD", "post-traumatic stress disorder"),
        ("COPD", "chronic obstructive pulmonary disease"),
        ("heroin dependence", "opioid use disorder"),
        ("post-partum depression", "postpartum depression"),
        ("suicidal ideation", "suicidal ideation"),
        ("Parkinson's disease", "parkinson's disease"),
        ("Parkinson\u2019s disease", "parkinson's disease"),
        ("Alzheimer's disease", "alzheimer's disease"),
        ("influenza", "influenza"),
        ("migraine", "migraine"),
        ("asthma", "asthma"),
    ],
)
def test_find_conditions_maps_names_and_abbreviations(text: str, canonical: str) -> None:
    assert _canonicals(find_conditions(f"Adults with {text} were enrolled.")) == [canonical]


def test_find_conditions_prefers_the_longest_term() -> None:
    matches = find_conditions("ketamine for treatment-resistant depression")
    assert [(m.text, m.canonical) for m in matches] == [
        ("treatment-resistant depression", "treatment-resistant depression")
    ]


def test_find_interventions_prefers_the_longest_term() -> None:
    matches = find_interventions("Magnesium sulfate was infused.")
    assert [(m.start, m.end, m.text) for m in matches] == [(0, 17, "Magnesium sulfate")]


def test_find_interventions_never_matches_inside_a_word() -> None:
    assert _canonicals(find_interventions("esketamine and ketamine-induced effects")) == [
        "esketamine",
        "ketamine",
    ]
    assert find_interventions("The pseudoketamines and ketaminergic pathways") == []


def test_find_interventions_offsets_index_the_original_text() -> None:
    text = "Given İV then KETAMINE\u00a0Hydrochloride."
    (match,) = find_interventions(text)
    assert text[match.start : match.end] == match.text == "KETAMINE\u00a0Hydrochloride"
    assert (match.kind, match.group_or_class) == ("intervention", "nmda_antagonist")


def test_find_abbreviations_are_case_sensitive() -> None:
    assert _canonicals(find_conditions("MDD")) == ["major depressive disorder"]
    assert find_conditions("the mdd was") == []
    assert _canonicals(find_routes("given IV")) == ["intravenous"]
    assert find_routes("in phase iv") == []


@pytest.mark.parametrize(
    ("text", "canonical", "group"),
    [
        ("hallucinations", "hallucination", "psychotomimetic effects"),
        ("delusions", "delusion", "psychotomimetic effects"),
        ("paranoia", "paranoia", "psychotomimetic effects"),
        ("psychosis-like symptoms", "psychosis", "psychotomimetic effects"),
        ("dissociative symptoms", "dissociation", "dissociative effects"),
        ("nausea", "nausea", "gastrointestinal effects"),
        ("vomiting", "vomiting", "gastrointestinal effects"),
        ("increased blood pressure", "hypertension", "cardiovascular effects"),
        ("ketamine cystitis", "urinary tract toxicity", "urological effects"),
        ("respiratory depression", "respiratory depression", "respiratory effects"),
        ("orthostatic hypotension", "orthostatic hypotension", "cardiovascular effects"),
    ],
)
def test_find_adverse_effects_maps_to_groups(text: str, canonical: str, group: str) -> None:
    (match,) = find_adverse_effects(f"Some reported {text} after dosing.")
    assert (match.canonical, match.group_or_class) == (canonical, group)


def test_adverse_effects_include_frequent_ade_corpus_terms() -> None:
    assert _canonicals(find_adverse_effects("It caused thrombocytopenia.")) == ["thrombocytopenia"]


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("i.v.", "intravenous"),
        ("intravenously", "intravenous"),
        ("infusion", "intravenous"),
        ("nasal spray", "intranasal"),
        ("tablet", "oral"),
        ("i.m.", "intramuscular"),
        ("s.c.", "subcutaneous"),
        ("sublingual", "sublingual"),
        ("epidural", "epidural"),
        ("intrathecal", "intrathecal"),
        ("topical", "topical"),
        ("inhaled", "inhaled"),
        ("transdermal", "transdermal"),
    ],
)
def test_find_routes_maps_synonyms(text: str, route: str) -> None:
    assert _canonicals(find_routes(f"ketamine ({text}) was given")) == [route]


def test_find_doses_matches_every_example_whole() -> None:
    patterns = vocab.dose_patterns()
    assert patterns.examples
    for example in patterns.examples:
        text = f"Patients got {example} of the drug."
        assert [m.text for m in find_doses(text)] == [example], example


def test_find_doses_ignores_non_examples() -> None:
    for non_example in vocab.dose_patterns().non_examples:
        assert find_doses(f"Over {non_example} of follow-up.") == [], non_example


def test_find_doses_returns_the_dose_as_written() -> None:
    text = "ketamine 0.5 mg/kg over 40 min, then 56 mg or 84 mg of esketamine in 2019"
    assert [m.text for m in find_doses(text)] == ["0.5 mg/kg", "56 mg", "84 mg"]


def test_generated_vocabularies_name_their_source_and_stay_small() -> None:
    for kind in ("interventions", "conditions", "adverse_effects"):
        text = VOCAB_DIR.joinpath(f"{kind}_generated.yaml").read_text(encoding="utf-8")
        assert text.startswith("# GENERATED by scripts/build_vocab.py")
        assert len(text.encode()) < 3_000_000


@pytest.mark.parametrize(
    ("inn", "name"),
    [
        ("salbutamol", "albuterol"),
        ("aciclovir", "acyclovir"),
        ("rifampicin", "rifampin"),
        ("glibenclamide", "glyburide"),
    ],
)
def test_generated_interventions_know_the_english_inn(inn: str, name: str) -> None:
    assert [m.canonical for m in find_interventions(f"Adults were given {inn} daily.")] == [name]


def _doc(entries: list[dict[str, Any]], **extra: Any) -> tuple[str, dict[str, Any]]:
    return ("vocab/test.yaml", {"kind": "conditions", "entries": entries, **extra})


@pytest.mark.parametrize(
    ("documents", "message"),
    [
        ([_doc([{"name": "pain", "colour": "red"}])], "entry 'pain' has unknown keys ['colour']"),
        ([_doc([{"name": " "}])], "empty or missing name"),
        ([_doc([{"synonyms": ["x"]}])], "empty or missing name"),
        (
            [
                _doc(
                    [{"name": "pain", "synonyms": ["ache"]}, {"name": "sore", "synonyms": ["Ache"]}]
                )
            ],
            "term 'Ache' maps to two entries, 'pain' and 'sore'",
        ),
        ([_doc([{"name": "pain", "parents": ["nope"]}])], "parent 'nope', which is not an entry"),
        (
            [_doc([{"name": "a", "parents": ["b"]}, {"name": "b", "parents": ["a"]}])],
            "parents form a cycle: a → b → a",
        ),
        ([_doc([{"name": "pain"}, {"name": "pain"}])], "entry 'pain' is defined twice"),
        ([_doc([], extra_synonyms={"nope": ["x"]})], "extra_synonyms for unknown entry 'nope'"),
        ([_doc([{"name": "Pain"}])], "names are lowercase"),
        ([_doc([{"name": "pain", "synonyms": "ache"}])], "must be a list of non-empty strings"),
        ([_doc([{"name": "pain"}], ignore=["Pain"])], "ignored phrase 'Pain'"),
        ([("vocab/test.yaml", {"kind": "routes", "entries": []})], "expected 'conditions'"),
        ([("vocab/test.yaml", {"kind": "conditions", "rows": []})], "unknown top-level keys"),
    ],
)
def test_parse_vocabulary_names_file_entry_and_reason(
    documents: list[tuple[str, Any]], message: str
) -> None:
    with pytest.raises(VocabularyError) as caught:
        parse_vocabulary("conditions", documents)
    assert "vocab/test.yaml" in str(caught.value)
    assert message in str(caught.value)


def test_parse_vocabulary_lets_a_later_file_add_synonyms() -> None:
    parsed = parse_vocabulary(
        "conditions",
        [_doc([{"name": "pain"}]), _doc([{"name": "ache"}], extra_synonyms={"pain": ["sore"]})],
    )
    assert parsed.entries["pain"].synonyms == ("sore",)
    assert list(parsed.entries) == ["pain", "ache"]


def test_parse_dose_patterns_reports_a_broken_template() -> None:
    with pytest.raises(VocabularyError, match=r"vocab/doses\.yaml"):
        vocab.parse_dose_patterns("vocab/doses.yaml", {"parts": {}, "patterns": {"x": "{nope}"}})


def test_vocabulary_rejects_an_unknown_kind() -> None:
    with pytest.raises(VocabularyError, match="unknown vocabulary 'drugs'"):
        vocab.vocabulary("drugs")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("antidepressants", True), ("nmda antagonists", True), ("ketamine", False), ("x", False)],
)
def test_is_class_term_marks_whole_classes(name: str, expected: bool) -> None:
    assert vocab.is_class_term(name) is expected


def test_is_population_term_marks_who_was_studied() -> None:
    assert vocab.is_population_term("healthy volunteers")
    assert vocab.canonical_name("conditions", "healthy male subjects") == "healthy volunteers"
    assert not vocab.is_population_term("schizophrenia")


def test_parse_vocabulary_rejects_a_non_boolean_is_population() -> None:
    documents = [
        ("vocab/t.yaml", {"kind": "conditions", "entries": [{"name": "a", "is_population": 1}]})
    ]
    with pytest.raises(VocabularyError, match="is_population must be true or false"):
        parse_vocabulary("conditions", documents)


def test_parse_vocabulary_rejects_a_non_boolean_is_class() -> None:
    documents = [
        ("vocab/t.yaml", {"kind": "interventions", "entries": [{"name": "a", "is_class": "yes"}]})
    ]
    with pytest.raises(VocabularyError, match="is_class must be true or false"):
        parse_vocabulary("interventions", documents)


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("interventions", "magnesium sulphate", "magnesium"),
        ("conditions", "MDD", "major depressive disorder"),
        ("conditions", "fatigue in multiple sclerosis", None),
        ("interventions", "not a drug", None),
    ],
)
def test_canonical_name_needs_a_whole_term(kind: str, text: str, expected: str | None) -> None:
    assert vocab.canonical_name(kind, text) == expected


@pytest.mark.parametrize(("name", "expected"), [("nausea", True), ("chronic pain", False)])
def test_is_adverse_effect_name_tells_outcomes_from_conditions(name: str, expected: bool) -> None:
    assert vocab.is_adverse_effect_name(name) is expected


def _spans(matches: list[vocab.TermMatch]) -> list[tuple[int, int, str]]:
    return [(m.start, m.end, m.canonical) for m in matches]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("((S)-ketamine", [(1, 13, "esketamine")]),
        ("x(S)-ketamine", [(5, 13, "ketamine")]),
        ("ketamine/midazolam", [(0, 8, "ketamine"), (9, 18, "midazolam")]),
        ("ketamine midazolam", [(0, 8, "ketamine"), (9, 18, "midazolam")]),
        ("given ketamine", [(6, 14, "ketamine")]),
        ("ketamine  hydrochloride", [(0, 8, "ketamine")]),
        ("DXM", [(0, 3, "dextromethorphan")]),
        ("ketamineé and éketamine", []),
        ("magnesium/sulfate", [(0, 9, "magnesium")]),
        ("Magnesium\u00a0SULFATE", [(0, 17, "magnesium")]),
    ],
)
def test_find_interventions_edges_of_words_and_text(
    text: str, expected: list[tuple[int, int, str]]
) -> None:
    assert _spans(find_interventions(text)) == expected


def test_find_routes_term_ending_in_punctuation_needs_a_border() -> None:
    assert _spans(find_routes("given i.v.")) == [(6, 10, "intravenous")]
    assert find_routes("given i.v.x") == []


def test_find_conditions_plural_at_the_end_of_text() -> None:
    assert _spans(find_conditions("frequent migraines")) == [(9, 18, "migraine")]


def test_find_terms_one_text_for_every_kind() -> None:
    text = "Hallucinations after IV ketamine for MDD"
    assert _spans(find_interventions(text)) == [(24, 32, "ketamine")]
    assert _spans(find_conditions(text)) == [
        (0, 14, "hallucinations"),
        (37, 40, "major depressive disorder"),
    ]
    assert _spans(find_adverse_effects(text)) == [(0, 14, "hallucination")]
    assert _spans(find_routes(text)) == [(21, 23, "intravenous")]


def test_find_terms_rejects_an_unknown_kind() -> None:
    with pytest.raises(VocabularyError, match="unknown vocabulary 'drugs'"):
        vocab.find_terms("drugs", "ketamine")


def test_term_beats_an_abbreviation_of_the_same_span() -> None:
    # Longest-first, then leftmost, keeps the first candidate of a span: the term's.
    documents = [
        _doc([{"name": "pain", "synonyms": ["mg"]}, {"name": "migraine", "abbreviations": ["MG"]}])
    ]
    automaton = vocab._automaton_of([parse_vocabulary("conditions", documents)])
    found = vocab._found(automaton, *vocab._prepared("MG and mg"))["conditions"]
    assert [c for c in found if c[:2] == (0, 2)] == [(0, 2, "pain", None), (0, 2, "migraine", None)]
    assert [c for c in found if c[:2] == (7, 9)] == [(7, 9, "pain", None)]


def test_terms_without_ascii_letters_match_and_empty_terms_do_not() -> None:
    # The automaton reads the text with every character but ASCII letters and digits
    # blanked; a term made of such characters only is still found, and checked in full.
    documents = [_doc([{"name": "\u03b1", "synonyms": ["(+)", "-"]}, {"name": "pain"}])]
    automaton = vocab._automaton_of([parse_vocabulary("conditions", documents)])
    found = vocab._found(automaton, *vocab._prepared("\u03b1 - pain (+) (x) \u03b1\u03b2"))
    assert found["conditions"] == [
        (0, 1, "\u03b1", None),
        (4, 8, "pain", None),
        (9, 12, "\u03b1", None),
    ]


def test_lowercasing_keeps_every_character_alphanumeric_or_not() -> None:
    # find_terms_in_spans reads the borders of spans on the text itself, not on its copies.
    changed = [
        hex(code)
        for code in range(0x110000)
        if len(lower := chr(code).lower()) == 1
        and chr(code).isalnum() != vocab.normalized(lower).isalnum()
    ]
    assert changed == []


def test_terms_in_chinese_are_found_without_spaces_between_words() -> None:
    text = "氯胺酮减少了可卡因使用者的渴望,并引起幻觉和恶心;静脉注射K粉。OK粉"
    names = {(m.kind, m.canonical, m.text) for m in vocab.find_terms("interventions", text)}
    assert names == {("intervention", "ketamine", "氯胺酮"), ("intervention", "ketamine", "K粉")}
    for match in vocab.find_terms("interventions", text):
        assert text[match.start : match.end] == match.text
    assert [m.canonical for m in vocab.find_terms("conditions", text)] == ["cocaine use disorder"]
    harms = [m.canonical for m in vocab.find_terms("adverse_effects", text)]
    assert harms == ["hallucination", "nausea"]
    assert [m.canonical for m in vocab.find_terms("routes", text)] == ["intravenous"]


@pytest.mark.parametrize("kind", vocab.KINDS)
def test_every_name_in_another_language_is_found_as_its_entry(kind: str) -> None:
    for language in vocab.LANGUAGES:
        data = vocab._read_yaml(f"{kind}_{language}.yaml")
        for name, terms in data["extra_synonyms"].items():
            for term in terms:
                found = vocab.find_terms(kind, f"。{term}。")
                assert [m.canonical for m in found] == [name], term


def test_dose_regex_opening_with_a_digit_finds_what_the_plain_one_does() -> None:
    alternatives = [r"\d+(?:[.,]\d+)?\s*mg(?:/kg)?", r"\d+\s*(?:g|ml)"]
    fast = re.compile(vocab._dose_regex(alternatives), re.IGNORECASE)
    plain = "(?<![\\w.,])(?:" + "|".join(f"(?:{a})" for a in alternatives) + ")(?![\\w])"
    assert fast.pattern.startswith(r"\d(?<!")
    text = "1 mg, 0.5 mg/kg; x2 mg 3.4 g 12,5 ml a5 g (7 g) 2020 8mg/kg, .5 mg 9 g9 10 ML"
    assert [m.span() for m in fast.finditer(text)] == [
        m.span() for m in re.finditer(plain, text, re.IGNORECASE)
    ]


def test_dose_regex_shared_head_lookahead_finds_what_the_plain_one_does() -> None:
    alternatives = [r"\d+\s*(?:mg|g)(?:/kg)+", r"\d+\s*(?:mg|g)\s*kg-1", r"\d+\s*(?:mg|g)"]
    fast = re.compile(vocab._dose_regex(alternatives), re.IGNORECASE)
    plain = "(?<![\\w.,])(?:" + "|".join(f"(?:{a})" for a in alternatives) + ")(?![\\w])"
    assert r"(?=\d*\s*(?:mg|g))" in fast.pattern
    text = "1 mg, 5 mg/kg/kg; 2 g kg-1 3 gx 4 mg kg 12 ML 2020 7 G/KG 8 mgs 9 g/kgx"
    assert [m.span() for m in fast.finditer(text)] == [
        m.span() for m in re.finditer(plain, text, re.IGNORECASE)
    ]


@pytest.mark.parametrize(
    ("regexes", "head"),
    [
        ([r"\d*a(?:/b)+", r"\d*a", r"\d*ac"], r"\d*a"),
        ([r"\d*ab", r"\d*ab*"], r"\d*a"),  # "b" is not the head of "b*"
        ([r"\d*a{2}", r"\d*a{2,3}"], ""),
        ([r"\d*(a)b", r"\d*(a)c"], ""),  # a copied group would be renumbered
        ([r"\d*ab"], ""),
        ([r"\d*a", r"b"], ""),
    ],
)
def test_shared_head_is_made_of_whole_regex_items(regexes: list[str], head: str) -> None:
    assert vocab._shared_head(regexes) == head


@pytest.mark.parametrize(
    "alternative", [r"\d+ mg|dose", r"\d+? mg", r"\d+{2} mg", r"mg \d+", r"[|]\d+"]
)
def test_dose_regex_keeps_the_plain_form_when_a_rewrite_could_change_it(alternative: str) -> None:
    regex = vocab._dose_regex([r"\d+ g", alternative])
    assert regex.startswith(r"(?<![\w.,])")


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        ("a|b", True),
        ("(a|b)", False),
        ("[|]a", False),
        ("[]|]a", False),
        ("[^]|]", False),
        (r"\|a", False),
        ("(a)|b", True),
        ("[a]|b", True),
    ],
)
def test_has_top_level_bar(regex: str, expected: bool) -> None:
    assert vocab._has_top_level_bar(regex) is expected
