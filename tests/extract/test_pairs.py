"""Which (intervention, condition) pairs a record is about: behaviour on written records."""

from __future__ import annotations

from evimap.extract.pairs import record_pairs
from evimap.extract.sentences import record_sentences
from evimap.records import Record, Section, Translation


def pairs_of(
    title: str | None, *abstract: str, language: str | None = "en", kind: str | None = None
) -> list[tuple[str, str]]:
    record = Record(
        id="x",
        source="page",
        title=title,
        abstract=tuple(Section(None, text) for text in abstract),
        language=language,
        kind=kind,
    )
    return record_pairs(record, record_sentences(record))


def test_pairs_title_intervention_and_condition_make_a_pair() -> None:
    pairs = pairs_of(
        "Memantine for agitation in Alzheimer's disease",
        "We randomized 120 patients. Memantine reduced agitation scores.",
    )
    assert [intervention for intervention, _ in pairs] == ["memantine"]
    assert pairs[0][1] in {"alzheimer's disease", "psychomotor agitation"}


def test_pairs_a_drug_named_once_in_passing_is_not_a_focus() -> None:
    pairs = pairs_of(
        "Esketamine nasal spray in treatment-resistant depression",
        "Patients previously treated with sertraline were enrolled.",
        "Esketamine improved depressive symptoms compared with placebo.",
        "Esketamine was well tolerated.",
    )
    assert [intervention for intervention, _ in pairs] == ["esketamine"]


def test_pairs_the_specific_condition_wins_over_its_parent() -> None:
    pairs = pairs_of(
        "Ketamine in depression",
        "Ketamine was given to adults with treatment-resistant depression.",
        "Ketamine rapidly reduced depression scores.",
    )
    assert pairs == [("ketamine", "treatment-resistant depression")]


def test_pairs_a_substance_inside_a_condition_is_not_an_intervention() -> None:
    pairs = pairs_of(
        "Naltrexone for cocaine dependence",
        "Naltrexone reduced cocaine use in cocaine dependent adults.",
    )
    assert all(intervention != "cocaine" for intervention, _ in pairs)
    assert ("naltrexone", "cocaine use disorder") in pairs


def test_pairs_a_record_not_in_english_gives_no_pairs() -> None:
    assert (
        pairs_of(
            "Ketamina para el dolor crónico",
            "La ketamina redujo el dolor crónico en adultos.",
            language="es",
        )
        == []
    )


def test_pairs_a_translation_is_read_only_in_a_language_the_vocabularies_know() -> None:
    record = Record(
        id="x",
        source="page",
        abstract=(Section(None, "Ketamine reduced chronic pain. Ketamine was safe."),),
        translations=(
            Translation("es", "Memantina en migraña", (Section(None, "La memantina."),)),
            Translation("zh", None, (Section(None, "美金刚可减轻偏头痛。美金刚是安全的。"),)),
        ),
        language="en",
    )
    assert record_pairs(record, record_sentences(record)) == [
        ("ketamine", "chronic pain"),
        ("memantine", "migraine"),
    ]


def test_pairs_a_chinese_text_gives_the_pairs_of_its_english_side() -> None:
    english = pairs_of(
        None,
        "Ketamine prolonged abstinence in heroin dependent individuals.",
        "Ketamine reduced craving in cocaine users.",
    )
    chinese = pairs_of(
        None,
        "氯胺酮延长了海洛因依赖者的戒断期。",
        "氯胺酮减少了可卡因使用者的渴望。",
        language="zh",
    )
    assert set(english) == set(chinese)
    assert {c for _, c in chinese} == {"opioid use disorder", "cocaine use disorder"}


def test_pairs_a_chain_of_general_conditions_goes_to_the_most_specific() -> None:
    pairs = pairs_of(
        "Ketamine in pain",
        "Ketamine for chronic pain and neuropathic pain was studied.",
        "Ketamine reduced neuropathic pain.",
    )
    assert pairs == [("ketamine", "neuropathic pain")]


def test_pairs_a_drug_named_as_a_cause_is_not_an_intervention() -> None:
    pairs = pairs_of(
        "Intraoperative ketamine and remifentanil-induced hyperalgesia",
        "Ketamine reduced hyperalgesia after remifentanil-based anesthesia.",
    )
    assert {intervention for intervention, _ in pairs} == {"ketamine"}


