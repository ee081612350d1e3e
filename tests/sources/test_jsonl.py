"""JSON Lines of evimap records: round trips, extract lines, and bad lines."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from evimap.errors import EncodingError, EvimapError, MalformedRecord
from evimap.records import Deletion, Record, record_json, record_to_dict
from evimap.sources import jsonl, read_any
from evimap.sources._io import head

from ..conftest import DATA

FOLDER = DATA / "sources" / "jsonl"
LINES = FOLDER / "jsonl-evimap-records-and-extract-line.jsonl"


def records(data: Path | bytes) -> list[Record]:
    return [r for r in jsonl.read(data) if isinstance(r, Record)]


def fixture_lines() -> list[bytes]:
    return LINES.read_bytes().splitlines(keepends=True)


def test_jsonl_reads_bare_records_record_json_and_extract_lines() -> None:
    read = records(LINES)
    assert [r.id for r in read] == ["pmid:39212676", "pmid:40468710", "nct:NCT06388018"]
    assert read[2].kind == "trial_registration"


def test_jsonl_round_trips_records_written_by_record_json() -> None:
    originals = [
        r for r in read_any(DATA / "sources" / "europepmc" / "europepmc-search-core-cancer.json")
    ]
    written = "".join(json.dumps(record_json(r)) + "\n" for r in originals).encode()
    assert records(written) == originals


def test_jsonl_round_trips_records_written_by_record_to_dict() -> None:
    originals = records(LINES)
    written = "".join(json.dumps(record_to_dict(r)) + "\n" for r in originals).encode()
    assert records(written) == originals


def test_jsonl_deletion_line_of_evimap_extract_is_a_deletion() -> None:
    first, _, _ = fixture_lines()
    deletion = b'{"file": "pubmed21n1298.xml", "deleted": "pmid:31234567", "source": "pubmed"}\n'
    assert jsonl.sniff(deletion)
    items = list(jsonl.read(deletion + first))
    assert items[0] == Deletion(id="pmid:31234567", source="pubmed")
    assert isinstance(items[1], Record)


def test_jsonl_sniff_accepts_golden_rows_written_with_sorted_keys() -> None:
    golden = (
        DATA / "sources" / "jats" / "jats-pmc-bmc-microbiology-1471-2180-11-174.nxml.expected.jsonl"
    )
    assert jsonl.sniff(head(golden))
    assert [r.pmid for r in records(golden)] == ["21810267"]


def test_jsonl_bad_line_goes_to_on_error_and_the_rest_comes() -> None:
    first, second, third = fixture_lines()
    damaged = first + second[:200] + b"\n" + third
    problems: list[EvimapError] = []
    read = list(jsonl.read(damaged, origin="extract.jsonl", on_error=problems.append))
    assert [r.id for r in read if isinstance(r, Record)] == ["pmid:39212676", "nct:NCT06388018"]
    assert len(problems) == 1
    assert isinstance(problems[0], MalformedRecord)
    assert (problems[0].file, problems[0].record) == ("extract.jsonl", "line 2")


def test_jsonl_bad_line_without_a_handler_is_raised_after_the_good_ones() -> None:
    first, _, _ = fixture_lines()
    reader = jsonl.read(first + b"[1, 2, 3]\n", origin="x.jsonl")
    assert isinstance(next(reader), Record)
    with pytest.raises(MalformedRecord, match="not an evimap record") as caught:
        next(reader)
    assert caught.value.record == "line 2"


def test_jsonl_object_of_another_program_is_not_a_record() -> None:
    problems: list[EvimapError] = []
    list(jsonl.read(b'{"pmid": "39212676", "title": "x"}\n', on_error=problems.append))
    assert "not an evimap record" in problems[0].reason


def test_jsonl_record_with_fields_of_the_wrong_shape_is_reported() -> None:
    line = json.loads(fixture_lines()[0])
    line["authors"] = [{"surname": "Al-Abbadey"}]
    problems: list[EvimapError] = []
    list(jsonl.read(json.dumps(line).encode(), on_error=problems.append))
    assert "do not fit the Record model" in problems[0].reason


def test_jsonl_line_that_is_not_utf8_is_an_encoding_error_for_that_line() -> None:
    first, second, third = fixture_lines()
    problems: list[EvimapError] = []
    read = list(
        jsonl.read(
            first + second.replace(b"Objective", b"Obj\xe9ctive") + third, on_error=problems.append
        )
    )
    assert len(read) == 2
    assert isinstance(problems[0], EncodingError)
    assert problems[0].record == "line 2"


def test_jsonl_blank_lines_are_skipped_and_do_not_shift_line_numbers() -> None:
    first, _, third = fixture_lines()
    problems: list[EvimapError] = []
    read = list(jsonl.read(first + b"\n  \n" + b"{oops\n" + third, on_error=problems.append))
    assert len(read) == 2
    assert problems[0].record == "line 4"


def test_jsonl_gzipped_file_is_streamed(tmp_path: Path) -> None:
    packed = tmp_path / "records.jsonl.gz"
    packed.write_bytes(gzip.compress(LINES.read_bytes()))
    assert records(packed) == records(LINES)


def test_jsonl_sniff_accepts_a_first_line_longer_than_the_head() -> None:
    cut = LINES.read_bytes()[:1000]
    assert b"\n" not in cut
    assert jsonl.sniff(cut)


def test_jsonl_sniff_rejects_pretty_printed_json() -> None:
    pretty = json.dumps(record_to_dict(records(LINES)[0]), indent=2).encode()
    assert not jsonl.sniff(pretty)


def other_format_fixtures() -> list[Path]:
    return sorted(
        p
        for p in (DATA / "sources").glob("*/*")
        if p.parent.name != "jsonl"
        and p.is_file()
        and not p.name.endswith((".expected.jsonl", ".md"))
        and not p.name.startswith("LICENSE")
    )


@pytest.mark.parametrize("path", other_format_fixtures(), ids=lambda p: p.name)
def test_jsonl_sniff_rejects_other_formats(path: Path) -> None:
    assert not jsonl.sniff(head(path))
