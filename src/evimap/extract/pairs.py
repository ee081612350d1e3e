"""Which (intervention, condition) pairs a record makes claims about.

A record names many drugs and conditions in passing (comparators, background, co-drugs);
a claim is about the ones the record is *about*. The rule, in words:

1. A record is read in each language the vocabularies know (English, and those of
   `vocab.LANGUAGES`): its own text when written in one of them, and each translation in
   one. Every such text is a view, the rules below run on each, and the pairs are joined,
   the record's own language first: a bilingual abstract's Chinese side finds the same
   pairs as its English side, and a Spanish record without a translation yields none, so
   it cannot produce garbage claims.
2. Every sentence is scanned once for interventions and conditions (the vocabularies'
   Aho-Corasick finders). A mention weighs `TITLE_WEIGHT` in the title, `LEAD_WEIGHT` in
   the first or last sentences of the abstract (aims and conclusions, a news standfirst)
   and 1 elsewhere.
3. A drug named as the cause of a condition ("remifentanil-induced hyperalgesia") is not an
   intervention, and neither is a substance named inside a condition ("cocaine" in
   "cocaine use disorder"), as a drug's target ("the glycine modulatory site"), as a
   comparator ("compared with placebo") or as the treatment the patients were already on
   ("patients undergoing methadone maintenance").
   Drugs given together ("ketamine plus propofol", "a combination of A and B", "A-B-C")
   are one intervention, "a + b" in alphabetical order, unless the record also gives one
   of them alone or with placebo: then the claim is about the drug added (an add-on trial),
   and the drug it was added to is no focus of the record.
4. The title says what a record is about. When it names interventions, only those can be
   the focus, and when it has an "effect of X" phrase ("Effects of lidocaine and ketamine
   on …", "Comparison of X with Y"), only the ones inside that phrase. A record without a
   title has one when its first line is labelled ("TITLE: …") or opens with such a phrase
   (a title run into the abstract: "In vivo effect of X on Y . The …"). Without a title
   intervention, an intervention is a focus when its weight reaches `FOCUS_WEIGHT` and a
   third (`FOCUS_SHARE`) of the heaviest one's. At most `MAX_INTERVENTIONS` are kept, and a
   class term ("antidepressants") is dropped beside a specific drug unless it leads; a
   title that names only a class stands for the drug the text names most, if it names
   one with twice `FOCUS_WEIGHT` ("Experimental antidepressant…", then GLYX-13). Of
   several, one that the conclusions name only after a comparison word ("less effective
   than fentanyl") is dropped when they name another as their subject. A record without
   a title also makes claims about every drug that opens a sentence stating a direction
   ("Memantine and amitriptyline were ineffective for PLP"), whatever its weight.
5. When the title names conditions (other than adverse-effect terms such as nausea, unless
   the drug is given for them: "for sedation"), they are the conditions of every focus
   intervention. Otherwise a focus intervention is paired with the conditions named in the
   same sentences as it, weighted the same way: an adverse-effect term only when nothing
   else is named or the drug is given for it (and then only the heaviest one), a
   population term ("healthy volunteers") only in sentences that name no disease. Those
   within `CONDITION_SHARE` of the best are kept, at most `MAX_CONDITIONS`. With no
   condition in its sentences, the record's heaviest condition is used. Either way a
   general condition hands its weight to the more specific ones of its family that the
   record names (treatment-resistant depression over depression, postoperative pain over
   pain).

The weights are round numbers chosen for the rule, not fitted: the dev set measures them
(`bench/extraction.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final, final

from evimap.extract.cue_search import has_match
from evimap.extract.direction_cues import sentence_direction
from evimap.extract.pipeline import Findings, Sentence, Step, covered_text, field_groups
from evimap.extract.values import Value
from evimap.extract.vocab import (
    LANGUAGES,
    TermMatch,
    condition_ancestors,
    find_conditions,
    find_interventions,
    find_terms_in_spans,
    is_adverse_effect_name,
    is_class_term,
    is_population_term,
)
from evimap.records import Record

OWN_FIELDS = ("title", "abstract", "body")
READABLE = frozenset({"en", *LANGUAGES})
"""The languages whose names the vocabularies hold."""
TITLE_WEIGHT = 3
LEAD_WEIGHT = 2
LEAD_SENTENCES = 2
FOCUS_WEIGHT = 2
FOCUS_SHARE = 0.34
MAX_INTERVENTIONS = 3
MAX_CONDITIONS = 3
CONDITION_SHARE = 0.5
CAUSE = re.compile(r"\s*-?\s*(?:induced|associated|related|evoked|provoked|dependent)\b", re.I)
"""What follows a drug named as the cause of a condition, not as its treatment."""
TARGET = re.compile(
    r"\s*-?\s*(?:(?:modulatory|binding|allosteric|recognition)\s+)?"
    r"(?:sites?|receptors?|transporters?|channels?)\b",
    re.I,
)
"""What follows a substance named as a drug's target ("the glycine modulatory site",
"opioid receptors"), not as the treatment."""
MEASURED_AFTER = re.compile(
    r"\s*(?:consumption|requirements?|demands?|usage|levels?|concentrations?)\b", re.I
)
MEASURED_BEFORE = re.compile(
    r"(?:consumption of|requirements? (?:of|for)|demand for|need for|rescue|levels? of|"
    r"concentrations? of)\s+(?:[\w-]+\s+){0,2}$",
    re.I,
)
"""What surrounds a drug measured as an outcome ("postoperative morphine consumption",
"the need for rescue fentanyl", "serum lithium levels"), not given as the treatment tested."""
NOT_GIVEN_AFTER = re.compile(
    "|".join(f"(?:{cue.pattern})" for cue in (CAUSE, TARGET, MEASURED_AFTER)), re.I
)
"""What follows a drug named as a cause, a target or an outcome measure: the three cues
in one pattern, tried once at the end of each drug's name."""
COMPANY = re.compile(
    r"\s+(?:therapeutics|pharmaceuticals?|pharma|biosciences|biotech|laborator(?:y|ies)|"
    r"inc\b|corp\b|ltd\b|plc\b)",
    re.I,
)
"""What follows a company named like a drug ("Sage Therapeutics")."""
EFFECT_OF = re.compile(
    r"\b(?:effects?|efficacy|effectiveness|role|impact|influence|use|usefulness|benefits?|"
    r"safety|addition|comparison|administration|value)\s+of\s+|\bcomparing\s+",
    re.I,
)
"""The head of a title phrase that names what the record tests ("Effect of X on Y")."""
COMPARATOR = re.compile(
    r"(?:rather than|instead of|compared (?:with|to)|in comparison (?:with|to)|versus|vs\.?|"
    r"than|relative to|receiving|treated with|taking|undergoing|maintained on|added to|"
    r"add-on to|adjunct to|"
    r"in addition to|with or without)"
    r"\s+(?:[\w-]+\s+){0,3}$",
    re.I,
)
"""What precedes a drug named as the comparator or the background treatment, not the focus."""
INDICATION = re.compile(
    r"(?:with|for(?!\s+(?:example|instance)\b)|among|treating|treatment of|management of|"
    r"prevention of|prophylaxis of|prophylaxis for|\d)\s+(?:[\w'-]+\s+){0,3}$",
    re.I,
)
"""What precedes the condition a drug is given for ("for women with eclampsia") or the people
who took it ("12 healthy participants")."""
OUTCOME = re.compile(
    r"(?:risk(?: ratio)? of|odds of|incidence of|rates? of|recurrence of|occurrence of|reduc\w*|"
    r"prevent\w*|halves|"
    r"deaths? (?:from|due to)|and)\s+(?:[\w'-]+\s+){0,2}$",
    re.I,
)
"""What precedes a condition counted as an outcome ("risk ratio of maternal death")."""
CUE_SPAN = 60
CONCLUSION_OPENING = re.compile(
    r"^(?:[\w. ]{0,30}\bconclusions?\b\s*[:.]|in conclusion\b|we conclude\b|"
    r"(?:authors'|implications for practice)\b)",
    re.I,
)
"""The first sentence of a record's conclusions ("Conclusions:", "ABSTRACT.CONCLUSION:.")."""
COMPARISON_WORD = re.compile(
    r"\b(?:than|compared (?:with|to)|comparing (?:with|to)|in comparison (?:with|to)|versus|vs\b|"
    r"rather than|relative to)",
    re.I,
)
JOINED = re.compile(
    r"\s*(?:\+|plus|/|-|\u2013|"
    r"(?:[\w-]+\s+){0,2}(?:combined with|in combination with|together with))\s*$",
    re.I,
)
"""What stands between two drugs given together as one treatment ("ketamine plus propofol",
"salbutamol aerosol combined with magnesium sulfate")."""
COMBINATION_BEFORE = re.compile(
    r"(?:combination|combined|mixture|co-?administration)\s+(?:of\s+|treatment\s+with\s+)?"
    r"(?:an?\s+|the\s+)?$",
    re.I,
)
"""What opens a combination named with "and" ("a combination of ketamine and propofol")."""
COMBINATION_AFTER = re.compile(r"\s*(?:combination|combined|mixture|co-?administration)\b", re.I)
"""What closes it ("ketamine and propofol combination")."""
AND = re.compile(r"\s*(?:and|&|with)\s*$", re.I)
PARENTHESES = re.compile(r"\([^()]*\)")
GLOSS = re.compile(r"\s*\(\s*$")
"""What opens a drug's gloss ("evening primrose oil (gamma linolenic acid)"): not another drug."""
ALONE = re.compile(
    r"\s*(?:alone|only|monotherapy|(?:plus|\+|and|with)\s+(?:an?\s+)?placebo)\b", re.I
)
"""What follows the drug of an add-on design's control arm ("dexmedetomidine alone",
"risperidone plus placebo")."""
TITLE_LABEL = re.compile(r"\s*title\s*:", re.I)
"""The label of a title given as the text's first line ("TITLE: Comparing …")."""
TITLE_OPENING = re.compile(r"\s*(?:[\w-]+\s+){0,2}")
"""What may come before the "effect of" head of a title ("In vivo effect of …")."""
SUBJECT_LEAD = re.compile(r"\s*(?:[\w-]+\s+){0,3}$")
"""What may open a sentence before the drug that is its subject ("Oral nimodipine …")."""
SUBJECT_LIST = re.compile(r"\s*(?:,\s*)?(?:(?:and|or)\s+)?$")
"""What stands between the drugs of a list that opens a sentence ("Morphine, gabapentin
and ketamine demonstrate …")."""
EFFECT_OF_END = re.compile(
    r"\s(?:on|in|for|after|during|to|with|versus|vs\.?|compared|among|at|as|upon|in)\s|[:;?]|"
    r"\.\s|\.$"
)