def test_pairs_the_effect_of_phrase_in_the_title_names_the_focus() -> None:
    pairs = pairs_of(
        "Sevoflurane anesthesia in children: effect of oral midazolam on emergence agitation",
        "Sevoflurane was used for induction in all children.",
        "Midazolam reduced emergence agitation compared with placebo.",
    )
    assert {intervention for intervention, _ in pairs} == {"midazolam"}


def test_pairs_a_comparison_in_the_title_keeps_both_drugs() -> None:
    pairs = pairs_of(
        "Effects of lidocaine and ketamine on pain after tonsillectomy",
        "Both lidocaine and ketamine reduced pain scores.",
    )
    assert {intervention for intervention, _ in pairs} == {"lidocaine", "ketamine"}


def test_pairs_a_class_named_beside_a_drug_is_background() -> None:
    pairs = pairs_of(
        "Esketamine for major depression",
        "Conventional antidepressants take weeks to act in major depression.",
        "Esketamine with an oral antidepressant improved depression within a day.",
    )
    assert {intervention for intervention, _ in pairs} == {"esketamine"}


def test_pairs_the_title_condition_outranks_outcomes_named_more_often() -> None:
    pairs = pairs_of(
        "Memantine in adults with Down syndrome: a pilot randomized trial",
        "Memantine did not improve memory compared with placebo.",
        "Dementia and Alzheimer's disease are common in older adults with this condition.",
        "Alzheimer's disease pathology was not measured; Alzheimer's disease risk is high.",
    )
    assert pairs == [("memantine", "down syndrome")]


def test_pairs_an_adverse_effect_is_a_condition_only_when_nothing_else_is_named() -> None:
    pairs = pairs_of(
        None,
        "Ketamine was given to patients with cancer pain; nausea was more common with it.",
        "Ketamine relieved cancer pain, although nausea and vomiting occurred.",
    )
    assert pairs == [("ketamine", "cancer pain")]


def test_pairs_drugs_given_together_are_one_intervention() -> None:
    assert pairs_of(
        "Ketamine plus propofol for procedural sedation in children",
        "Children received ketamine plus propofol. Sedation was adequate in 95%.",
    ) == [("ketamine + propofol", "procedural sedation")]
    hyphenated = pairs_of(
        "Fentanyl-midazolam-medetomidine for procedural sedation",
        "Sedation was adequate.",
    )
    assert [i for i, _ in hyphenated] == ["fentanyl + medetomidine + midazolam"]


def test_pairs_a_combination_named_with_and_needs_a_combination_word() -> None:
    combined = pairs_of(
        None,
        "A combination of evening primrose oil (gamma linolenic acid) and fish oil was given "
        "to women with pre-eclampsia.",
        "Blood pressure fell.",
    )
    assert [i for i, _ in combined] == ["evening primrose oil + fish oil"]
    separate = pairs_of(
        "Effects of propofol and ketamine on postoperative pain",
        "Both reduced postoperative pain.",
    )
    assert {i for i, _ in separate} == {"ketamine", "propofol"}


def test_pairs_an_add_on_design_is_about_the_drug_added() -> None:
    alone = pairs_of(
        "Dexmedetomidine plus ketamine versus dexmedetomidine alone for procedural sedation",
        "Sedation scores were better with the combination.",
    )
    assert [i for i, _ in alone] == ["ketamine"]
    placebo = pairs_of(
        "Risperidone plus amantadine in children with autism",
        "One group received risperidone plus amantadine, the other risperidone plus placebo.",
    )
    assert [i for i, _ in placebo] == ["amantadine"]
    later = pairs_of(
        "Risperidone plus amantadine in children with autism",
        "Sixty children took part. The control group received risperidone plus placebo.",
    )
    assert [i for i, _ in later] == ["amantadine"]


def test_pairs_a_comparator_is_dropped_in_any_sentence() -> None:
    pairs = pairs_of(
        None,
        "We studied adults with major depressive disorder.",
        "Esketamine was compared with quetiapine in major depressive disorder.",
        "Esketamine improved remission in major depressive disorder.",
    )
    assert [i for i, _ in pairs] == ["esketamine"]


