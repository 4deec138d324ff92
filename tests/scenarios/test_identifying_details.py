"""Identifying details in chats: a CPR number, phone number or e-mail address typed to the bot
is refused and never stored, and the group is reminded to talk about patterns."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.schema import answers, dialogues, flow_runs, metadata, themes
from tests.support.steps import group_message, open_ballot, plan_meeting, started_in_group

GROUP_ID = -1005511


async def _everything_stored(world) -> str:
    """Every row of every table, as one text to search."""
    rows = []
    async with world.services.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows += [str(tuple(row)) for row in (await conn.execute(select(table))).all()]
    return "\n".join(rows)


async def test_a_preparation_answer_with_a_cpr_number_is_refused_and_nothing_of_it_stored(
    world, da, settings
):
    mette = world.person(101, "Mette", last_name="Holm")
    participant_token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {participant_token}")

    await jonas.sends("Borgeren 010190-1234 er kommet i fritidsjob.")
    assert da("identifying.found.cpr") in jonas.texts()
    assert jonas.last_text().startswith("Spørgsmål 1 af 3")  # the same question again
    assert "CPR-nummer" in da("identifying.found.cpr")
    assert not any("1234" in text for text in jonas.texts())  # the value is never echoed

    await jonas.sends("To borgere er kommet i fritidsjob.")
    assert jonas.last_text().startswith("Spørgsmål 2 af 3")

    preparation = flow_runs.c.flow_id == "three_points"
    async with world.services.engine.connect() as conn:
        stored = await conn.execute(
            select(answers.c.step_id, answers.c.value)
            .join(flow_runs, flow_runs.c.id == answers.c.flow_run_id)
            .where(preparation)
        )
        states = (await conn.execute(select(flow_runs.c.state).where(preparation))).scalars()
        stored, states = stored.all(), states.all()
    assert stored == [("positive", "To borgere er kommet i fritidsjob.")]
    assert len(states) == 1
    assert states[0]["answers"] == {"positive": "To borgere er kommet i fritidsjob."}
    assert "010190" not in await _everything_stored(world)
    files = [path for path in settings.data_dir.rglob("*") if path.is_file()]
    assert "datadialog.db" in {path.name for path in files}  # and its write-ahead log
    for path in files:
        assert b"010190" not in path.read_bytes(), path.name


async def test_a_theme_reply_with_an_email_is_refused_in_private_and_not_stored(world, da):
    jonas, aisha = world.person(202, "Jonas"), world.person(203, "Aisha")
    mette, group = await started_in_group(world, GROUP_ID, [jonas, aisha])
    await mette.taps_in_group(group, "Næste ▶")  # Explore
    theme_list = group_message(world, GROUP_ID, "Temaer (0)")
    in_group = len(world.telegram.chat_texts(GROUP_ID))

    await jonas.sends_in_group(group, "Skriv til hanne.b@kommune.dk om hende", reply_to=theme_list)

    assert jonas.last_text() == da("identifying.found.email")
    assert jonas.last_text() == (
        "Teksten indeholder en mailadresse, så jeg har ikke gemt den. "
        "Skriv den igen uden mailadressen."
    )
    assert len(world.telegram.chat_texts(GROUP_ID)) == in_group  # nothing said in the group
    async with world.services.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(themes))).scalar_one() == 0
    assert "kommune.dk" not in await _everything_stored(world)

    await jonas.sends_in_group(group, "Unge falder fra efter sommer", reply_to=theme_list)
    assert world.telegram.chat_texts(GROUP_ID)[-1] == da("explore.added_from_reply")


async def test_an_area_note_with_a_phone_number_is_refused_and_not_stored(world, da):
    jonas, aisha = world.person(202, "Jonas"), world.person(203, "Aisha")
    ballot = await open_ballot(world, GROUP_ID, [jonas, aisha], ["Flere i job", "Færre møder op"])
    group = ballot.group
    for person, label in ((jonas, ballot.labels[0]), (aisha, ballot.labels[0])):
        await person.taps_in_group(group, label)
    await ballot.leader.taps_in_group(group, "🔒 Luk afstemningen (mødeleder)")
    chosen = group_message(world, GROUP_ID, "Valgt fokusområde")

    await ballot.leader.sends_in_group(group, "Ring til mor på 22 33 44 55", reply_to=chosen)

    assert ballot.leader.last_text() == da("identifying.found.phone")
    async with world.services.engine.connect() as conn:
        notes = (await conn.execute(select(dialogues.c.area_note))).scalars().all()
    assert notes == [None]


async def test_the_groups_phase_introductions_ask_for_patterns_not_named_citizens(world, da):
    jonas = world.person(202, "Jonas")
    mette, group = await started_in_group(world, GROUP_ID, [jonas])
    since_last = world.telegram.chat_texts(GROUP_ID)[-2]
    assert since_last.startswith("1. Siden sidst")
    assert "Tal om mønstre, ikke om navngivne borgere" in since_last
    assert "skriv ingen CPR-numre, telefonnumre eller mailadresser" in since_last

    await mette.taps_in_group(group, "Næste ▶")  # Explore
    explore = next(t for t in world.telegram.chat_texts(GROUP_ID) if t.startswith("2. Udforsk"))
    assert "Tal om mønstre, ikke om navngivne borgere." in explore
    for phase in ("since_last", "explore", "interpret", "prepare", "agreement"):
        assert "ikke om navngivne borgere" in da(f"dialogue.phase.{phase}.purpose")
