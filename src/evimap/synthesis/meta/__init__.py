"""Meta-analysis: effect sizes (`measures`), τ² estimators (`tau2`), pooling (`fit`).

The engine reproduces R's metafor (Viechtbauer 2010, doi:10.18637/jss.v036.i03): the same
estimators, stopping rules and reporting conventions, checked against metafor's own test
values in `tests/data/metaref/`. `docs/method-meta.md` lists the conventions.
"""

from evimap.synthesis.meta.fit import rma, subgroups
from evimap.synthesis.meta.many import rma_many
from evimap.synthesis.meta.measures import EffectSizes, Measure, escalc
from evimap.synthesis.meta.result import ManyResults, MetaResult
from evimap.synthesis.meta.tau2 import Method, Test

__all__ = [
    "EffectSizes",
    "ManyResults",
    "Measure",
    "MetaResult",
    "Method",
    "Test",
    "escalc",
    "rma",
    "rma_many",
    "subgroups",
]
