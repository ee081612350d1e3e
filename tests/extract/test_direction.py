"""Behaviour of the direction step: what a record says an intervention did."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evimap.claims import Direction
from evimap.extract.direction import (
    CUE_KINDS,
    DIRECTION,
    OUTCOME_KINDS,
    compile_rules,
    direction_of,
    direction_rules,
    find_direction_cues,
    names_intervention,
    sentence_direction,
)
from evimap.extract.direction_cues import _hits
from evimap.extract.pipeline import Step, check_order
from evimap.records import Record, Section

from ..conftest import abstract_sentences
from .regex_samples import shortest_sample

B, NB, INC, H, MIX = (
    Direction.BENEFIT,
    Direction.NO_BENEFIT,
    Direction.INCONCLUSIVE,
    Direction.HARM,
    Direction.MIXED,
)


def _direction(text: str) -> Direction | None:
    stated = sentence_direction(text)
    return stated.direction if stated else None


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Ketamine reduced pain scores after surgery.", B),
        ("Ketamine did not reduce pain scores after surgery.", NB),
        ("There was no significant reduction in pain with ketamine.", NB),
        ("Memantine did not significantly improve cognition.", NB),
        ("The drug was given without increasing adverse effects and relieved pain.", B),
    ],
)
def test_direction_negation(text: str, direction: Direction) -> None:
    assert _direction(text) is direction


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Ketamine may reduce depressive symptoms.", B),
        ("Magnesium appears to be effective for migraine.", B),
        ("Amantadine might not improve fatigue.", NB),
    ],
)
def test_direction_hedging_keeps_direction(text: str, direction: Direction) -> None:
    stated = sentence_direction(text)
    assert stated is not None
    assert (stated.direction, stated.hedged) == (direction, True)


def test_direction_unhedged_sentence_is_not_hedged() -> None:
    stated = sentence_direction("Ketamine reduced craving.")
    assert stated is not None
    assert not stated.hedged


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Ketamine reduced craving for cocaine.", B),
        ("Relapse was lower in the ketamine group.", B),
        ("Esketamine increased remission rates at four weeks.", B),
        ("Abstinence was higher with ketamine than with midazolam.", B),
        ("The treatment increased mortality in older adults.", H),
        ("The drug reduced survival at one year.", H),
    ],
)
def test_direction_outcome_polarity(text: str, direction: Direction) -> None:
    assert _direction(text) is direction


@pytest.mark.parametrize(
    "text",
    [
        "There is insufficient evidence to support the use of ketamine for chronic pain.",
        "We're not claiming it is ineffective, but the data cannot confirm its benefits.",
        "There is no convincing evidence that magnesium prevents cramps.",
        "Due to a lack of evidence, the role of amantadine remains uncertain.",
        "More research is needed before conclusions can be drawn.",
        "There is no evidence either way.",
        "The efficacy of topical capsaicin needs further clarification.",
    ],
)
def test_direction_inconclusive_wordings(text: str) -> None:
    assert _direction(text) is INC


def test_direction_promising_with_effect_and_more_trials_is_benefit() -> None:
    text = "Ketamine shows great promise and reduced symptoms; more trials are needed."
    assert _direction(text) is B


@pytest.mark.parametrize(
    "text",
    [
        "Memantine showed no difference from placebo on the primary outcome.",
        "Dextromethorphan was not superior to placebo.",
        "Amantadine failed to improve fatigue.",
        "Magnesium had no significant effect on pain.",
        "Zinc did not significantly attenuate inflammatory markers compared with placebo.",
        "The trial could not show the effect of lithium on recovery.",
    ],
)
def test_direction_no_benefit_wordings(text: str) -> None:
    assert _direction(text) is NB


@pytest.mark.parametrize(
    "text",
    [
        "Ketamine is superior to placebo for depression.",
        "The trials provided a high level of evidence for the therapeutic efficacy of esketamine.",
        "Magnesium was effective in preventing seizures.",
    ],
)
def test_direction_benefit_wordings(text: str) -> None:
    assert _direction(text) is B


@pytest.mark.parametrize(
    "text",
    [
        "Magnesium sulphate increased the risk of death in preterm infants.",
        "Ketamine worsened psychotic symptoms.",
    ],
)
def test_direction_harm(text: str) -> None:
    assert _direction(text) is H


def test_direction_mixed_benefit_and_harm_in_one_sentence() -> None:
    assert _direction("Ketamine reduced pain but increased nausea.") is MIX


def test_direction_mixed_sentence_decided_by_the_clause_naming_the_condition() -> None:
    text = "Ketamine shortened extubation time, but had no effect on postoperative pain."
    stated = sentence_direction(text, condition="postoperative pain")
    assert stated is not None
    assert stated.direction is NB


def test_direction_scope_comparator_is_not_the_subject() -> None:
    sents = abstract_sentences(
        "Compared with ketamine, propofol significantly reduced pain.",
        "Ketamine had no effect on pain scores.",
    )
    ketamine = direction_of(sents, intervention="ketamine", condition=None)
    propofol = direction_of(sents, intervention="propofol", condition=None)
    assert ketamine == (NB, sents[1])
    assert propofol == (B, sents[0])


def test_direction_a_sentence_naming_the_drug_only_as_comparator_is_not_read_for_it() -> None:
    sents = abstract_sentences(
        "Labetalol, rather than hydralazine, lowered blood pressure in pre-eclampsia.",
        "Hydralazine was given to 40 women.",
    )
    assert direction_of(sents, intervention="labetalol", condition=None) == (B, sents[0])
    assert direction_of(sents, intervention="hydralazine", condition=None) is None


def test_direction_conclusion_preferred_over_background() -> None:
    sents = abstract_sentences(
        "BACKGROUND: Ketamine reduced depressive symptoms in earlier small studies.",
        "METHODS: We randomised 200 adults.",
        "RESULTS: Scores were similar between groups.",
        "CONCLUSIONS: Ketamine was not superior to placebo for depression.",
    )
    found = direction_of(sents, intervention="ketamine", condition="depression")
    assert found == (NB, sents[3])


def test_direction_in_conclusion_opening_preferred() -> None:
    sents = abstract_sentences(
        "Ketamine improved mood in an earlier trial.",
        "In conclusion, the evidence for ketamine is insufficient.",
        "Funding was provided by the institute.",
    )
    assert direction_of(sents, intervention="ketamine", condition=None) == (INC, sents[1])


def test_direction_page_boilerplate_states_no_finding() -> None:
    sents = abstract_sentences(
        "Patients given esketamine reported fewer depressive symptoms within a day.",
        "The company plans a larger trial next year.",
        "To learn more about depression, visit the National Institute of Mental Health.",
    )
    assert direction_of(sents, intervention="esketamine", condition="depression") == (
        B,
        sents[0],
    )
    assert direction_of(sents[2:], intervention=None, condition="depression") is None


def test_direction_pronoun_after_the_intervention_counts_as_a_mention() -> None:
    sents = abstract_sentences(
        "Memantine was studied in 300 adults.",
        "It significantly improved cognition.",
        "Donepezil failed to improve cognition.",
    )
    assert direction_of(sents, intervention="memantine", condition=None) == (B, sents[1])


def test_direction_synonym_of_the_intervention_counts_as_a_mention() -> None:
    sents = abstract_sentences(
        "Placebo failed to reduce seizures.",
        "Magnesium sulfate reduced seizures.",
    )
    found = direction_of(sents, intervention="magnesium", condition=None)
    assert found == (B, sents[1])


def test_direction_none_when_nothing_is_stated() -> None:
    sents = abstract_sentences(
        "Ketamine is an NMDA receptor antagonist.", "It was first made in 1962."
    )
    assert direction_of(sents, intervention="ketamine", condition=None) is None


def test_direction_cues_are_spans_of_the_sentence() -> None:
    text = "Ketamine did not reduce pain."
    cues = find_direction_cues(text)
    assert [(c.direction, text[c.start : c.end]) for c in cues] == [(NB, "did not reduce")]


def test_direction_step_gives_a_direction_per_pair() -> None:
    record = Record(
        id="test:1",
        source="jsonl",
        title=None,
        abstract=(Section(None, "Ketamine reduced pain. Nothing else."),),
    )
    sents = abstract_sentences("Ketamine reduced pain.", "Nothing else.")
    found = {"sentences": sents, "pairs": [("ketamine", "pain"), ("lithium", None)]}
    given = DIRECTION.fn(record, found)
    assert set(given) == {"directions"}
    assert given["directions"][("ketamine", "pain")] == (B, sents[0])
    earlier = Step("earlier", 1, lambda record, found: {}, (), ("sentences", "pairs", "mentions"))
    check_order([earlier, DIRECTION])


def test_direction_rules_refuse_a_cue_without_literal_start() -> None:
    raw: dict[str, Any] = {
        "cues": {kind: [f"xyz {kind}"] for kind in CUE_KINDS},
        "outcomes": {kind: [f"xyz {kind}"] for kind in OUTCOME_KINDS},
        "conclusion_starts": ["in conclusion"],
        "pronouns": ["it"],
    }
    raw["cues"]["benefit"] = [r"\w+ly effective"]
    with pytest.raises(ValueError, match="literal text"):
        compile_rules(raw)


def _every_cue() -> list[tuple[str, str]]:
    raw = direction_rules().raw
    return [
        (kind, pattern)
        for groups, kinds in ((raw["cues"], CUE_KINDS), (raw["outcomes"], OUTCOME_KINDS))
        for kind in kinds
        for pattern in groups[kind]
    ]


@pytest.mark.parametrize(("kind", "pattern"), _every_cue())
def test_direction_every_cue_reachable(kind: str, pattern: str) -> None:
    sample = shortest_sample(pattern)
    hits = _hits(sample)
    assert hits, sample
    assert hits[0][:2] == (kind, 0), (sample, hits)


_SAMPLES = sorted({shortest_sample(pattern) for _, pattern in _every_cue()})


@given(
    st.lists(
        st.sampled_from([*_SAMPLES, "not", "no", "pain", "the", "a", "-", ",", ".", "é", "x"]),
        max_size=8,
    ),
    st.sampled_from([" ", "", "-", ", "]),
)
def test_direction_trie_scan_equals_the_alternation(words: list[str], glue: str) -> None:
    """Cue phrases run together, overlapping and cut by hyphens: the trie finds what the
    alternation finds, kind included."""
    text = glue.join(words)
    expected = [(m.lastgroup, m.start(), m.end()) for m in direction_rules().cues.finditer(text)]
    assert _hits(text) == expected


_PIECES = ("Ketamine", "ketamine", "esketamine", "Ketalar", "placebo", "than ketamine", "IV")


@given(
    st.lists(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=4), max_size=5),
    st.lists(st.sampled_from(["", " ", "  ", "\n"]), min_size=5, max_size=5),
)
def test_direction_mention_levels_equal_each_sentence_searched(
    words: list[list[str]], gaps: list[str]
) -> None:
    """One search of each field's text finds the names each sentence names, also where
    sentences touch (no gap) or a name would run across two of them."""
    from evimap.extract.intervention_names import field_folded, mention_levels
    from evimap.extract.pipeline import Sentence

    sentences, at = [], 0
    for sentence_words, gap in zip(words, gaps, strict=False):
        text = " ".join(sentence_words)
        at += len(gap)
        sentences.append(Sentence("abstract", at, at + len(text), text))
        at += len(text)
    fields = [(list(range(len(sentences))), field_folded(sentences))]
    names = ("ketamine",)
    expected = [names_intervention(s.text, names) for s in sentences]
    assert mention_levels(sentences, fields, names) == expected


def test_direction_a_tie_goes_to_the_earlier_sentence() -> None:
    sents = abstract_sentences(
        "Ketamine reduced pain.",
        "Ketamine did not reduce nausea.",
        "Patients were adults.",
        "Doses varied.",
        "Follow-up was short.",
    )
    assert direction_of(sents, intervention="ketamine", condition=None) == (B, sents[0])
    swapped = abstract_sentences(sents[1].text, sents[0].text, *(s.text for s in sents[2:]))
    assert direction_of(swapped, intervention="ketamine", condition=None) == (NB, swapped[0])


def test_direction_a_chinese_conclusion_label_opens_a_section() -> None:
    # "Results: ketamine reduced pain. Conclusion: the trial was small. Ketamine was not
    # superior to placebo." The second conclusion sentence decides.
    sents = abstract_sentences(
        "\u7ed3\u679c\uff1a\u6c2f\u80fa\u916e\u51cf\u8f7b\u4e86\u75bc\u75db\u3002",
        "\u7ed3\u8bba\uff1a\u8be5\u8bd5\u9a8c\u89c4\u6a21\u8f83\u5c0f\u3002",
        "\u6c2f\u80fa\u916e\u4e0d\u4f18\u4e8e\u5b89\u6170\u5242\u3002",
        "\u8d44\u52a9\u6765\u81ea\u56fd\u5bb6\u57fa\u91d1\u3002",
        "\u4f5c\u8005\u58f0\u660e\u65e0\u5229\u76ca\u51b2\u7a81\u3002",
    )
    assert direction_of(sents, intervention="ketamine", condition=None) == (NB, sents[2])
