"""The words that make a number a count of studies or participants, and frame it.

Data for `counts.find_counts`: the nouns a count needs next to its number, the words that
may not stand between them, the cues before and after a count that frame it as a total,
an arm of a trial or a number screened or excluded, and the number words. Module-level
tuples, compiled by `counts` once into a few combined patterns.
"""

from __future__ import annotations

STUDY_NOUNS: tuple[str, ...] = (
    "studies",
    "study",
    "trials",
    "trial",
    "RCTs",
    "RCT",
    "reviews",
    "articles",
    "papers",
    "publications",
)
"""Nouns that make a number a count of studies (singular for "one trial")."""

PARTICIPANT_NOUNS: tuple[str, ...] = (
    "participants",
    "participant",
    "patients",
    "patient",
    "subjects",
    "adults",
    "children",
    "adolescents",
    "youths",
    "infants",
    "neonates",
    "newborns",
    "babies",
    "women",
    "men",
    "mothers",
    "parturients",
    "people",
    "persons",
    "individuals",
    "volunteers",
    "cases",
    "veterans",
    "students",
    "smokers",
    "drinkers",
    "users",
    "respondents",
    "outpatients",
    "inpatients",
    "survivors",
    "athletes",
    "residents",
    "couples",
    "pregnancies",
    "animals",
    "rats",
    "mice",
    "dogs",
    "pigs",
    "rabbits",
    "monkeys",
)
"""Nouns that make a number a count of participants (animals count for animal studies)."""

GAP_BLOCKERS: frozenset[str] = frozenset(
    # units and durations: "65 years old patients", "12 weeks in patients", "5 mg patients"
    [
        "year",
        "years",
        "yr",
        "yrs",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
        "hour",
        "hours",
        "h",
        "hr",
        "hrs",
        "min",
        "mins",
        "minute",
        "minutes",
        "second",
        "seconds",
        "mg",
        "g",
        "kg",
        "mcg",
        "µg",
        "ug",
        "ml",
        "l",
        "mmol",
        "mol",
        "iu",
        "unit",
        "units",
        "dose",
        "doses",
        "times",
        "fold",
        "percent",
        "per",
        "cent",
        "point",
        "points",
        "million",
        "billion",
        "thousand",
        "hundreds",
        "thousands",
        "of",
        "in",
        "with",
        "for",
        "from",
        "to",
        "at",
        "by",
        "on",
        "or",
        "and",
        "versus",
        "vs",
        "than",
        "were",
        "was",
        "who",
        "that",
        "the",
        "a",
        "an",
        "had",
        "have",
        "are",
        "is",
    ]
)
"""Words that may not stand between a number and its noun ("12 weeks of treatment in patients")."""

TOTAL_BEFORE: frozenset[str] = frozenset(
    [
        "total",
        "totalling",
        "totaling",
        "overall",
        "involving",
        "including",
        "included",
        "enrolled",
        "enrolling",
        "recruited",
        "randomised",
        "randomized",
        "randomising",
        "randomizing",
        "comprising",
        "with",
        "of",
    ]
)
"""Words just before a count that frame it as the total ("a total of", "67 trials involving");
a hedge between ("involving over 2,300") is skipped, see `HEDGES`."""

HEDGES: frozenset[str] = frozenset(
    [
        "over",
        "about",
        "approximately",
        "approx",
        "nearly",
        "almost",
        "around",
        "than",
        "more",
        "some",
        "roughly",
    ]
)
"""Words between a total cue and its number ("more than", "over")."""

NOT_COUNT_BEFORE: frozenset[str] = frozenset(
    [
        "aged",
        "age",
        "ages",
        "p",
        "table",
        "tables",
        "fig",
        "figure",
        "page",
        "pp",
        "ref",
        "refs",
        "phase",
        "grade",
        "level",
        "version",
        "day",
        "week",
        "month",
        "year",
        "visit",
        "cycle",
        "stage",
        "type",
        "class",
        "step",
        "dose",
        "ci",
        "or",
        "rr",
        "hr",
    ]
)
"""The word just before a number that makes it something other than a count ("aged 18")."""

TOTAL_AFTER: tuple[str, ...] = (
    r"(?:were|was|had\s+been|have\s+been)\s+(?:\w+\s+)?(?:randomi[sz]ed|randomly\s+(?:assigned|allocated)|enrolled|recruited|included|studied)",
    r"(?:were|was)\s+(?:\w+\s+)?(?:assigned|allocated)\s+(?:\w+\s+)?to\s+(?:\w+\s+)?(?:one\s+of|either)",
    r"in\s+total",
    r"overall",
    r"(?:participated|took\s+part|completed\s+(?:the\s+)?(?:study|trial))",
)
"""Cues just after a count that frame it as the total ("202 patients were randomized")."""

EXCLUDED_CUES: tuple[str, ...] = (
    r"screened",
    r"assessed\s+for\s+eligibility",
    r"identified",
    r"retrieved",
    r"excluded",
    r"ongoing",
    r"awaiting",
    r"withdr[ea]w",
    r"dropped\s+out",
    r"lost\s+to\s+follow",
    r"declined",
    r"approached",
    r"potentially",
    r"searched",
)
"""Cues (after the count, or among its modifiers) for numbers that are not the analysed set."""

ARM_CUES: tuple[str, ...] = (
    r"received",
    r"(?:were\s+)?(?:randomi[sz]ed|randomly\s+assigned|assigned|allocated)\s+to\s+(?:receive\s+)?\w+",
    r"(?:were\s+)?in\s+the\s+\w+",
    r"to\s+(?:the\s+)?\w+",
    r"\(\w+\)",
)
"""What follows the first number of an arm pair ("30 received ketamine and 32 placebo")."""

UNIT_WORDS: tuple[str, ...] = (
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
"""The number words below twenty, in order (`counts.number_value` reads them)."""

TENS_WORDS: tuple[str, ...] = (
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
)
"""The tens as words, in order."""