def test_pairs_healthy_volunteers_stand_for_the_condition_only_without_a_disease() -> None:
    assert pairs_of(
        "Ketamine perturbs time perception in healthy volunteers",
        "Ketamine slowed subjective time.",
    ) == [("ketamine", "healthy volunteers")]
    assert pairs_of(
        None,
        "Rimantadine relieved symptoms of influenza in healthy adults.",
        "Rimantadine was well tolerated.",
    ) == [("rimantadine", "influenza")]


def test_pairs_a_drug_the_conclusions_only_compare_with_is_not_a_focus() -> None:
    pairs = pairs_of(
        "Intranasal ketamine and intravenous fentanyl for renal colic",
        "Adults with renal colic received ketamine or fentanyl.",
        "Pain scores fell in both groups.",
        "Conclusion: ketamine was less effective for renal colic than intravenous fentanyl.",
    )
    assert [i for i, _ in pairs] == ["ketamine"]
    both = pairs_of(
        "Intranasal ketamine and intravenous fentanyl for renal colic",
        "Adults with renal colic received ketamine or fentanyl.",
        "Conclusion: ketamine and fentanyl relieved renal colic equally.",
    )
    assert {i for i, _ in both} == {"fentanyl", "ketamine"}


def test_pairs_an_adverse_effect_the_drug_is_given_for_is_its_condition() -> None:
    pairs = pairs_of(
        "Ketamine and midazolam for sedation of uncooperative children",
        "Sedation was adequate; nausea was rare.",
    )
    assert {c for _, c in pairs} == {"sedation"}


def test_pairs_a_class_in_the_title_stands_for_the_drug_the_text_names() -> None:
    pairs = pairs_of(
        "Experimental antidepressant appears quick-acting",
        "The new drug, GLYX-13, was given to adults with depression.",
        "GLYX-13 acted within a day.",
        "GLYX-13 was safe.",
        "GLYX-13 is in a phase 2 trial.",
    )
    assert [i for i, _ in pairs] == ["rapastinel"]


def test_pairs_a_drug_measured_as_an_outcome_is_not_an_intervention() -> None:
    pairs = pairs_of(
        None,
        "Intravenous ketamine was given before surgery to patients having knee replacement.",
        "Ketamine reduced postoperative pain and morphine consumption in the first 24 hours.",
        "Morphine requirements and the need for rescue fentanyl were lower with ketamine.",
        "In conclusion, ketamine reduced postoperative pain and opioid consumption.",
    )
    assert {intervention for intervention, _ in pairs} == {"ketamine"}


def test_pairs_a_labelled_first_line_is_read_as_the_title() -> None:
    text = (
        "TITLE: Oral naltrexone versus acamprosate in alcohol dependence. "
        "Acamprosate was given for 12 weeks in the control arm. "
        "Acamprosate and naltrexone were tolerated, and acamprosate reduced relapse."
    )
    labelled = {intervention for intervention, _ in pairs_of(None, text)}
    unlabelled = {intervention for intervention, _ in pairs_of(None, text.removeprefix("TITLE: "))}
    assert labelled == {"naltrexone"}
    assert "acamprosate" in unlabelled


def test_pairs_a_company_named_like_a_drug_is_not_a_drug() -> None:
    pairs = pairs_of(
        "Experimental drug eases postpartum depression",
        "Sage Therapeutics said its drug brexanolone eased postpartum depression in a trial.",
        "Sage will need more data, and Sage plans a larger trial of brexanolone.",
    )
    assert {intervention for intervention, _ in pairs} == {"brexanolone"}


def test_pairs_a_news_story_does_not_close_on_its_conclusions() -> None:
    story = (
        "New drug eases migraine",
        "Erenumab cut migraine days by half in a trial of 900 adults, researchers said.",
        "Patients on erenumab had fewer headaches.",
        "It is injected once a month.",
        "Doctors have long used propranolol for migraine, one neurologist said.",
    )
    assert {i for i, _ in pairs_of(*story, kind="news")} == {"erenumab"}
    assert "propranolol" in {i for i, _ in pairs_of(*story)}


def test_pairs_at_equal_weight_a_specific_drug_goes_before_a_class() -> None:
    pairs = pairs_of(
        None,
        "Opioids, antidepressants and anticonvulsants have been tried for phantom limb pain.",
        "Morphine, gabapentin and ketamine showed short-term analgesic efficacy.",
    )
    assert {i for i, _ in pairs} == {"gabapentin", "ketamine", "morphine"}


