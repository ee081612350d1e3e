"""Behaviour of the harms step: adverse effects, routes and doses of one intervention."""

from __future__ import annotations

import pytest

from evimap.extract.harms import (
    HARMS,
    adverse_effects_of,
    doses_of,
    effect_groups,
    routes_of,
)
from evimap.extract.pipeline import check_order
from evimap.records import Record, Section

from ..conftest import abstract_sentences


@pytest.mark.parametrize(
    ("texts", "intervention", "expected"),
    [
        (
            ("Side effects of ketamine included nausea, vomiting and dizziness.",),
            "ketamine",
            ("nausea", "vomiting", "dizziness"),
        ),
        (
            ("Hallucinations and headache were more frequent with memantine than placebo.",),
            "memantine",
            ("hallucinations", "headache"),
        ),
        (
            (
                "Researchers flagged risks associated with ketamine use.",
                "These include adverse effects such as paranoia and delusions.",
            ),
            "ketamine",
            ("paranoia", "delusions"),
        ),
        (
            ("Patients who received amantadine experienced confusion; two had insomnia.",),
            "amantadine",
            ("confusion", "insomnia"),
        ),
    ],
)
def test_harms_lists_effects_named_with_the_intervention(
    texts: tuple[str, ...], intervention: str, expected: tuple[str, ...]
) -> None:
    assert adverse_effects_of(abstract_sentences(*texts), intervention=intervention) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ketamine caused no serious adverse events.", ()),
        ("Ketamine relieved pain without hallucinations or nausea.", ()),
        ("Ketamine did not cause dizziness in any patient.", ()),
        ("Adverse events with ketamine were not associated with sedation.", ()),
        (
            "Ketamine caused nausea, but no hallucinations were reported.",
            ("nausea",),
        ),
    ],
)
def test_harms_leaves_out_effects_stated_absent(text: str, expected: tuple[str, ...]) -> None:
    assert adverse_effects_of(abstract_sentences(text), intervention="ketamine") == expected


@pytest.mark.parametrize(
    ("text", "condition", "expected"),
    [
        ("Ketamine reduced agitation, and side effects were mild.", None, ()),
        (
            "Magnesium prevented seizures; flushing was a common adverse effect.",
            None,
            ("flushing",),
        ),
        (
            "Side effects of dexamethasone for postoperative nausea included hyperglycemia.",
            "postoperative nausea",
            ("hyperglycemia",),
        ),
        (
            "Adverse events in the ketamine group were reported for anxiety and headache.",
            "anxiety",
            ("headache",),
        ),
    ],
)
def test_harms_does_not_count_the_condition_treated_as_an_effect(
    text: str, condition: str | None, expected: tuple[str, ...]
) -> None:
    intervention = "dexamethasone" if "dexamethasone" in text else text.split()[0].lower()
    if "ketamine group" in text:
        intervention = "ketamine"
    found = adverse_effects_of(
        abstract_sentences(text), intervention=intervention, condition=condition
    )
    assert found == expected


@pytest.mark.parametrize(
    ("text", "intervention", "expected"),
    [
        (
            "Propofol caused hypotension while ketamine caused hypertension.",
            "ketamine",
            ("hypertension",),
        ),
        (
            "Propofol caused hypotension while ketamine caused hypertension.",
            "propofol",
            ("hypotension",),
        ),
        (
            "Nausea was more frequent with morphine; ketamine was associated with dizziness.",
            "ketamine",
            ("dizziness",),
        ),
        (
            "Adverse events such as nausea were common with donepezil, memantine and rivastigmine.",
            "memantine",
            ("nausea",),
        ),
    ],
)
def test_harms_gives_each_drug_its_own_effects_in_a_shared_sentence(
    text: str, intervention: str, expected: tuple[str, ...]
) -> None:
    assert adverse_effects_of(abstract_sentences(text), intervention=intervention) == expected


