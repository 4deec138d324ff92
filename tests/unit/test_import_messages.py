"""What a leader reads about a bad data file: every problem in their own language, from the
catalogue, with a "did you mean" where a name is close; never a library's English message."""

from __future__ import annotations

import re

import pytest
from pydantic import field_validator

from bot.core.render import MAX_MESSAGE_CHARS
from bot.dataset import reader
from bot.dataset.reader import ImportRefused, read_file
from flows.i18n import Catalogue

HEADER = "Diagram;Indikator;Gruppe;Periode;Kategori;Værdi;Antal"
LIBRARY_WORDS = re.compile(
    r"input should|string should|value error|field required|valid (integer|number)|"
    r"greater than|pydantic|type=|unknown category|enum",
    re.IGNORECASE,
)
"""Words of pydantic's and our model's own messages that must never reach a leader."""

MISTAKES = {
    "an unknown column": (HEADER + ";Farve", "udvikling;Trivsel;A;Start;;4;12;rød"),
    "a misspelt column": ("Diagram;Indikatr;Gruppe;Periode;Værdi", "udvikling;T;A;Start;4"),
    "a missing column": ("Diagram;Indikator;Periode;Værdi", "udvikling;T;Start;4"),
    "a column twice": ("Diagram;Indikator;Gruppe;Værdi;Værdi", "udvikling;T;A;4;5"),
    "an unknown chart type": (HEADER, "lagkage;Trivsel;A;Start;;4;12"),
    "a misspelt chart type": (HEADER, "gruppe sammenligning;Trivsel;A;Start;;4;12"),
    "an unknown category": (HEADER, "målopfyldelse;Mål;Fritid;;Glad;4;"),
    "a misspelt category": (HEADER, "målopfyldelse;Mål;Fritid;;Ingen forandrin;4;"),
    "text for a number": (HEADER, "udvikling;Trivsel;A;Start;;mange;12"),
    "a number too large": (HEADER, "udvikling;Trivsel;A;Start;;" + "9" * 400 + ";12"),
    "a fraction of an answer": (HEADER, "udvikling;Trivsel;A;Start;;4;12,5"),
    "a negative count": (HEADER, "udvikling;Trivsel;A;Start;;4;-3"),
    "an empty cell": (HEADER, "udvikling;Trivsel;;Start;;4;12"),
    "a title too long": (HEADER, "udvikling;" + "Trivsel " * 11 + ";A;Start;;4;12"),
    "a group name too long": (HEADER, "udvikling;Trivsel;" + "Gruppe " * 9 + ";Start;;4;12"),
    "a period too long": (HEADER, "udvikling;Trivsel;A;" + "Start " * 7 + ";;4;12"),
    "no period": (HEADER, "udvikling;Trivsel;A;;;4;12"),
    "no category": (HEADER, "målopfyldelse;Mål;Fritid;;;4;"),
    "many mistakes": (HEADER, *(f"lagkage;T;A;Start;;{n};" for n in range(12))),
    "a very long header": (HEADER + ";" + "Farve" * 1000, "udvikling;Trivsel;A;Start;;4;12;rød"),
    "long cells": (HEADER, *(f"{'lagkage' * 500};T;A;Start;;{n};" for n in range(12))),
    "too many columns": (";".join(f"Kolonne{n}" for n in range(10_000)),),
    "a cell longer than csv reads": (HEADER, "udvikling;" + "T" * 200_000 + ";A;Start;;4;12"),
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def refused(*lines: str) -> list[reader.Problem]:
    with pytest.raises(ImportRefused) as caught:
        read_file("data.csv", "\r\n".join(lines).encode("cp1252"))
    return caught.value.problems


def shown(catalogue: Catalogue, problems: list[reader.Problem], language: str) -> str:
    """The reply as the bot writes it (bot/data/importing.py)."""
    lines = [catalogue.text("import.refused", language)]
    lines += [catalogue.text(f"import.error.{p.key}", language, **p.params) for p in problems]
    return "\n".join(lines)


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_told_in_danish_without_a_librarys_english(mistake, catalogue):
    problems = refused(*MISTAKES[mistake])
    assert problems
    text = shown(catalogue, problems, "da")  # a missing key or parameter would raise here
    assert not LIBRARY_WORDS.search(text), text
    values = [value for p in problems for value in p.params.values()]
    assert all(isinstance(value, str | int | float) for value in values)
    english = shown(catalogue, problems, "en")
    assert not LIBRARY_WORDS.search(english), english


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_refusal_fits_in_one_message(mistake, catalogue):
    for language in ("da", "en"):
        assert len(shown(catalogue, refused(*MISTAKES[mistake]), language)) <= MAX_MESSAGE_CHARS


@pytest.mark.parametrize(
    ("mistake", "expected"),
    [
        ("a misspelt column", "• Kolonnen »Indikatr« kender jeg ikke. Mente du »indikator«?"),
        ("a misspelt chart type", "• Række 2: diagramtypen »gruppe sammenligning« kender jeg "
                                  "ikke. Mente du »gruppesammenligning«?"),
        ("a misspelt category", "• Række 2: kategorien »Ingen forandrin« kender jeg ikke. "
                                "Mente du »ingen forandring«?"),
        ("an unknown chart type", "• Række 2: diagramtypen »lagkage« kender jeg ikke. Brug en "
                                  "af disse: gruppesammenligning, målopfyldelse, udvikling, "
                                  "to_grupper, fordeling."),
        ("a missing column", "• Kolonnen »gruppe« mangler."),
        ("a fraction of an answer", "• Række 2, kolonne Antal: »12,5« skal være et helt tal, "
                                    "0 eller mere."),
        ("a group name too long", "• Række 2, kolonne Gruppe: teksten har 62 tegn. Der må "
                                  "højst være 60."),
        ("many mistakes", "• Der er 3 problemer mere. Ret dem ovenfor, og send filen igen."),
        ("too many columns", "• Filen har udfyldte celler i for mange kolonner (højst 30). "
                             "Slet de kolonner, der ikke skal bruges."),
        ("a cell longer than csv reads", "• Linje 2 kan ikke læses som CSV. Måske er en celle "
                                         "alt for lang."),
        ("a very long header", "• Kolonnen »" + "Farve" * 11 + "Farv…« kender jeg ikke. "
                               "Brug disse: diagram, indikator, gruppe, periode, kategori, "
                               "værdi, antal."),
    ],
)  # fmt: skip
def test_a_danish_file_is_answered_in_its_own_words(mistake, expected, catalogue):
    assert expected in shown(catalogue, refused(*MISTAKES[mistake]), "da").splitlines()


def test_a_rule_the_reader_does_not_know_still_reaches_no_one_in_english(monkeypatch, catalogue):
    class Stricter(reader.DataPoint):
        @field_validator("group")
        @classmethod
        def _no_x(cls, value: str) -> str:
            if value == "X":
                raise ValueError("Value error, group must not be X")
            return value

    monkeypatch.setattr(reader, "DataPoint", Stricter)
    problems = refused(HEADER, "udvikling;Trivsel;X;Start;;4;12")
    assert [(p.key, p.params) for p in problems] == [
        ("bad_cell", {"row": 2, "column": "Gruppe", "text": "X"})
    ]
    text = shown(catalogue, problems, "da")
    assert text.endswith("• Række 2, kolonne Gruppe: »X« kan jeg ikke bruge.")
