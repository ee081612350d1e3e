"""Design: behaviour on sentences written for the test; every rule in designs.yaml reached."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from evimap.claims import Design
from evimap.extract.design import DESIGN, design_of, design_rules, find_design_cues
from evimap.extract.sentences import record_sentences
from evimap.records import Journal, Record, Section


def design(text: str, title: str | None = None, **fields: object) -> Design:
    record = Record(id="x", source="test", title=title, abstract=(Section(None, text),), **fields)  # type: ignore[arg-type]
    return design_of(record, record_sentences(record))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "We did a systematic review and meta-analysis of ketamine.",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="srma",
        ),
        pytest.param(
            "Published in the Cochrane Database of Systematic Reviews, it found little.",
            Design.SYSTEMATIC_REVIEW,
            id="cochrane_news",
        ),
        pytest.param(
            "There is insufficient evidence that zinc shortens colds.",
            Design.SYSTEMATIC_REVIEW,
            id="news_reports_review",
        ),
        pytest.param(
            "The authors analysed the data from 41 studies with over 5,120 patients.",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="analysed_data_from_n_studies_with_total_is_pooling",
        ),
        pytest.param(
            "We searched MEDLINE. Pooled risk ratio was 0.5 (95% CI 0.3 to 0.8).",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="pooling_upgrades",
        ),
        pytest.param(
            "In this randomized, double-blind, placebo-controlled trial, 80 adults took part.",
            Design.RCT,
            id="rct",
        ),
        pytest.param(
            "Patients were randomly assigned to ketamine or saline.",
            Design.RCT,
            id="randomly_assigned",
        ),
        pytest.param(
            "Patients were allocated into four groups by ward.",
            Design.NON_RANDOMIZED_TRIAL,
            id="allocated_not_random",
        ),
        pytest.param("This prospective cohort followed 900 adults.", Design.COHORT, id="cohort"),
        pytest.param(
            "A case-control design compared 50 cases.", Design.CASE_CONTROL, id="case_control"
        ),
        pytest.param(
            "A cross-sectional survey of 300 nurses.", Design.CROSS_SECTIONAL, id="cross_sectional"
        ),
        pytest.param(
            "We report a case of ketamine cystitis.", Design.CASE_SERIES_REPORT, id="case_report"
        ),
        pytest.param("Mice received ketamine. Rats did too.", Design.PRECLINICAL, id="rodents"),
        pytest.param(
            "Participants will be randomized to two arms.",
            Design.PROTOCOL,
            id="future_tense_protocol",
        ),
        pytest.param(
            "This review explores the clinical research. "
            "Further randomised controlled trials are needed.",
            Design.NARRATIVE_REVIEW,
            id="narrative_review_mentions_trials",
        ),
        pytest.param(
            "The guideline panel issued practice guidelines.", Design.GUIDELINE, id="guideline"
        ),
        pytest.param("This editorial argues for caution.", Design.COMMENTARY, id="commentary"),
        # Review-level language with no design word (a conclusions paragraph).
        pytest.param(
            "The included trials were small and short.",
            Design.SYSTEMATIC_REVIEW,
            id="the_included_trials_were",
        ),
        pytest.param(
            "The studies showed fewer colds with zinc.",
            Design.SYSTEMATIC_REVIEW,
            id="the_studies_showed",
        ),
        pytest.param(
            "Nine trials met the inclusion criteria.",
            Design.SYSTEMATIC_REVIEW,
            id="counted_trials_met",
        ),
        pytest.param(
            "We found no trials in children.", Design.SYSTEMATIC_REVIEW, id="we_found_no_trials"
        ),
        pytest.param(
            "Zinc was tried, but we could not find any eligible trials in older adults.",
            Design.SYSTEMATIC_REVIEW,
            id="could_not_find_any_trials",
        ),
        pytest.param(
            "The evidence for zinc is weak.", Design.SYSTEMATIC_REVIEW, id="the_evidence_for"
        ),
        pytest.param(
            "Evidence from four small trials favours zinc.",
            Design.SYSTEMATIC_REVIEW,
            id="evidence_from_n_trials",
        ),
        pytest.param(
            "From the evidence reviewed, zinc may help.",
            Design.SYSTEMATIC_REVIEW,
            id="evidence_reviewed",
        ),
        pytest.param(
            "Further trials remain justified in older adults.",
            Design.SYSTEMATIC_REVIEW,
            id="trials_remain_justified",
        ),
        pytest.param(
            "We searched MEDLINE. The number of patients needed to treat was 19 (95% CI 1 to 51).",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="needed_to_treat_is_pooling",
        ),
        pytest.param(
            "We searched MEDLINE. The trials differed, precluding any pooling.",
            Design.SYSTEMATIC_REVIEW,
            id="precluding_pooling",
        ),
        pytest.param(
            "We searched MEDLINE. One trial gave combined data from both treatment arms.",
            Design.SYSTEMATIC_REVIEW,
            id="arms_combined_is_not_pooling",
        ),
        pytest.param(
            "There is conflicting evidence about zinc.",
            Design.SYSTEMATIC_REVIEW,
            id="conflicting_evidence",
        ),
        pytest.param(
            "The quality of the evidence for zinc was low.",
            Design.SYSTEMATIC_REVIEW,
            id="quality_of_the_evidence",
        ),
        pytest.param(
            "Future multicentre trials should enrol older adults.",
            Design.SYSTEMATIC_REVIEW,
            id="future_trials_should",
        ),
        pytest.param(
            "Larger and longer trials are needed.", Design.SYSTEMATIC_REVIEW, id="trials_needed"
        ),
        pytest.param(
            "None of the review's primary outcomes was reported.",
            Design.SYSTEMATIC_REVIEW,
            id="the_reviews_outcomes",
        ),
        # Trials whose randomisation or blinding is stated in other words.
        pytest.param(
            "In a randomised double-blinded cross over study, 20 adults took zinc.",
            Design.RCT,
            id="randomised_cross_over_study",
        ),
        pytest.param(
            "This randomized , controlled 12-week trial enrolled 60 adults .",
            Design.RCT,
            id="tokenised_randomized_trial",
        ),
        pytest.param(
            "Each adult received zinc and lactose in a random order.",
            Design.RCT,
            id="random_order",
        ),
        pytest.param(
            "Adults randomized into two arms received zinc.", Design.RCT, id="randomized_into"
        ),
        pytest.param(
            "A double-blind trial of zinc in 40 adults with colds.",
            Design.RCT,
            id="double_blind_alone",
        ),
        pytest.param(
            "A placebo controlled study of zinc in 40 adults.",
            Design.RCT,
            id="placebo_controlled_alone",
        ),
        # Pooling: a pooled estimate, not any effect estimate; a denied meta-analysis is none.
        pytest.param(
            "We searched MEDLINE. Zinc reduced colds (RR 0.8, 95% CI 0.7 to 0.9; 6 trials).",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="estimate_with_study_count_is_pooling",
        ),
        pytest.param(
            "We searched MEDLINE. One trial reported fewer colds "
            "(RR 0.8, 95% CI 0.7 to 0.9; 120 adults).",
            Design.SYSTEMATIC_REVIEW,
            id="single_trial_estimate_is_not_pooling",
        ),
        pytest.param(
            "We searched MEDLINE. Combined data showed fewer colds.",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="combined_data",
        ),
        pytest.param(
            "We searched MEDLINE. Results were combined across the eligible trials.",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="results_were_combined",
        ),
        pytest.param(
            "We searched MEDLINE. Statistical pooling was done with random effects.",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="pooling_word",
        ),
        pytest.param(
            "We searched MEDLINE. A meta-analysis was not possible as the trials differed.",
            Design.SYSTEMATIC_REVIEW,
            id="meta_analysis_not_possible",
        ),
        pytest.param(
            "We did a systematic review without meta-analysis of zinc.",
            Design.SYSTEMATIC_REVIEW,
            id="without_meta_analysis",
        ),
        pytest.param(
            "We searched MEDLINE. It was not possible to pool the results (RR 0.8; 3 trials).",
            Design.SYSTEMATIC_REVIEW,
            id="not_possible_to_pool",
        ),
        pytest.param(
            "We searched MEDLINE. The outcomes could not be combined; no pooled estimate exists.",
            Design.SYSTEMATIC_REVIEW,
            id="could_not_be_combined",
        ),
        pytest.param("Ketamine is a drug.", Design.OTHER, id="no_cue_other"),
    ],
)
def test_design_from_text(text: str, expected: Design) -> None:
    assert design(text) is expected


def test_design_title_outweighs_passing_mention() -> None:
    text = "Earlier cohort studies were mixed. A prospective study in a registry followed them."
    assert design(text, title="Ketamine in rats: a randomized experiment") is Design.PRECLINICAL


@pytest.mark.parametrize(
    ("name", "expected"),
    [(n, d) for n, d in design_rules().publication_types],
    ids=lambda v: str(v),
)
def test_design_publication_type_decides(name: str, expected: Design) -> None:
    assert design("Mice were used.", publication_types=(name.title(),)) is expected


def test_design_review_type_with_systematic_search_is_systematic() -> None:
    assert (
        design("We searched MEDLINE and Embase.", publication_types=("Review",))
        is Design.SYSTEMATIC_REVIEW
    )


@pytest.mark.parametrize(("kind", "expected"), sorted(design_rules().kinds.items()))
def test_design_kind_when_no_cue(kind: str, expected: Design) -> None:
    assert design("Ketamine is a drug.", kind=kind) is expected


def test_design_cochrane_journal() -> None:
    journal = Journal(title="Cochrane Database of Systematic Reviews")
    assert design("Ketamine helps little.", journal=journal) is Design.SYSTEMATIC_REVIEW


@pytest.mark.parametrize(
    ("index", "pattern"),
    [(i, p) for i, g in enumerate(design_rules().groups) for p in g.patterns],
)
def test_design_every_cue_pattern_compiles_and_is_in_the_alternation(
    index: int, pattern: str
) -> None:
    import re

    re.compile(pattern)
    assert f"(?:{pattern})" in design_rules().cues.pattern


def test_design_find_cues_gives_spans() -> None:
    text = "Patients were randomly assigned."
    cues = find_design_cues(text)
    assert [(d, text[s:e]) for d, s, e in cues] == [(Design.RCT, "randomly assigned")]


def test_design_step() -> None:
    record = Record(id="x", source="test", abstract=(Section(None, "Mice were used."),))
    assert DESIGN.fn(record, {"sentences": record_sentences(record)}) == {
        "design": Design.PRECLINICAL
    }


def _examples(pattern: str) -> list[str]:
    """A few strings that `pattern` (a cue) matches: each branch, each repeat at its bounds."""
    from re import _parser  # type: ignore[attr-defined]

    def walk(items: list[tuple[object, object]]) -> list[str]:
        out = [""]
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                options = [chr(arg)]  # type: ignore[call-overload]
            elif name == "IN":
                options = [_example_char(arg)]  # type: ignore[arg-type]
            elif name == "BRANCH":
                options = [x for a in arg[1] for x in walk(list(a))]  # type: ignore[index]
            elif name == "SUBPATTERN":
                options = walk(list(arg[3]))  # type: ignore[index]
            elif name in ("MAX_REPEAT", "MIN_REPEAT"):
                low, high, body = arg  # type: ignore[misc]
                one = walk(list(body))[0]
                options = [one * low, one * min(max(low, 1), high)]
            else:  # zero-width: \b, $, lookaheads (their text follows anyway)
                options = [""]
            out = [a + b for a in out for b in options[:6]][:40]
        return out

    return walk(list(_parser.parse(pattern, re.MULTILINE)))


def _example_char(items: list[tuple[object, object]]) -> str:
    op, arg = items[0]
    if str(op) == "LITERAL":
        return chr(arg)  # type: ignore[call-overload]
    if str(op) == "RANGE":
        return chr(arg[0])  # type: ignore[index]
    return "7" if "DIGIT" in str(arg) else "x"


def _plain_cues(text: str) -> list[tuple[Design, int, int]]:
    rules = design_rules()
    return [
        (rules.groups[int(m.lastgroup[1:])].design, m.start(), m.end())
        for m in rules.cues.finditer(text)
        if m.lastgroup
    ]


@pytest.mark.parametrize("pattern", sorted({p for g in design_rules().groups for p in g.patterns}))
def test_design_fast_scan_finds_what_the_alternation_finds(pattern: str) -> None:
    """The trie never hides a cue: every cue's examples, in several contexts, give the same
    matches through `find_design_cues` as through the plain case-insensitive alternation."""
    examples = _examples(pattern)
    # A cue ending in a space needs a word after it.
    assert any(_plain_cues(sample) or _plain_cues(sample + "x") for sample in examples)
    for sample in examples:
        dotted, long_s = sample.upper().replace("I", "\u0130"), sample.replace("s", "\u017f")
        for text in (
            sample,
            f"In {sample}, then {sample.upper()} and {sample.title()}.",
            f"x{sample} ({sample}s) \u2013{sample}\u00b1 caf\u00e9 {sample}",
            f"{long_s}; {sample} \u212a {long_s.upper()}",
            f"{sample} {dotted}",
            f"{sample}{sample}x {sample}",
        ):
            assert find_design_cues(text) == _plain_cues(text), text


@pytest.mark.parametrize(
    "text",
    [
        "A randomized controlled trial.\nA double-blind trial",
        "Patients were randomised to A or B. Questionnaire data from 200 mice",
        "We searched MEDLINE. Twelve trials involving 2,300 adults were included.",
        "Randomized ZU TRIAL with \u0130nclusion; \u017furvey of RCT",
    ],
)
def test_design_scores_of_sentences_equal_those_found_one_by_one(text: str) -> None:
    from evimap.extract.design import TITLE_WEIGHT, design_scores

    record = Record(id="x", source="test", title="A cohort study", abstract=(Section(None, text),))
    sentences = record_sentences(record)
    rules = design_rules()
    expected: dict[Design, int] = {}
    for sentence in sentences:
        factor = TITLE_WEIGHT if sentence.field.startswith("title") else 1
        for index in dict.fromkeys(
            int(m.lastgroup[1:]) for m in rules.cues.finditer(sentence.text) if m.lastgroup
        ):
            group = rules.groups[index]
            expected[group.design] = expected.get(group.design, 0) + group.weight * factor
    assert design_scores(sentences) == expected


def test_design_folding_agrees_with_ignorecase_on_every_character() -> None:
    """`_folded` gives an ASCII letter exactly where `re.IGNORECASE` sees one, and keeps
    every character's class for `\\w` and `\\d` (what the cues can test)."""
    from evimap.extract.design import _folded

    letter = re.compile("[a-z]", re.IGNORECASE)
    word, digit = re.compile(r"\w"), re.compile(r"\d")
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        folded = _folded(char)
        if folded is None:  # lower-cases to two characters: the slow exact path is taken
            continue
        assert len(folded) == 1
        if letter.fullmatch(char):
            assert "a" <= folded <= "z"
            assert re.fullmatch(folded, char, re.IGNORECASE), hex(code)
        else:
            assert not ("a" <= folded <= "z"), hex(code)
        assert bool(word.match(char)) == bool(word.match(folded)), hex(code)
        assert bool(digit.match(char)) == bool(digit.match(folded)), hex(code)


