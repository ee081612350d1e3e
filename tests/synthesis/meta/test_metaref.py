"""Every reference vector in tests/data/metaref (and $EVIMAP_METAREF_DIR) against the engine.

One test per expected analysis, so a failure names the file and the analysis; each value is
checked with the tolerance its file gives (README.md there explains the codes). An analysis
the mapping table cannot run is skipped with the reason only when the file marks it
optional; otherwise it fails.
"""

from __future__ import annotations

import pytest

from tests.synthesis.meta.metaref import Case, Unsupported, cases, checks, evaluate, mismatch

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.ident for c in CASES])
def test_metaref_analysis_matches_peer(case: Case) -> None:
    try:
        outcome = evaluate(case)
        found, notes = checks(case, outcome)
    except Unsupported as reason:
        if case.analysis.get("optional"):
            pytest.skip(f"optional analysis not supported: {reason}")
        raise
    for note in notes:
        print(note)
    failures = []
    for check in found:
        message = mismatch(check)
        if message and check.tol_type is None and check.evidence.startswith("results_file_only"):
            print(f"unasserted by the peer, differs: {message}")
        elif message:
            failures.append(message)
    assert not failures, "\n".join(failures)
    assert found, "no expected values were checked"
