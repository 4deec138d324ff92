"""Writing the agreement on a phone: few taps thanks to good defaults and quick answers, and
people outside the group as owners or follow-up persons, each with a one-time link."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage.schema import actions, answers, dialogues, flow_runs, users
from tests.support.steps import started_in_group

GROUP_ID = -1008888
CPH = ZoneInfo("Europe/Copenhagen")
FIELDS = ("Flere unge i job", "Halvdelen i job", "12", "Andel i job", "4.3.2027 10:00")


async def _in_the_agreement_phase(world):
    """Mette leads; Jonas and Aisha take part; the group's meeting stands at Agreement."""
    jonas, aisha = world.person(202, "Jonas"), world.person(203, "Aisha")
    mette, group = await started_in_group(world, GROUP_ID, [jonas, aisha])
    for _ in range(4):
        await mette.taps_in_group(group, "Næste ▶")
        world.clock.advance(seconds=3)
    return mette, jonas, group


def _interactions(world, since: int) -> int:
    """Messages and taps people made since event number `since`."""
    return sum(event.actor in ("user", "tap") for event in world.api.events[since:])


async def _stored_actions(world) -> list[dict]:
    async with world.services.engine.connect() as conn:
        rows = await conn.execute(
            select(actions, users.c.display_name.label("follow_up"))
            .outerjoin(users, users.c.id == actions.c.follow_up_id)
            .order_by(actions.c.id)
        )
        return [dict(row) for row in rows.mappings()]


async def test_an_agreement_with_two_actions_takes_sixteen_interactions(world, da):
    mette, _, group = await _in_the_agreement_phase(world)
    start = len(world.api.events)
    await mette.taps_in_group(group, "✍ Skriv aftalen")
    for answer in FIELDS:
        await mette.sends(answer)
    await mette.taps("Hver 14. dag")
    await mette.sends("Jobmentor ringer til alle unge")  # the first action is asked for at once
    await mette.taps("Om 2 uger")
    await mette.taps("Jonas")  # Mette, who leads, follows up unless someone else is chosen
    await mette.taps("➕ Tilføj handling")
    await mette.sends("Aftale med SSP om en aftenaktivitet")
    await mette.taps("Til næste dialog")
    await mette.taps("En uden for gruppen")
    await mette.sends("Birgit Berg")
    await mette.taps("✅ Bekræft og del i gruppen")

    assert _interactions(world, start) == 16
    assert mette.alerts() == [da("explore.check_private")]  # nothing was refused on the way
    stored = await _stored_actions(world)
    assert [(a["status"], a["owner_name"], a["follow_up"]) for a in stored] == [
        ("agreed", None, "Mette Holm"),
        ("agreed", "Birgit Berg", "Mette Holm"),
    ]
    two_weeks = datetime(2026, 12, 17, 12, 0, tzinfo=CPH).astimezone(UTC)
    next_dialogue = datetime(2027, 3, 4, 10, 0, tzinfo=CPH).astimezone(UTC)
    assert [a["deadline_at"] for a in stored] == [two_weeks, next_dialogue]
    posted = "\n\n".join(world.telegram.chat_texts(GROUP_ID)[-3:])
    assert "Ansvarlig: Jonas · Opfølgning: Mette Holm · Frist: torsdag 17. december 2026" in posted


