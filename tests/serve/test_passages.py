"""Record texts cut for the page: every claim's sentence marked, overlaps kept, read time."""

from __future__ import annotations

from evimap.records import Record, Section
from evimap.serve.web.passages import Segment, read_minutes, segments


def test_passages_segments_mark_a_span() -> None:
    assert segments("abc def ghi", [(4, 7, 1)]) == [
        Segment("abc "),
        Segment("def", (1,), (1,), (1,)),
        Segment(" ghi"),
    ]


def test_passages_segments_keep_overlapping_spans() -> None:
    cut = segments("0123456789", [(2, 6, 1), (4, 8, 2)])
    assert [(s.text, s.claims) for s in cut] == [
        ("01", ()),
        ("23", (1,)),
        ("45", (1, 2)),
        ("67", (2,)),
        ("89", ()),
    ]
    assert cut[2].ends == (1,)
    assert cut[2].starts == (2,)


def test_passages_segments_join_back_to_the_text() -> None:
    text = "Ketamine <script>x</script> reduced pain."
    assert "".join(s.text for s in segments(text, [(0, 8, 1), (30, 99, 2)])) == text


def test_passages_read_minutes_counts_words_and_cjk_characters() -> None:
    english = Record(id="x", source="x", abstract=(Section(None, "word " * 460),))
    chinese = Record(id="y", source="y", abstract=(Section(None, "氯" * 900),))
    assert read_minutes(english) == 2
    assert read_minutes(chinese) == 3
    assert read_minutes(Record(id="z", source="z")) == 1
