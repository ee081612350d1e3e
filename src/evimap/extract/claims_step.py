"""The last step: findings become Claims, one per pair the record states a direction for.

"Find, then build" (spaCy's match / set_annotations): every earlier step only finds; this
one only builds. A pair with no direction found is a passing mention, not a claim, which
is how a record that reports no finding (a protocol's aims, a page about something else)
yields none. Provenance: each claim carries the `(name, version)` of every step run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evimap.claims import Claim, Design, Evidence
from evimap.extract.pipeline import Findings, Step
from evimap.extract.vocab import intervention_class
from evimap.records import Record

NO_CLAIMS_DESIGNS = frozenset({Design.PROTOCOL})
"""A protocol states aims, not findings."""


def build_claims(
    record: Record, found: Findings, provenance: Sequence[tuple[str, int]]
) -> list[Claim]:
    """The record's claims from what the steps found.

    The directions are read before the design: a record with no pair that states one
    (most of them) makes no claim whatever its design, and the design step (with what it
    reads) then never runs.
    """
    directions = found["directions"]
    if not any(pair in directions for pair in found["pairs"]):
        return []
    design: Design = found["design"]
    if design in NO_CLAIMS_DESIGNS:
        return []
    texts = record.texts()
    claims = []
    for intervention, condition in found["pairs"]:
        stated = directions.get((intervention, condition))
        if stated is None:
            continue
        direction, sentence = stated
        effects, routes, doses = found["harms"].get(intervention, ((), (), ()))
        certainty, upper = found["certainties"].get(
            (intervention, condition), (found["certainty"], found["certainty_upper"])
        )
        claims.append(
            Claim(
                intervention=intervention,
                intervention_class=intervention_class(intervention),
                condition=condition,
                design=design,
                direction=direction,
                evidence=Evidence.at(texts, sentence.field, sentence.start, sentence.end),
                certainty=certainty,
                certainty_upper=upper,
                n_studies=found["n_studies"],
                n_participants=found["n_participants"],
                adverse_effects=tuple(effects),
                routes=tuple(routes),
                doses=tuple(doses),
                steps=tuple(provenance),
            )
        )
    return claims


def _claims_step(record: Record, found: Findings) -> dict[str, Any]:
    return {"claims": build_claims(record, found, found.get("provenance", ()))}


CLAIMS = Step(
    "claims",
    1,
    _claims_step,
    needs=(
        "sentences",
        "design",
        "pairs",
        "directions",
        "harms",
        "certainty",
        "certainty_upper",
        "certainties",
        "n_studies",
        "n_participants",
    ),
    gives=("claims",),
)