@final
class Mentions(Value):
    """The interventions and conditions named in one sentence, at offsets into its text.

    `compared` are the drugs named as comparators ("compared with fentanyl"), left out of
    `interventions`. `is_title` is true in the title, or in the first sentence that reads
    as one (labelled "TITLE: …", or opening with "Effect of …") of a record without one.
    `bases` are the drugs of a combination that the record also gives alone: the add-on
    trial's background ("fentanyl" in "fentanyl combined with ketamine … fentanyl alone").
    """

    FIELDS = ("sentence", "weight", "interventions", "conditions", "compared", "is_title", "bases")
    __slots__ = FIELDS

    def __init__(
        self,
        sentence: Sentence,
        weight: int,
        interventions: tuple[TermMatch, ...],
        conditions: tuple[TermMatch, ...],
        compared: tuple[TermMatch, ...] = (),
        is_title: bool = False,
        bases: tuple[TermMatch, ...] = (),
    ) -> None:
        self.sentence: Final = sentence
        self.weight: Final = weight
        self.interventions: Final = interventions
        self.conditions: Final = conditions
        self.compared: Final = compared
        self.is_title: Final = is_title
        self.bases: Final = bases


def views(record: Record, sentences: Sequence[Sentence]) -> list[list[Sentence]]:
    """The record's sentences grouped by the text they read, one group per readable language.

    The record's own fields form one view when its language is readable (or unknown), each
    translation into a readable language another.
    """
    wanted: list[tuple[str, ...]] = []
    if record.language is None or record.language in READABLE:
        wanted.append(OWN_FIELDS)
    for translation in record.translations:
        if translation.language in READABLE:
            language = translation.language
            wanted.append((f"title:{language}", f"abstract:{language}"))
    return [[s for s in sentences if s.field in fields] for fields in wanted]