@pytest.mark.parametrize(
    "pattern",
    ["(?<=a)bc", "a[^b]c", "a.c\\s", "(?P<x>ab)", "x*"],
)
def test_design_cue_the_trie_cannot_take_fails_at_load(pattern: str) -> None:
    from evimap.extract.design import CueGroup, _cue_scan

    with pytest.raises(ValueError, match="design cue"):
        _cue_scan((CueGroup(Design.RCT, 4, (pattern,)),))


_TRICKY = (
    ("d",),  # one character: the next is not part of it (`CueTrie.by_prefix`)
    # Paths that end at different word ends: the engine's order decides the span.
    ("c(?: a)?", "(?:b|b a|c)", "(?:a a)??a", "(?:c a){0,2}c"),
    ("a?ab", "(?:ab)*?c", "ab(?=c)"),
    ("abc?", "(?:ab|a)b", "b{1,3}?a"),
    ("(?:a|ab)(?!c)c?", "\\d+ ?a", "(?:ab){0,2}b"),
    ("a(?:b|bc)\\b", "(?:b|a)+?c", "c(?:a ){0,3}?b", "d e"),
)


@given(st.text(alphabet="abcde  1,\n\u00e9\u0661", max_size=30))
@example("a aa b a c a c ab abc d f")
@example("ca a b a a a bb ba 1 a \u0661 a")
def test_design_trie_equals_alternation_on_tricky_cues(text: str) -> None:
    """Optional, lazy and repeated starts, lookaheads and overlapping cues in other groups:
    the trie scan and the alternation agree (the choice of group included)."""
    from evimap.extract.design import CueGroup, DesignRules, _cue_matches, _cue_scan

    groups = tuple(CueGroup(Design.RCT, 1, patterns) for patterns in _TRICKY)
    combined = "|".join(
        rf"(?P<g{i}>(?:{'|'.join(f'(?:{p})' for p in g.patterns)})\b)" for i, g in enumerate(groups)
    )
    plain = re.compile(rf"\b(?=\w)(?:{combined})", re.IGNORECASE | re.MULTILINE)
    rules = DesignRules((), {}, (), groups, plain, plain, scan=_cue_scan(groups))
    expected = [
        (k, int(m.lastgroup[1:]), m.start(), m.end())
        for k, part in enumerate(text.split("\n"))
        for m in plain.finditer(part)
        if m.lastgroup
    ]
    assert list(_cue_matches(rules, text.split("\n"))) == expected
