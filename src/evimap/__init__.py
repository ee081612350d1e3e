"""evimap: a living evidence map for medicine.

The public Python API. Everything else is reachable but may change without notice.
"""

from evimap.claims import Certainty, Claim, Design, Direction, Evidence
from evimap.errors import EvimapError
from evimap.records import (
    Author,
    CitationCount,
    Deletion,
    Journal,
    Record,
    Section,
    Translation,
    record_from_dict,
    record_json,
    record_to_dict,
)
from evimap.sources import read_any

__version__ = "0.1.0"

__all__ = [
    "Author",
    "Certainty",
    "CitationCount",
    "Claim",
    "Deletion",
    "Design",
    "Direction",
    "Evidence",
    "EvimapError",
    "Journal",
    "Record",
    "Section",
    "Translation",
    "read_any",
    "record_from_dict",
    "record_json",
    "record_to_dict",
]