def sentence_mentions(record: Record, sentences: Sequence[Sentence]) -> list[list[Mentions]]:
    """The sentences of every view with what they name, weighted by where they stand."""
    terms = _terms_by_sentence(sentences)
    news = record.kind == "news"
    return [_view_mentions(view, terms, news=news) for view in views(record, sentences)]


def _view_mentions(
    view: Sequence[Sentence],
    terms: dict[int, tuple[tuple[TermMatch, ...], tuple[TermMatch, ...]]],
    *,
    news: bool = False,
) -> list[Mentions]:
    titles = {id(s) for s in view if s.field.startswith("title")}
    if not titles and view and (TITLE_LABEL.match(view[0].text) or _opens_as_title(view[0])):
        titles = {id(view[0])}
    abstract = [s for s in view if id(s) not in titles]
    # A news story closes on background or a quote, not on its conclusions.
    closing = [] if news else abstract[-LEAD_SENTENCES:]
    lead = {id(s) for s in abstract[:LEAD_SENTENCES] + closing}
    named = [(s, m) for s in view for m in terms[id(s)][0]]
    alone = {m.canonical for s, m in named if ALONE.match(s.text, m.end)}
    companies = {m.text.lower() for s, m in named if COMPANY.match(s.text, m.end)}
    found = []
    for sentence in view:
        key = id(sentence)
        drugs, conditions = terms[key]
        if drugs:
            interventions, compared, bases = _combined(
                sentence, alone, _given(sentence, drugs, conditions, companies)
            )
        else:  # most sentences name no drug: nothing to sort out
            interventions = compared = bases = ()
        is_title = key in titles
        if is_title:
            weight = TITLE_WEIGHT
        elif key in lead:
            weight = LEAD_WEIGHT
        else:
            weight = 1
        found.append(
            Mentions(
                sentence,
                weight,
                interventions,
                conditions,
                compared,
                is_title,
                bases,
            )
        )
    return found


