"""A person's own data: /mydata shows all of it and nothing of anyone else's; /deletemydata asks
first, then leaves no trace of the person while the agreement still reads."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.meeting.minutes import MinutesWriter, gather
from storage.schema import answers, flow_runs, memberships, metadata, users, votes
from tests.conftest import NOW
from tests.support.steps import MEETING_START, answer_three_points, group_message, plan_meeting

GROUP_ID = -1004242
JONAS_ID = 202


async def _meeting_with_agreement(world):
    """Jonas and Aisha prepare; in the meeting Jonas writes a theme and votes for it; the
    agreement gives Jonas one action, followed up by Mette (the leader)."""
    mette = world.person(101, "Mette", last_name="Holm")
    jonas, aisha = world.person(JONAS_ID, "Jonas"), world.person(203, "Aisha")
    participant_token, _ = await plan_meeting(mette)
    for person in (jonas, aisha):
        await person.sends(f"/start {participant_token}")
        await answer_three_points(person)
    group = world.group(GROUP_ID, "Team Fritid")
    await mette.sends_in_group(group, "/linkmeeting")
    world.clock.now = MEETING_START
    await mette.sends_in_group(group, "/startmeeting")
    await mette.taps_in_group(group, "Næste ▶")  # to Explore
    theme_list = group_message(world, GROUP_ID, "Temaer (0)")
    await jonas.sends_in_group(group, "Unge dropper ud efter sommer", reply_to=theme_list)
    await mette.taps_in_group(group, "Næste ▶")  # to Interpret
    await jonas.taps_in_group(group, "➕ 1. Unge dropper ud efter sommer")
    await mette.taps_in_group(group, "🔒 Luk afstemningen (mødeleder)")
    for _ in range(2):  # to Prepare action, then Agreement
        await mette.taps_in_group(group, "Næste ▶")
        world.clock.advance(seconds=3)
        await world.fire_due_timers()  # the panel's coalesced edit
    await mette.taps_in_group(group, "✍ Skriv aftalen")
    for answer in ("Flere i job", "Halvdelen i job", "12", "Andel i job", "4.3.2027 10:00"):
        await mette.sends(answer)
    await mette.taps("Hver 14. dag")
    await mette.sends("Jobmentor ringer til alle unge")
    await mette.taps("En anden dato")
    await mette.sends("3.12.2027 12:00")
    await mette.taps("Jonas")
    await mette.taps("✅ Bekræft og del i gruppen")
    return jonas


async def _rows(world, table, *conditions) -> int:
    async with world.services.engine.connect() as conn:
        query = select(func.count()).select_from(table)
        for condition in conditions:
            query = query.where(condition)
        return (await conn.execute(query)).scalar_one()


async def _everything_stored(world) -> str:
    """Every row of every table, as one text to search."""
    async with world.services.engine.connect() as conn:
        tables = [(await conn.execute(select(table))).all() for table in metadata.sorted_tables]
    return repr(tables)


def _json_file(person) -> dict:
    documents = [m.document for m in person.bot_messages() if m.document is not None]
    name, content = documents[-1]
    assert name == "mine-data.json"
    return json.loads(content)


async def test_mydata_sends_a_summary_and_a_file_with_my_answers_and_no_one_elses(world):
    jonas = await _meeting_with_agreement(world)

    await jonas.sends("/mydata")

    summary = jonas.texts()[-2]
    assert summary.startswith("Det har jeg gemt om dig, Jonas\nMøder: 2\nSvar: 3\n")  # and the next
    assert "Handlinger, du ejer eller følger op på: 1" in summary
    data = _json_file(jonas)
    assert data["profile"][0]["telegram_id"] == JONAS_ID
    assert [a["value"] for a in data["answers"]] == [
        "Flere af Jonass borgere er kommet i fritidsjob.",
        "Fremmødet falder efter tre måneder.",
        "Kan vi se tallene opdelt på alder?",
    ]
    assert [t["text"] for t in data["themes"]] == ["Unge dropper ud efter sommer"]
    assert [v["theme"] for v in data["votes"]] == ["Unge dropper ud efter sommer"]
    assert data["actions"][0]["description"] == "Jobmentor ringer til alle unge"
    text = json.dumps(data, ensure_ascii=False)
    for someone_else in ("Aisha", "Mette", "Holm", "203", "101"):
        assert someone_else not in text


async def test_deletemydata_asks_first_and_keep_changes_nothing(world, da):
    jonas = await _meeting_with_agreement(world)
    before = await _everything_stored(world)

    await jonas.sends("/deletemydata")
    assert jonas.last_text() == da("privacy.delete_question")
    assert jonas.last_buttons() == ["Ja, gør det", "Nej, behold"]
    await jonas.taps("Nej, behold")

    assert jonas.last_text() == "Godt. Jeg har ikke slettet noget."
    assert await _everything_stored(world) == before


async def test_deletemydata_confirmed_leaves_no_trace_but_the_agreement_still_reads(world, da):
    jonas = await _meeting_with_agreement(world)
    jonas_row = await world.services.repos.people.ensure(JONAS_ID, "Jonas", "da", "UTC", NOW)
    answers_before = await _rows(world, answers)  # Jonas's three and Aisha's three

    await jonas.sends("/deletemydata")
    await jonas.taps("Ja, gør det")

    assert jonas.last_text() == da("privacy.deleted")
    stored = await _everything_stored(world)
    assert "Jonas" not in stored  # his name, his answers ("Jonass borgere") and his notes
    assert await _rows(world, users, users.c.telegram_id == JONAS_ID) == 0
    assert await _rows(world, flow_runs, flow_runs.c.user_id == jonas_row.id) == 0
    assert await _rows(world, votes, votes.c.user_id == jonas_row.id) == 0
    assert await _rows(world, memberships, memberships.c.user_id == jonas_row.id) == 0
    assert await _rows(world, answers) == answers_before - 3
    assert "Unge dropper ud efter sommer" in stored  # the theme stays, without its author

    meeting = await world.services.repos.meetings.get(1)
    assert meeting is not None
    writer = MinutesWriter(world.services.catalogue, world.services.flows, "da")
    minutes = writer.file(await gather(world.services.repos, meeting), "md").content.decode()
    assert "Jobmentor ringer til alle unge" in minutes
    assert "tidligere deltager" in minutes

    # Writing again, he is someone new: nothing of the old Jonas comes back.
    await jonas.sends("/mydata")
    assert jonas.texts()[-2].startswith("Det har jeg gemt om dig, Jonas\nMøder: 0\nSvar: 0\n")
    again = await world.services.repos.people.ensure(JONAS_ID, "Jonas", "da", "UTC", NOW)
    assert again.id != jonas_row.id
    assert await _rows(world, users, users.c.telegram_id == JONAS_ID) == 1
