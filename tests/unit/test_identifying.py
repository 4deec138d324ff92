"""Identifying details: CPR numbers, phone numbers and e-mail addresses are found in free text,
ordinary numbers (dates, years, amounts, percentages, times) are not, and every text step of
every flow refuses them without changing the run."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows import engine
from flows.engine import Message, StepContext, TextInput
from flows.i18n import LANGUAGES, Catalogue
from flows.identifying import KINDS, find_identifying, refusal_key
from flows.model import StepKind
from flows.registry import FlowRegistry

CTX = StepContext(now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC), time_zone="Europe/Copenhagen")

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
sequence_numbers = st.integers(0, 9999).map(lambda n: f"{n:04d}")
separators = st.sampled_from(["-", "", " ", "\u2013"])
phone_numbers = st.tuples(st.integers(2, 9), st.integers(0, 9_999_999)).map(
    lambda parts: f"{parts[0]}{parts[1]:07d}"
)
surroundings = st.sampled_from(
    [("{}", ""), ("Borgeren med {} kom ikke.", ""), ("Se ({})", ""), ("nr.{}", "!")]
)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Borger 010190-1234 er stoppet", ["cpr"]),
        ("cpr 0101901234", ["cpr"]),
        ("Han har 290200 1234", ["cpr"]),  # 29 February 2000
        ("311299–1234", ["cpr"]),
        ("Ring 22334455.", ["phone"]),
        ("tlf. 22 33 44 55", ["phone"]),
        ("tlf. 2233 4455", ["phone"]),
        ("+4522334455", ["phone"]),
        ("+45 22 33 44 55", ["phone"]),
        ("0045 2233 4455", ["phone"]),
        ("+45 25122026", ["phone"]),  # the prefix wins over a date-like number
        ("Skriv til jens.hansen@kommune.dk", ["email"]),
        ("søren_1@mail.example.org.", ["email"]),
        ("a@b.dk, 22334455 og 010190-1234", ["cpr", "phone", "email"]),
    ],
)
def test_identifying_details_are_found_by_kind(text, kinds):
    assert find_identifying(text) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "Mødet er 12-10-2026 kl. 10:00",
        "12.10.2026, 12/10/2026, 2026-10-12",
        "12102026 og 20261012",  # dates without separators
        "Fra 2024 til 2026, også 2025 2026 og 2024-2026",
        "Fremmødet steg 45 % til 67%",
        "Budget: 25.000.000 kr., 25 000 000 kr. og 25000000 kr",
        "kr. 33445566 i alt",
        "DKK 33445566",
        "1203901234 kr. i alt",  # an amount, though its first six digits are a date
        "12345678 henvendelser",  # a phone number never starts with 1
        "30000000 besøg",  # a round amount
        "Tallet 3,22334455 er en decimal",
        "Fra kl. 10.30 til 12.15, uge 48",
        "320190-1234 er ikke en dato",  # 32nd January
        "290201-1234",  # 2001 is no leap year
        "Sag 01019012345 har elleve cifre",
        "123456789",
        "Skriv @jens eller jens@ i chatten",
        "",
    ],
)
def test_ordinary_numbers_are_not_identifying(text):
    assert find_identifying(text) == []


@settings(max_examples=200)
@given(
    born=birth_dates, serial=sequence_numbers, separator=separators, around=surroundings
)  # fmt: skip
def test_every_cpr_number_with_a_real_birth_date_is_found(born, serial, separator, around):
    cpr = f"{born:%d%m%y}{separator}{serial}"
    assert "cpr" in find_identifying(around[0].format(cpr) + around[1])


@settings(max_examples=200)
@given(
    number=phone_numbers,
    layout=st.sampled_from(["2-2-2-2", "4-4", "8"]),
    prefix=st.sampled_from(["", "+45", "+45 ", "0045 "]),
    around=surroundings,
)
def test_danish_phone_numbers_are_found_in_each_layout(number, layout, prefix, around):
    if not prefix and layout != "2-2-2-2":
        number = number[:4] + "1234"  # not a date, a round amount or two years side by side
    groups = {"2-2-2-2": (2, 2, 2, 2), "4-4": (4, 4), "8": (8,)}[layout]
    parts, start = [], 0
    for size in groups:
        parts.append(number[start : start + size])
        start += size
    written = prefix + " ".join(parts)
    assert find_identifying(around[0].format(written) + around[1]) == ["phone"]


@settings(max_examples=200)
@given(
    day=st.dates(min_value=date(1950, 1, 1), max_value=date(2080, 12, 31)),
    minutes=st.integers(0, 24 * 60 - 1),
    percent=st.floats(0, 100, allow_nan=False).map(lambda p: round(p, 1)),
    amount=st.integers(0, 10**9),
)
def test_dates_times_percentages_and_amounts_are_never_found(day, minutes, percent, amount):
    moment = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
    thousands = f"{amount:,}".replace(",", ".")
    text = (
        f"Den {day:%d-%m-%Y} ({day:%d.%m.%Y}, {day:%Y-%m-%d}, {day:%d%m%Y}) kl. "
        f"{moment:%H:%M}: {str(percent).replace('.', ',')} % og {thousands} kr. "
        f"({amount} kr) i år {day.year}"
    )
    assert find_identifying(text) == []


def test_every_combination_of_kinds_has_one_whole_sentence_in_both_languages():
    catalogue = Catalogue.load()
    keys = {
        refusal_key(list(kinds))
        for size in range(1, len(KINDS) + 1)
        for kinds in itertools.combinations(KINDS, size)
    }
    assert len(keys) == 7
    assert refusal_key(["email", "cpr"]) == "identifying.found.cpr_email"
    for key, language in itertools.product(keys, LANGUAGES):
        assert key in catalogue.keys(language)
    assert catalogue.text("identifying.found.cpr", "da") == (
        "Teksten indeholder et CPR-nummer, så jeg har ikke gemt den. "
        "Skriv den igen uden CPR-nummeret."
    )


def _text_steps():
    registry = FlowRegistry.load(Catalogue.load())
    for flow in registry.values():
        for step in flow.steps:
            if step.kind is StepKind.TEXT:
                yield pytest.param(flow, step, id=f"{flow.id}.{step.id}")


@pytest.mark.parametrize(("flow", "step"), list(_text_steps()))
def test_every_text_step_refuses_identifying_details_and_keeps_its_state(flow, step):
    state = engine.start(flow).state
    state = {**state, "step": step.id}
    before = {**state, "answers": dict(state["answers"])}

    outcome = engine.advance(flow, state, TextInput("Ring til 22 33 44 55 i morgen"), CTX)

    assert outcome.rejected == Message("identifying.found.phone")
    assert outcome.answer is None
    assert outcome.state == before


def test_a_name_alone_is_accepted_where_a_name_is_asked():
    flow = FlowRegistry.load(Catalogue.load())["outside_person"]
    outcome = engine.advance(flow, engine.start(flow).state, TextInput("Hanne Sørensen"), CTX)
    assert outcome.rejected is None
    assert outcome.answer is not None
    assert outcome.answer.value == "Hanne Sørensen"