def _opens_as_title(sentence: Sentence) -> bool:
    """Whether a record's first sentence is a title run into its abstract, as some sources
    give them: it opens with an "effect of" head ("In vivo effect of clarithromycin on …")."""
    head = EFFECT_OF.search(sentence.text)
    return head is not None and TITLE_OPENING.fullmatch(sentence.text, 0, head.start()) is not None


def _given(
    sentence: Sentence,
    drugs: Sequence[TermMatch],
    conditions: Sequence[TermMatch],
    companies: set[str],
) -> list[TermMatch]:
    """The sentence's drugs named as given: not inside a condition, as its cause or target,
    as an outcome measure or as a company."""
    inside = [(c.start, c.end) for c in conditions]
    text = sentence.text
    return [
        m
        for m in drugs
        if not any(start <= m.start and m.end <= end for start, end in inside)
        and not NOT_GIVEN_AFTER.match(text, m.end)
        and not _follows(MEASURED_BEFORE, sentence, m)
        and m.text.lower() not in companies
    ]


def _combined(
    sentence: Sentence, alone: set[str], drugs: Sequence[TermMatch]
) -> tuple[tuple[TermMatch, ...], tuple[TermMatch, ...], tuple[TermMatch, ...]]:
    """The sentence's interventions with drugs given together joined into one, comparators out.

    "Ketamine plus propofol", "fentanyl-midazolam-medetomidine", "a combination of A and B"
    name one treatment, whose canonical name joins its drugs' names with " + " in
    alphabetical order; a drug in parentheses right after another glosses it. In an add-on
    design, where the record also gives one of the drugs `alone` ("dexmedetomidine plus
    ketamine versus dexmedetomidine alone"), the claim is about the drug added. A drug
    after a comparator cue is set apart, alone or as the first drug of a combination:
    the answer is the interventions, the comparators and the add-on designs' bases.
    """
    if not drugs:  # most sentences name no drug
        return (), (), ()
    groups: list[list[TermMatch]] = []
    text = sentence.text
    for match in drugs:
        if groups:
            last = groups[-1][-1]
            gap = text[last.end : match.start]
            if GLOSS.match(gap):
                continue
            gap = PARENTHESES.sub("", gap)
            if JOINED.match(gap) or (
                AND.match(gap)
                and (
                    COMBINATION_BEFORE.search(text[: groups[-1][0].start])
                    or COMBINATION_AFTER.match(text, match.end)
                )
            ):
                if match.canonical not in {m.canonical for m in groups[-1]}:
                    groups[-1].append(match)
                continue
        groups.append([match])
    out = []
    compared = []
    bases: list[TermMatch] = []
    for group in groups:
        if _follows(COMPARATOR, sentence, group[0]):
            compared.extend(group)
            continue
        added = [m for m in group if m.canonical not in alone]
        if added and len(added) < len(group):
            bases.extend(m for m in group if m.canonical in alone)
            group = added
        if len(group) == 1:
            out.append(group[0])
            continue
        first, last = group[0], group[-1]
        out.append(
            TermMatch(
                first.start,
                last.end,
                text[first.start : last.end],
                " + ".join(sorted(m.canonical for m in group)),
                first.kind,
                None,
            )
        )
    return tuple(out), tuple(compared), tuple(bases)


