# ruff: noqa: RUF001 - Chinese text is written with full-width commas and colons.
"""Chinese text (issue 3, item 9): the same direction, design and certainty as English.

The sentences here are written for the tests in the way Chinese medical abstracts state
findings; none is taken from the seed, which is read only to check that its Chinese side
yields the claims of its English side.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evimap.claims import Certainty, Design, Direction
from evimap.extract.certainty import find_certainty
from evimap.extract.design import design_of, design_rules, ideographic_design_rules
from evimap.extract.direction_cues import (
    CUE_KINDS,
    OUTCOME_KINDS,
    _hits,
    direction_rules,
    sentence_direction,
)
from evimap.extract.pipeline import extract_claims
from evimap.extract.sentences import record_sentences
from evimap.records import Record, Section

from ..conftest import REPO
from .regex_samples import shortest_sample

B, NB, INC, HARM, MIXED = (
    Direction.BENEFIT,
    Direction.NO_BENEFIT,
    Direction.INCONCLUSIVE,
    Direction.HARM,
    Direction.MIXED,
)
VL, L, M, H = Certainty.VERY_LOW, Certainty.LOW, Certainty.MODERATE, Certainty.HIGH
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _record(text: str, title: str | None = None, language: str | None = "zh") -> Record:
    return Record(
        id="x", source="page", title=title, abstract=(Section(None, text),), language=language
    )


def _claim_set(record: Record) -> set[tuple[Any, ...]]:
    return {
        (c.intervention, c.condition, c.direction, c.design, c.certainty, c.certainty_upper)
        for c in extract_claims(record)
    }


def _seed_sides() -> tuple[str, str]:
    """The English abstract and its Chinese translation in the bilingual seed."""
    lines = (REPO / "data" / "seeds" / "bilingual-abstract.txt").read_text("utf-8").splitlines()
    chinese = [line for line in lines if _CJK.search(line)]
    english = max((line for line in lines if not _CJK.search(line)), key=len)
    assert len(chinese) == 1
    return english, chinese[0]


def test_chinese_side_of_the_bilingual_seed_gives_the_claims_of_its_english_side() -> None:
    english, chinese = _seed_sides()
    from_english = _claim_set(_record(english, language="en"))
    from_chinese = _claim_set(_record(chinese, language="zh"))
    assert from_chinese == from_english
    assert {(i, c) for i, c, *_ in from_chinese} == {
        ("ketamine", "alcohol use disorder"),
        ("ketamine", "opioid use disorder"),
        ("ketamine", "cocaine use disorder"),
    }


def test_chinese_evidence_of_the_seed_is_a_verbatim_chinese_sentence() -> None:
    _, chinese = _seed_sides()
    record = _record(chinese)
    for claim in extract_claims(record):
        evidence = claim.evidence
        text = record.texts()[evidence.field]
        assert text[evidence.start : evidence.end] == evidence.text
        assert _CJK.search(evidence.text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("氯胺酮显著降低了术后疼痛评分。", B),
        ("治疗组术后疼痛评分显著低于对照组。", B),
        ("艾司氯胺酮可有效改善难治性抑郁症患者的抑郁症状。", B),
        ("美金刚组的总有效率明显高于安慰剂组。", B),
        ("氯胺酮延长了酒精依赖者的戒断期。", B),
        ("该疗法前景广阔，但仍需更多研究证实。", B),
        ("氯胺酮对慢性疼痛无效。", NB),
        ("两组疼痛评分差异无统计学意义。", NB),
        ("氯胺酮未能改善患者的认知功能。", NB),
        ("氯胺酮没有显著减少阿片类药物的用量。", NB),
        ("与安慰剂相比，硫酸镁并未降低术后疼痛。", NB),
        ("不推荐常规使用氯胺酮。", NB),
        ("氯胺酮不优于安慰剂。", NB),
        ("氯胺酮治疗慢性疼痛的证据不足。", INC),
        ("氯胺酮的长期疗效尚不清楚。", INC),
        ("目前尚无法得出明确的结论。", INC),
        ("需要进一步的大样本随机对照试验。", INC),
        ("氯胺酮增加了精神病性症状的风险。", HARM),
        ("氯胺酮组恶心呕吐的发生率升高。", HARM),
        ("该药加重了患者的焦虑。", HARM),
        ("氯胺酮显示出良好的镇痛效果，但不良反应较多。", MIXED),
    ],
)
def test_chinese_sentence_direction(text: str, expected: Direction) -> None:
    stated = sentence_direction(text)
    assert stated is not None, text
    assert stated.direction is expected


def test_chinese_a_negated_harm_is_no_harm() -> None:
    assert sentence_direction("氯胺酮未增加不良反应的发生率。") is None


def test_chinese_negation_reaches_only_a_few_characters() -> None:
    assert sentence_direction("患者没有接受其他任何治疗，氯胺酮降低了疼痛。") == sentence_direction(
        "氯胺酮降低了疼痛。"
    )


def test_chinese_words_that_start_with_a_negation_do_not_negate() -> None:
    for text in ("无痛分娩中氯胺酮降低了疼痛。", "不良反应轻微，氯胺酮改善了抑郁症状。"):
        stated = sentence_direction(text)
        assert stated is not None, text
        assert stated.direction is B, text


def test_chinese_call_for_trials_keeps_a_stated_benefit() -> None:
    stated = sentence_direction("氯胺酮显示出巨大的希望，但迫切需要进一步的研究。")
    assert stated is not None
    assert stated.direction is B


def test_chinese_hedge_marks_the_direction() -> None:
    stated = sentence_direction("右美托咪定可能减少术后谵妄。")
    assert stated is not None
    assert (stated.direction, stated.hedged) == (B, True)


def test_chinese_conclusion_opening_is_read_as_a_conclusion() -> None:
    rules = direction_rules()
    assert rules.conclusion_start.match("总之，氯胺酮有效。")
    assert rules.conclusion_start.match("结论：氯胺酮有效。")
    assert rules.conclusion_start.match("In conclusion, ketamine works.")
    assert not rules.conclusion_start.match("氯胺酮有效。")


def test_chinese_record_rests_its_direction_on_the_conclusion() -> None:
    record = _record(
        "目的：评价氯胺酮治疗难治性抑郁症的疗效。"
        "方法：将60例难治性抑郁症患者随机分为氯胺酮组和安慰剂组。"
        "结果：两组不良反应发生率差异无统计学意义。"
        "结论：氯胺酮可快速改善难治性抑郁症患者的抑郁症状。",
        title="氯胺酮治疗难治性抑郁症的随机双盲安慰剂对照试验",
    )
    claims = extract_claims(record)
    assert [(c.intervention, c.condition) for c in claims] == [
        ("ketamine", "treatment-resistant depression")
    ]
    assert (claims[0].direction, claims[0].design) == (B, Design.RCT)
    assert claims[0].evidence.text.startswith("结论")


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "氯胺酮治疗难治性抑郁症的系统评价和Meta分析",
            "计算机检索PubMed、Embase和中国知网数据库。共纳入12项随机对照试验。",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
        ),
        (
            None,
            "系统检索了PubMed和Cochrane图书馆，共纳入8项研究。由于异质性较大，未进行Meta分析。",
            Design.SYSTEMATIC_REVIEW,
        ),
        (
            None,
            "系统检索了PubMed和Cochrane图书馆，共纳入8项研究。合并分析显示异质性较低。",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
        ),
        (None, "将60例患者随机分为氯胺酮组和对照组。", Design.RCT),
        ("硫酸镁对术后疼痛的影响：一项随机对照试验", "两组疼痛评分差异无统计学意义。", Design.RCT),
        (None, "共纳入12项随机对照试验，涉及900例患者。", Design.SYSTEMATIC_REVIEW),
        ("氯胺酮治疗抑郁症的随机双盲安慰剂对照试验", "氯胺酮改善了抑郁症状。", Design.RCT),
        (None, "这是一项开放标签、单臂的II期临床试验。", Design.NON_RANDOMIZED_TRIAL),
        (None, "本研究为一项前瞻性队列研究，随访2年。", Design.COHORT),
        (None, "采用病例对照设计，比较两组患者。", Design.CASE_CONTROL),
        (None, "本研究对500名麻醉医师进行了横断面问卷调查。", Design.CROSS_SECTIONAL),
        (None, "本文报告1例氯胺酮滥用导致膀胱炎的患者。", Design.CASE_SERIES_REPORT),
        (None, "将大鼠分为3组，氯胺酮减轻了神经病理性疼痛。", Design.PRECLINICAL),
        (None, "小鼠动物模型显示氯胺酮具有抗抑郁作用。", Design.PRECLINICAL),
        (
            None,
            "这篇综述总结了氯胺酮治疗抑郁症的最新进展。需要进一步的随机对照试验。",
            Design.NARRATIVE_REVIEW,
        ),
        ("氯胺酮治疗抑郁症的研究进展", "氯胺酮具有快速抗抑郁作用。", Design.NARRATIVE_REVIEW),
        (None, "本研究方案描述了一项多中心随机对照试验。本试验将招募200例患者。", Design.PROTOCOL),
        (None, "本指南由专家共识制定，推荐使用氯胺酮。", Design.GUIDELINE),
    ],
)
def test_chinese_design(title: str | None, text: str, expected: Design) -> None:
    record = _record(text, title=title)
    assert design_of(record, record_sentences(record)) is expected


def test_chinese_a_call_for_trials_is_no_trial_of_ones_own() -> None:
    record = _record("需要进一步的随机对照试验来证实氯胺酮的疗效。")
    assert design_of(record, record_sentences(record)) is not Design.RCT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("高质量证据表明氯胺酮有效。", (H, None)),
        ("有高水平的证据支持其使用。", (H, None)),
        ("中等质量证据显示其可减轻疼痛。", (M, None)),
        ("GRADE分级为中等。", (M, None)),
        ("总体证据质量较低。", (L, None)),
        ("基于低确定性证据，氯胺酮可能减轻疼痛。", (L, None)),
        ("证据的确定性被评为极低。", (VL, None)),
        ("证据质量为低至极低。", (VL, L)),
        ("证据质量从极低到中等。", (VL, M)),
    ],
)
def test_chinese_certainty(text: str, expected: tuple[Certainty, Certainty | None]) -> None:
    assert [(m.level, m.upper) for m in find_certainty(text)] == [expected]


def test_chinese_plain_words_of_strength_are_ungraded() -> None:
    [weak] = find_certainty("支持该疗法的证据薄弱。")
    [strong] = find_certainty("有力的证据支持氯胺酮的疗效。")
    assert (weak.level, weak.graded, strong.level, strong.graded) == (L, False, H, False)


@pytest.mark.parametrize(
    "text",
    [
        "缺乏高质量证据。",
        "目前尚无足够的高质量证据。",
        "需要更多高质量的证据来证实。",
        "高质量证据仍然缺乏。",
        "高质量的随机对照试验较少。",
        "证据质量评价采用GRADE方法。",
    ],
)
def test_chinese_certainty_negated_or_not_stated_gives_nothing(text: str) -> None:
    assert find_certainty(text) == []


def test_chinese_record_certainty_reaches_the_claim() -> None:
    record = _record(
        "系统检索了PubMed和中国知网数据库，共纳入10项随机对照试验。"
        "Meta分析显示，氯胺酮显著降低了慢性疼痛患者的疼痛评分。"
        "结论：低至极低质量证据表明氯胺酮可减轻慢性疼痛。",
    )
    [claim] = extract_claims(record)
    assert (claim.intervention, claim.condition) == ("ketamine", "chronic pain")
    assert claim.design is Design.SYSTEMATIC_REVIEW_META_ANALYSIS
    assert claim.direction is B
    assert (claim.certainty, claim.certainty_upper) == (VL, L)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("La ketamina redujo el dolor crónico en adultos. La ketamina es eficaz.", "es"),
        ("Ketamin reduzierte chronische Schmerzen bei Erwachsenen signifikant.", "de"),
        ("ケタミンは慢性疼痛を有意に軽減した。", "ja"),
    ],
)
def test_chinese_a_record_in_another_language_gives_no_claims(text: str, language: str) -> None:
    assert extract_claims(_record(text, language=language)) == []


def _every_direction_cue() -> list[tuple[str, str]]:
    raw = direction_rules().ideographic_raw
    return [
        (kind, branch)
        for groups, kinds in ((raw["cues"], CUE_KINDS), (raw["outcomes"], OUTCOME_KINDS))
        for kind in kinds
        for pattern in groups.get(kind, ())
        for branch in _top_branches(pattern)
    ]


def _top_branches(pattern: str) -> list[str]:
    """The alternatives of `pattern` at its top level ("a|b(?:c|d)" gives a, b(?:c|d))."""
    branches, depth, start = [], 0, 0
    for at, char in enumerate(pattern):
        if char == "(" and pattern[at - 1 : at] != "\\":
            depth += 1
        elif char == ")" and pattern[at - 1 : at] != "\\":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:at])
            start = at + 1
    return [*branches, pattern[start:]]


@pytest.mark.parametrize(("kind", "pattern"), _every_direction_cue())
def test_chinese_every_direction_cue_reachable(kind: str, pattern: str) -> None:
    sample = shortest_sample(pattern)
    hits = _hits(sample)
    assert hits, sample
    assert hits[0][:2] == (kind, 0), (sample, hits)


def _every_design_cue() -> list[tuple[int, str]]:
    rules = design_rules().ideographic
    assert rules is not None
    return [
        (index, branch)
        for index, group in enumerate(rules.groups)
        for pattern in group.patterns
        for branch in _top_branches(pattern)
    ]


@pytest.mark.parametrize(("index", "pattern"), _every_design_cue())
def test_chinese_every_design_cue_reachable(index: int, pattern: str) -> None:
    rules = design_rules().ideographic
    assert rules is not None
    sample = shortest_sample(pattern)
    found = rules.cues.hits(sample.lower())
    assert found, sample
    assert found[0][:2] == (f"g{index}", 0), (sample, found)


def _plain_alternation(groups: list[tuple[str, list[str]]]) -> re.Pattern[str]:
    return re.compile(
        "|".join(
            f"(?P<{name}>{'|'.join(f'(?:{p})' for p in patterns)})" for name, patterns in groups
        )
    )


def _direction_groups() -> list[tuple[str, list[str]]]:
    raw = direction_rules().ideographic_raw
    return [
        (kind, (raw["cues"] if kind in CUE_KINDS else raw["outcomes"]).get(kind) or [])
        for kind in (*CUE_KINDS, *OUTCOME_KINDS)
    ]


def _design_groups() -> list[tuple[str, list[str]]]:
    rules = design_rules().ideographic
    assert rules is not None
    return [(f"g{i}", list(group.patterns)) for i, group in enumerate(rules.groups)]


_DIRECTION_SAMPLES = sorted({shortest_sample(p) for _, p in _every_direction_cue()})
_DESIGN_SAMPLES = sorted({shortest_sample(p).lower() for _, p in _every_design_cue()})


@given(
    st.lists(st.sampled_from([*_DIRECTION_SAMPLES, "氯胺酮", "的", "，", "。", "a"]), max_size=8),
    st.lists(st.sampled_from([*_DESIGN_SAMPLES, "氯胺酮", "的", "，", "。", "a"]), max_size=8),
)
def test_chinese_scan_finds_what_the_alternation_finds(
    direction_words: list[str], design_words: list[str]
) -> None:
    """Cues run together and cut into: the first-character scan equals `re.finditer`."""
    design_scan = design_rules().ideographic
    direction_scan = direction_rules().ideographic
    assert design_scan is not None
    assert direction_scan is not None
    for words, scan, groups in (
        (direction_words, direction_scan, _direction_groups()),
        (design_words, design_scan.cues, _design_groups()),
    ):
        text = "".join(words)
        expected = [
            (m.lastgroup, m.start(), m.end()) for m in _plain_alternation(groups).finditer(text)
        ]
        assert scan.hits(text) == expected


def test_chinese_design_groups_name_designs_the_english_rules_rank() -> None:
    rules = design_rules()
    assert rules.ideographic is not None
    assert {group.design for group in rules.ideographic.groups} <= set(rules.order)


def test_chinese_design_rules_name_the_file_of_a_bad_cue() -> None:
    raw = {"cues": [{"design": "rct", "weight": 4, "patterns": ["随机("]}], "pooling": ["x"]}
    with pytest.raises(ValueError, match=r"designs_zh\.yaml"):
        ideographic_design_rules({**raw, "no_pooling": ["y"]})


def test_chinese_cues_are_not_read_in_english_text() -> None:
    english = "Ketamine reduced pain; no difference in nausea was found."
    assert _hits(english) == [
        (m.lastgroup, m.start(), m.end()) for m in direction_rules().cues.finditer(english)
    ]
