"""Files that are too much: the leader is told what is wrong in messages Telegram accepts, and
nobody else waits while a file is read. (The world fixture fails on any call Telegram would
refuse, such as a text over 4,096 characters.)"""

from __future__ import annotations

import asyncio
import time

from bot.data import importing
from bot.dataset import reader
from bot.dataset.reader import MAX_COLUMNS, MAX_ROWS
from tests.support.steps import plan_meeting
from tests.support.workbooks import million_rows

CHOICES = "diagram, indikator, gruppe, periode, kategori, værdi, antal"


async def test_a_5000_character_header_is_refused_in_one_message_that_quotes_it_briefly(world, da):
    mette = world.person(101, "Mette")
    await plan_meeting(mette)
    header = "Diagram;Indikator;Gruppe;Periode;Værdi;" + "Farve " * 833
    await mette.sends_document("data.csv", (header + "\nudvikling;T;A;Start;4").encode())
    quoted = ("Farve " * 10)[:59].rstrip() + "…"
    assert mette.last_text() == (
        da("import.refused")
        + "\n"
        + da("import.error.unknown_column", column=quoted, choices=CHOICES)
    )


async def test_long_cells_in_many_rows_are_listed_briefly_and_counted(world, da):
    mette = world.person(101, "Mette")
    await plan_meeting(mette)
    rows = [f"{'lagkage' * 500};Trivsel;A;Start;{n}" for n in range(14)]
    content = "\n".join(["Diagram;Indikator;Gruppe;Periode;Værdi", *rows]).encode()
    await mette.sends_document("data.csv", content)
    lines = mette.last_text().splitlines()
    assert lines[0] == da("import.refused")
    assert lines[1].startswith("• Række 2: diagramtypen »lagkagelagkage")
    assert "…«" in lines[1]
    assert len(lines) == 11
    assert lines[-1] == da("import.error.more", count=5)


async def test_a_file_of_10000_columns_gets_a_clear_refusal(world, da):
    mette = world.person(101, "Mette")
    await plan_meeting(mette)
    content = ";".join(f"kolonne{n}" for n in range(10_000)) + "\n" + ";".join(["1"] * 10_000)
    await mette.sends_document("bred.csv", content.encode())
    assert mette.last_text() == (
        da("import.refused") + "\n" + da("import.error.too_many_columns", max=MAX_COLUMNS)
    )


async def test_a_refusal_longer_than_a_message_comes_in_several(world, da, monkeypatch):
    monkeypatch.setattr(reader, "MAX_QUOTED_CHARS", 1_000)  # quotes long enough to pass 4,096
    mette = world.person(101, "Mette")
    await plan_meeting(mette)
    header = ";".join(f"{n}{'x' * 1_500}" for n in range(12))
    before = len(mette.texts())
    await mette.sends_document("data.csv", header.encode())
    sent = mette.texts()[before:]
    assert len(sent) > 1
    assert sent[0].startswith(da("import.refused"))
    shown = "\n".join(sent)
    assert [f"»{n}xxx" in shown for n in range(9)] == [True] * 9
    assert sent[-1].endswith(da("import.error.more", count=7))


async def test_others_are_answered_while_a_huge_file_is_read(world, da, monkeypatch):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")
    assert jonas.last_text().startswith("Spørgsmål 1 af 3")
    seen_by_jonas = len(jonas.texts())

    loop = asyncio.get_running_loop()
    reading = asyncio.Event()
    answered_meanwhile: list[bool] = []

    def read_after_jonas_is_answered(name: str, content: bytes) -> reader.ReadResult:
        """Holds the reading until Jonas has his reply (5 s at most). Were the file read on
        the event loop, the loop would wait here and Jonas could not be answered."""
        loop.call_soon_threadsafe(reading.set)
        deadline = time.monotonic() + 5
        while len(jonas.texts()) == seen_by_jonas and time.monotonic() < deadline:
            time.sleep(0.01)
        answered_meanwhile.append(len(jonas.texts()) > seen_by_jonas)
        return reader.read_file(name, content)

    monkeypatch.setattr(importing, "read_file", read_after_jonas_is_answered)
    async with world.telegram.queued():
        await mette.sends_document("bombe.xlsx", million_rows())
        await asyncio.wait_for(reading.wait(), timeout=5)
        await jonas.sends("Flere borgere er kommet i fritidsjob.")

    assert answered_meanwhile == [True]
    assert jonas.last_text().startswith("Spørgsmål 2 af 3")
    assert mette.last_text() == (
        da("import.refused") + "\n" + da("import.error.too_many_rows", max=MAX_ROWS)
    )