def _follows(cue: re.Pattern[str], sentence: Sentence, match: TermMatch) -> bool:
    """Whether `cue` ends right before `match`, in the same sentence."""
    at = match.start
    return has_match(cue, sentence.text[max(0, at - CUE_SPAN) : at])


def _condition_weight(mentions: Mentions, match: TermMatch) -> float:
    """A condition mention's weight: more where a drug is given for it, less as an outcome."""
    if _follows(INDICATION, mentions.sentence, match):
        return mentions.weight * 2.0
    if _follows(OUTCOME, mentions.sentence, match):
        return mentions.weight * 0.5
    return float(mentions.weight)


def _terms_by_sentence(
    sentences: Sequence[Sentence],
) -> dict[int, tuple[tuple[TermMatch, ...], tuple[TermMatch, ...]]]:
    """Interventions and conditions of every sentence, by `id(sentence)`.

    Found with one pass per field over the field's sentences joined with their gaps as
    spaces, which is the very text `harms` searches: the vocabulary caches the pass by
    text, so the two steps share it. Exactly what a search of each sentence would find;
    where one pass cannot promise that, each sentence is searched on its own.
    """
    out: dict[int, tuple[tuple[TermMatch, ...], tuple[TermMatch, ...]]] = {}
    for indexes in field_groups(sentences):
        group = [sentences[i] for i in indexes]
        covered = covered_text(group)
        text = covered or ""
        spans = [(s.start, s.end) for s in group]
        drugs = find_terms_in_spans("interventions", text, spans) if covered is not None else None
        conditions = find_terms_in_spans("conditions", text, spans) if covered is not None else None
        if drugs is not None and conditions is not None:  # the usual case: no search per sentence
            out.update(zip(map(id, group), zip(drugs, conditions, strict=True), strict=True))
            continue
        for index, sentence in enumerate(group):
            out[id(sentence)] = (
                tuple(drugs[index] if drugs is not None else find_interventions(sentence.text)),
                tuple(
                    conditions[index] if conditions is not None else find_conditions(sentence.text)
                ),
            )
    return out


