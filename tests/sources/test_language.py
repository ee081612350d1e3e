"""Language detection labels every record and translation by its text."""

from __future__ import annotations

import dataclasses

from evimap.records import Record, Section
from evimap.sources import read_any
from evimap.sources._language import detect_language, with_language

from ..conftest import DATA, REPO

SPANISH_PUBMED = DATA / "sources" / "pubmed" / "pubmed-spanish-other-abstract.xml"


def test_language_spanish_translation_of_a_pubmed_abstract_is_es() -> None:
    (record,) = read_any(SPANISH_PUBMED)
    assert isinstance(record, Record)
    assert record.language == "en"
    assert [t.language for t in record.translations] == ["es"]


def test_language_a_record_in_spanish_only_is_labelled_es() -> None:
    (english,) = read_any(SPANISH_PUBMED)
    assert isinstance(english, Record)
    spanish = english.translations[0]
    only_spanish = Record(id="x", source="page", title=None, abstract=spanish.abstract)
    assert with_language(only_spanish).language == "es"


def test_language_chinese_translation_of_the_seed_is_zh() -> None:
    (record,) = read_any(REPO / "data" / "seeds" / "bilingual-abstract.txt")
    assert isinstance(record, Record)
    assert record.language == "en"
    assert [t.language for t in record.translations] == ["zh"]


def test_language_too_little_text_is_left_unknown() -> None:
    assert detect_language("2019; 12(3)") is None
    assert detect_language(None) is None


def test_language_a_stated_language_is_kept() -> None:
    stated = Record(id="x", source="page", abstract=(Section(None, "Ketamine for pain."),))
    assert with_language(dataclasses.replace(stated, language="fr")).language == "fr"
