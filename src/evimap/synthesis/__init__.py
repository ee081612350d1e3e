"""From claims to answers: the evidence map, its roll-up rules, related records, meta-analysis."""