def _weights(pairs: Sequence[tuple[str, float]]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for name, weight in pairs:
        totals[name] = totals.get(name, 0) + weight
    return totals


def focus_interventions(mentions: Sequence[Mentions]) -> list[str]:
    """The interventions the record is about, heaviest first."""
    totals = _weights(
        [(m.canonical, s.weight) for s in mentions for m in _distinct(s.interventions)]
    )
    # At equal weight a specific drug goes first: a class term then only leads alone.
    ranked = sorted(totals.items(), key=lambda item: (-item[1], is_class_term(item[0]), item[0]))
    if not ranked:
        return []
    titled = _title_interventions(mentions)
    if titled and all(is_class_term(name) for name in titled):
        # "Experimental antidepressant appears quick-acting": the class stands for a drug
        # the text names, when it names one often enough.
        specific = [n for n, w in ranked if not is_class_term(n) and w >= FOCUS_WEIGHT * 2]
        titled = set(specific[:1]) or titled
    if titled:
        focus = [name for name, _ in ranked if name in titled]
    else:
        floor = max(FOCUS_WEIGHT, ranked[0][1] * FOCUS_SHARE)
        focus = [name for name, weight in ranked if weight >= floor]
    if any(not is_class_term(name) for name in focus):
        focus = [name for i, name in enumerate(focus) if i == 0 or not is_class_term(name)]
    if len(focus) > 1:
        subjects, compared = _conclusion_roles(mentions)
        if subjects & set(focus):
            focus = [name for name in focus if name in subjects or name not in compared]
    focus = focus[:MAX_INTERVENTIONS]
    if not titled:
        # Without a title to say what the record is about, what its sentences state is.
        focus += [name for name in _stating_subjects(mentions) if name not in focus]
    bases = {m.canonical for s in mentions for m in s.bases}
    if bases and not bases.issuperset(focus):
        # An add-on trial is about the drug added, not the background it was added to.
        focus = [name for name in focus if name not in bases]
    return focus


def _stating_subjects(mentions: Sequence[Mentions]) -> list[str]:
    """The drugs that open a sentence stating a direction, whatever their weight.

    A review's conclusions name drug after drug, each once ("Memantine and amitriptyline
    were ineffective"): each so named is a finding of the record.
    """
    out: list[str] = []
    for mention in mentions:
        text = mention.sentence.text
        at = 0
        subjects: list[str] = []
        for match in mention.interventions:
            cue = SUBJECT_LEAD if not subjects else SUBJECT_LIST
            if not cue.fullmatch(text, at, match.start):
                break
            subjects.append(match.canonical)
            at = match.end
        if subjects and sentence_direction(text) is not None:
            out.extend(name for name in subjects if name not in out)
    return out


def _conclusion_roles(mentions: Sequence[Mentions]) -> tuple[set[str], set[str]]:
    """The interventions the conclusions speak of, and those they compare them with.

    The conclusions are the sentences from a "Conclusion" label or opening on, else the
    abstract's last `LEAD_SENTENCES`. In each, a drug named before the first comparison
    word is a subject ("Ketamine was less effective than fentanyl"), one after it compared.
    """
    body = [s for s in mentions if not s.is_title]
    start = next(
        (i for i, s in enumerate(body) if CONCLUSION_OPENING.search(s.sentence.text)), None
    )
    if start is None:
        conclusions = [s for s in body if s.sentence.field.startswith("abstract")]
        conclusions = conclusions[-LEAD_SENTENCES:]
    else:
        conclusions = body[start:]
    subjects: set[str] = set()
    compared: set[str] = set()
    for mention in conclusions:
        cue = COMPARISON_WORD.search(mention.sentence.text)
        stop = cue.start() if cue else len(mention.sentence.text)
        for match in mention.interventions:
            (subjects if match.start < stop else compared).add(match.canonical)
        compared.update(m.canonical for m in mention.compared)
    return subjects, compared


def _title_interventions(mentions: Sequence[Mentions]) -> set[str]:
    """The title's interventions, narrowed to its "effect of X" phrase when it has one."""
    titles = [s for s in mentions if s.is_title]
    named = {m.canonical for s in titles for m in s.interventions}
    for title in titles:
        head = EFFECT_OF.search(title.sentence.text)
        if head is None:
            continue
        end = EFFECT_OF_END.search(title.sentence.text, head.end())
        stop = end.start() if end else len(title.sentence.text)
        inside = {
            m.canonical for m in title.interventions if head.end() <= m.start and m.end <= stop
        }
        if inside:
            return inside
    return named


def _distinct(matches: Sequence[TermMatch]) -> list[TermMatch]:
    if len(matches) < 2:  # most sentences: nothing to merge
        return list(matches)
    return list({m.canonical: m for m in matches}.values())


def conditions_for(intervention: str, mentions: Sequence[Mentions]) -> list[str]:
    """The conditions the record pairs with `intervention`, most specific kept."""
    named = _weights([(c.canonical, s.weight) for s in mentions for c in _distinct(s.conditions)])
    titled = _weights(
        [
            (c.canonical, s.weight)
            for s in mentions
            if s.is_title
            for c in _distinct(s.conditions)
            if _is_treated(s, c)
        ]
    )
    if titled:
        totals = _specific(titled, named, floor=LEAD_WEIGHT)
        return sorted(totals, key=lambda name: (-totals[name], name))[:MAX_CONDITIONS]
    beside = [
        (s, c)
        for s in mentions
        if any(m.canonical == intervention for m in s.interventions)
        for c in _diseases_first(s.conditions)
    ]
    treated = [(c.canonical, _condition_weight(s, c)) for s, c in beside if _is_treated(s, c)]
    if not treated:
        anywhere = [(s, c) for s in mentions for c in s.conditions]
        treated = [(c.canonical, _condition_weight(s, c)) for s, c in anywhere if _is_treated(s, c)]
        if treated or not beside:
            fallback = treated or [(c.canonical, _condition_weight(s, c)) for s, c in anywhere]
            return _heaviest(_specific(_weights(fallback), named))
        # Only adverse-effect terms are named beside it, its outcomes or harms ("may
        # increase hypotension, bradycardia and flushing"): the heaviest, not each of them.
        harms = [(c.canonical, _condition_weight(s, c)) for s, c in beside]
        return _heaviest(_specific(_weights(harms), named))
    totals = _specific(_weights(treated), named)
    if not totals:
        return []
    best = max(totals.values())
    kept = [name for name, weight in totals.items() if weight >= best * CONDITION_SHARE]
    return sorted(kept, key=lambda name: (-totals[name], name))[:MAX_CONDITIONS]


def _heaviest(totals: dict[str, float]) -> list[str]:
    """The condition of most weight, as a list of one (none if there is none)."""
    return [max(totals, key=lambda name: (totals[name], name))] if totals else []


def _is_treated(mentions: Mentions, match: TermMatch) -> bool:
    """Whether a condition mention names what a drug is given for, not one of its harms.

    An adverse-effect term (nausea, sedation) is usually an outcome or a harm, unless the
    drug is given for it ("for sedation", "prevention of postoperative nausea").
    """
    if not is_adverse_effect_name(match.canonical):
        return True
    return _follows(INDICATION, mentions.sentence, match)


def _diseases_first(conditions: Sequence[TermMatch]) -> Sequence[TermMatch]:
    """A sentence's conditions without its population terms when it also names a disease.

    "Influenza in healthy adults" is about influenza; "time perception in healthy
    volunteers" is about the healthy volunteers.
    """
    people = [c for c in conditions if is_population_term(c.canonical)]
    if not people or len(people) == len(conditions):
        return conditions
    return [c for c in conditions if not is_population_term(c.canonical)]


def _specific(
    totals: dict[str, float], named: dict[str, float], *, floor: float = 1
) -> dict[str, float]:
    """Weights with each general condition handed to the more specific ones named too.

    A review of "addiction" that names alcohol, opioid and cocaine use disorders makes its
    claims about those; "depression" beside "major depressive disorder" is the same claim.
    `named` weighs every condition the record names: a specific one named elsewhere with at
    least `floor` weight takes over the general one ("pain" in a trial of postoperative
    pain); only the most specific of a family take over (treatment-resistant depression,
    not also major depressive disorder).
    """
    out = dict(totals)
    for name, weight in totals.items():
        below = [
            o for o in named if o != name and named[o] >= floor and name in condition_ancestors(o)
        ]
        deepest = [o for o in below if not any(o in condition_ancestors(x) for x in below)]
        if deepest:
            del out[name]
            for other in deepest:
                out[other] = out.get(other, 0) + weight
    return out


def record_pairs(record: Record, sentences: Sequence[Sentence]) -> list[tuple[str, str]]:
    """The (intervention, condition) pairs the record makes claims about."""
    pairs: list[tuple[str, str]] = _pairs_step(record, {"sentences": sentences})["pairs"]
    return pairs


def sentences_about(
    intervention: str, condition: str, mentions: Sequence[Mentions]
) -> tuple[list[Sentence], list[Sentence], list[Sentence]]:
    """The sentences about one pair: naming its condition, naming none, and about no drug.

    A sentence is about the intervention when it names it, or names no intervention and
    follows one that did in the same field ("Ketamine reduced pain. The certainty of the
    evidence was low."). Of those, the first list names the condition or one of its family,
    the second names no condition at all; a sentence about another condition is in neither.
    The third list holds the sentences about no intervention at all, which speak for all.
    """
    family = {condition, *condition_ancestors(condition)}
    naming: list[Sentence] = []
    silent: list[Sentence] = []
    general: list[Sentence] = []
    current: set[str] = set()
    field = None
    for mention in mentions:
        if mention.sentence.field != field:
            field, current = mention.sentence.field, set()
        if mention.interventions:  # else the sentence follows the drugs named before it
            current = {m.canonical for m in mention.interventions}
        if not current:
            general.append(mention.sentence)
        if intervention not in current:
            continue
        conditions = {c.canonical for c in mention.conditions}
        if not conditions:
            silent.append(mention.sentence)
        elif any(c in family or condition in condition_ancestors(c) for c in conditions):
            naming.append(mention.sentence)
    return naming, silent, general


def _pairs_step(record: Record, found: Findings) -> dict[str, Any]:
    by_view = sentence_mentions(record, found["sentences"])
    pairs: dict[tuple[str, str], None] = {}
    for mentions in by_view:
        for intervention in focus_interventions(mentions):
            for condition in conditions_for(intervention, mentions):
                pairs.setdefault((intervention, condition))
    return {"pairs": list(pairs), "mentions": [m for view in by_view for m in view]}


PAIRS = Step("pairs", 8, _pairs_step, needs=("sentences",), gives=("pairs", "mentions"))
"""Gives `pairs` and `mentions` (every sentence of every view with its interventions and
conditions, view after view), which later steps read instead of searching the sentences
again."""