def test_pairs_the_drug_an_add_on_was_added_to_is_no_focus() -> None:
    pairs = pairs_of(
        None,
        "Bupivacaine was infiltrated in 80 adults after hernia repair.",
        "The analgesic effect of bupivacaine combined with clonidine was longer than that "
        "of bupivacaine alone in adults with postoperative pain.",
        "Bupivacaine with clonidine reduced postoperative pain.",
    )
    assert "bupivacaine" not in {intervention for intervention, _ in pairs}
    assert ("clonidine", "postoperative pain") in pairs


def test_pairs_a_drug_alone_and_in_combination_is_the_base() -> None:
    pairs = pairs_of(
        "Sevoflurane alone and in combination with dexmedetomidine for sedation in MRI",
        "Children received sevoflurane or sevoflurane plus dexmedetomidine.",
    )
    assert {intervention for intervention, _ in pairs} == {"dexmedetomidine"}


def test_pairs_a_drug_named_as_a_target_is_not_an_intervention() -> None:
    pairs = pairs_of(
        None,
        "Sarcosine, an inhibitor of the glycine transporter, was added in 60 adults with "
        "schizophrenia.",
        "Agents acting at the glycine binding site improved negative symptoms of schizophrenia.",
    )
    assert "glycine" not in {intervention for intervention, _ in pairs}


def test_pairs_the_treatment_patients_were_already_on_is_background() -> None:
    pairs = pairs_of(
        "Pregabalin in patients undergoing buprenorphine maintenance",
        "Adults undergoing buprenorphine maintenance with opioid use disorder were "
        "randomized to pregabalin or placebo.",
        "Pregabalin reduced opioid use disorder relapse.",
    )
    assert {intervention for intervention, _ in pairs} == {"pregabalin"}


def test_pairs_without_a_title_every_drug_stating_a_finding_is_a_focus() -> None:
    pairs = pairs_of(
        None,
        "The value of drug treatment for tinnitus remains unclear.",
        "Acamprosate, gabapentin and betahistine were studied in small trials of tinnitus.",
        "Betahistine was ineffective for tinnitus.",
        "Melatonin and sulpiride improved tinnitus loudness in one trial each.",
        "Larger trials are needed.",
    )
    named = {intervention for intervention, _ in pairs}
    assert {"betahistine", "melatonin", "sulpiride"} <= named


def test_pairs_a_condition_given_as_an_example_is_not_what_the_drug_is_for() -> None:
    pairs = pairs_of(
        None,
        "Quinine did not reduce nocturnal leg cramps in 90 older adults.",
        "No trial studied quinine for cramps of other causes (for example multiple sclerosis).",
    )
    # "for example" does not say what quinine is given for: the cramps it was tried in lead.
    assert pairs[0] == ("quinine", "muscle cramps")


def test_pairs_a_drug_whose_levels_are_measured_is_not_an_intervention() -> None:
    pairs = pairs_of(
        None,
        "Valproate reduced manic symptoms in 50 adults with bipolar disorder.",
        "Serum lithium levels were measured weekly.",
        "The concentration of lithium did not change, and lithium levels stayed stable.",
    )
    assert {intervention for intervention, _ in pairs} == {"valproate"}


def test_pairs_harms_named_beside_a_drug_give_one_condition_not_each() -> None:
    pairs = pairs_of(
        None,
        "Labetalol may lower heart rate but may increase hypotension, bradycardia and "
        "dizziness in 70 adults.",
    )
    assert len(pairs) == 1


def test_pairs_a_first_sentence_opening_with_effect_of_is_the_title() -> None:
    pairs = pairs_of(
        None,
        "Acute effect of fluvoxamine on obsessive-compulsive disorder .",
        "Patients on stable doses of quetiapine and of lithium received fluvoxamine or "
        "placebo, and quetiapine levels rose with lithium use.",
        "Quetiapine and lithium were continued throughout the trial.",
        "Fluvoxamine reduced obsessive-compulsive disorder symptoms.",
    )
    assert {intervention for intervention, _ in pairs} == {"fluvoxamine"}