@pytest.mark.parametrize(
    ("text", "effects", "groups"),
    [
        (
            "Ketamine can cause psychotomimetic effects and dissociative symptoms.",
            ("psychotomimetic effects", "dissociative symptoms"),
            ("psychotomimetic effects", "dissociative effects"),
        ),
        (
            "Reported side effects of ketamine were hallucinations and vomiting.",
            ("hallucinations", "vomiting"),
            ("psychotomimetic effects", "gastrointestinal effects"),
        ),
    ],
)
def test_harms_keeps_group_names_as_written_and_groups_separately(
    text: str, effects: tuple[str, ...], groups: tuple[str, ...]
) -> None:
    found = adverse_effects_of(abstract_sentences(text), intervention="ketamine")
    assert found == effects
    assert effect_groups(found) == groups


@pytest.mark.parametrize(
    ("texts", "intervention", "expected"),
    [
        (("Patients received intravenous ketamine or saline.",), "ketamine", ("intravenous",)),
        (("Intranasal esketamine was compared with placebo.",), "esketamine", ("intranasal",)),
        (("Oral memantine was compared with intravenous ketamine.",), "memantine", ("oral",)),
        (
            ("We studied ketamine in depression.", "It was given by intravenous infusion."),
            "ketamine",
            ("intravenous",),
        ),
    ],
)
def test_harms_finds_routes_of_the_intervention(
    texts: tuple[str, ...], intervention: str, expected: tuple[str, ...]
) -> None:
    assert routes_of(abstract_sentences(*texts), intervention=intervention) == expected


@pytest.mark.parametrize(
    ("text", "intervention", "expected"),
    [
        ("Ketamine 0.5 mg/kg was infused over 40 minutes.", "ketamine", ("0.5 mg/kg",)),
        ("Esketamine 56 or 84 mg was given twice weekly.", "esketamine", ("56 or 84 mg",)),
        (
            "Midazolam 2 mg was given before ketamine 1 mg/kg.",
            "ketamine",
            ("1 mg/kg",),
        ),
        ("Ketamine was given to 40 patients aged 5 years.", "ketamine", ()),
    ],
)
def test_harms_finds_doses_near_the_intervention(
    text: str, intervention: str, expected: tuple[str, ...]
) -> None:
    assert doses_of(abstract_sentences(text), intervention=intervention) == expected


def test_harms_step_gives_effects_routes_and_doses_per_pair() -> None:
    text = "Intravenous ketamine 0.5 mg/kg caused dissociation and nausea in some patients."
    sentences = abstract_sentences(text)
    record = Record(id="t:1", source="jsonl", title=None, abstract=(Section(None, text),))
    found = HARMS.fn(record, {"sentences": sentences, "pairs": [("ketamine", "depression")]})
    assert found == {
        "harms": {"ketamine": (("dissociation", "nausea"), ("intravenous",), ("0.5 mg/kg",))}
    }


def test_harms_step_declares_its_needs() -> None:
    from evimap.extract.pairs import PAIRS
    from evimap.extract.sentences import SENTENCES

    check_order([SENTENCES, PAIRS, HARMS])
    with pytest.raises(ValueError, match="pairs"):
        check_order([SENTENCES, HARMS])


def test_harms_step_reads_each_intervention_as_the_public_functions_do() -> None:
    """The step analyses the record once for all pairs; each intervention's findings are
    those of `adverse_effects_of`, `routes_of` and `doses_of` (a literal name outside the
    vocabulary included)."""
    title = "Oral memantine or sage-547 for agitation"
    text = (
        "Oral memantine 20 mg/day caused dizziness. Sage-547 caused headache and nausea; "
        "intravenous ketamine 0.5 mg/kg caused dissociation.\nNo hallucinations occurred."
    )
    record = Record(id="t:2", source="jsonl", title=title, abstract=(Section(None, text),))
    from evimap.extract.sentences import record_sentences

    sentences = record_sentences(record)
    pairs = [("memantine", "agitation"), ("sage-547", "agitation"), ("ketamine", "pain")]
    found = HARMS.fn(record, {"sentences": sentences, "pairs": pairs})
    assert found["harms"] == {
        drug: (
            adverse_effects_of(sentences, intervention=drug, condition=condition),
            routes_of(sentences, intervention=drug),
            doses_of(sentences, intervention=drug),
        )
        for drug, condition in pairs
    }
    assert found["harms"]["memantine"][1:] == (("oral",), ("20 mg/day",))