async def test_a_follow_up_person_outside_the_group_takes_over_by_link(world, da):
    mette, jonas, group = await _in_the_agreement_phase(world)
    await mette.taps_in_group(group, "✍ Skriv aftalen")
    for answer in FIELDS:
        await mette.sends(answer)
    await mette.taps("Hver 14. dag")
    await mette.sends("Jobmentor ringer til alle unge")
    await mette.taps("Om en måned")
    await mette.taps("Jonas")
    await mette.taps("Opfølgning 1")  # someone from management instead of the leader
    assert mette.last_buttons() == ["Mette Holm", "Aisha", "En uden for gruppen"]
    await mette.taps("En uden for gruppen")
    await mette.sends("Hanne Holt")
    assert "Opfølgning: Hanne Holt (uden for gruppen)" in mette.last_text()
    await mette.taps("✅ Bekræft og del i gruppen")
    links = next(t for t in reversed(mette.texts()) if "Links til folk uden for gruppen" in t)
    assert "Hanne Holt følger op på: Jobmentor ringer til alle unge" in links
    token = links.split("?start=")[1].split()[0]

    # Until Hanne takes her link, the leader hears when the owner is stuck.
    world.clock.now = datetime(2026, 12, 17, 9, 0, tzinfo=CPH).astimezone(UTC)
    await world.deliver_due_reminders()
    await jonas.taps("Blokeret")
    await jonas.sends("Jobcentret svarer ikke")
    await world.deliver_due_reminders()
    assert mette.last_text().startswith("Jonas har brug for opfølgning")
    await mette.taps("Skriv til den ansvarlige")  # the leader stands in, buttons and all
    assert mette.last_text().startswith("Spørgsmål 1 af 1\nHvad vil du skrive")
    await mette.sends("Jeg ringer til dem")
    assert jonas.last_text().startswith("Besked fra Mette Holm")

    hanne = world.person(501, "Hanne", last_name="Holt")
    await hanne.sends(f"/start {token}")
    assert hanne.last_text().startswith("Du følger nu op på en handling fra Team Fritid")
    assert mette.last_text() == (
        "Hanne Holt følger nu op på handlingen »Jobmentor ringer til alle unge«."
    )
    stored = await _stored_actions(world)
    assert stored[0]["follow_up"] == "Hanne Holt"
    await jonas.sends("/myactions")
    await jonas.taps("Blokeret")
    await jonas.sends("Stadig intet svar")
    await world.deliver_due_reminders()
    assert hanne.last_text().startswith("Jonas har brug for opfølgning")
    assert hanne.last_buttons() == ["Skriv til den ansvarlige", "Giv handlingen til en anden"]

    mallory = world.person(666, "Mallory")
    await mallory.sends(f"/start {token}")  # the link works once
    assert mallory.last_text() == da("invite.used_up")


async def test_the_next_agreement_offers_last_times_goals_in_one_tap(world):
    mette, _, group = await _in_the_agreement_phase(world)
    await mette.taps_in_group(group, "✍ Skriv aftalen")
    for answer in FIELDS:
        await mette.sends(answer)
    await mette.taps("Hver 14. dag")
    await mette.sends("Jobmentor ringer til alle unge")
    await mette.taps("Om en måned")
    await mette.taps("Jonas")
    await mette.taps("✅ Bekræft og del i gruppen")
    world.clock.advance(seconds=3)
    await mette.taps_in_group(group, "Afslut mødet ✓")

    world.clock.now = datetime(2027, 3, 4, 10, 0, tzinfo=CPH).astimezone(UTC)  # the next one
    await mette.sends_in_group(group, "/startmeeting")
    for _ in range(4):
        await mette.taps_in_group(group, "Næste ▶")
        world.clock.advance(seconds=3)
    await mette.taps_in_group(group, "✍ Skriv aftalen")
    await mette.sends("Alle unge har en fast kontakt")
    assert mette.last_buttons() == ["↺ Som sidst: Halvdelen i job"]
    await mette.taps("↺ Som sidst: Halvdelen i job")
    assert mette.last_buttons() == ["↺ Som sidst: 12"]
    await mette.taps("↺ Som sidst: 12")
    await mette.sends("Andelen med fast kontakt")  # a new data signal: typed as usual
    async with world.services.engine.connect() as conn:
        stored = (
            await conn.execute(
                select(answers.c.step_id, answers.c.value)
                .join(flow_runs, flow_runs.c.id == answers.c.flow_run_id)
                .where(flow_runs.c.flow_id == "agreement", flow_runs.c.meeting_id == 2)
                .order_by(answers.c.id)
            )
        ).all()
    assert stored == [
        ("short_goal", "Alle unge har en fast kontakt"),
        ("long_goal", "Halvdelen i job"),
        ("horizon", 12),
        ("data_signal", "Andelen med fast kontakt"),
    ]


async def test_after_confirming_the_group_still_steers_this_meeting_not_the_next(world):
    mette, _, group = await _in_the_agreement_phase(world)
    await mette.taps_in_group(group, "✍ Skriv aftalen")
    for answer in FIELDS:
        await mette.sends(answer)
    await mette.taps("Hver 14. dag")
    await mette.sends("Jobmentor ringer til alle unge")
    await mette.taps("Om en måned")
    await mette.taps("Jonas")
    await mette.taps("✅ Bekræft og del i gruppen")  # the next meeting is linked to the group
    await mette.sends_in_group(group, "/startmeeting")  # shows this meeting's panel again
    panel, then = world.telegram.chat_texts(GROUP_ID)[-2:]
    assert "▶ 5. Aftale" in panel
    assert then == "Aftalen er bekræftet og delt ovenfor."
    async with world.services.engine.connect() as conn:
        started = (
            await conn.execute(select(dialogues.c.meeting_id, dialogues.c.started_at.is_not(None)))
        ).all()
    assert sorted(started) == [(1, True), (2, False)]
