"""Follow-up between meetings: nudges at local times, answers, escalation, restarts, limits.

The clock is moved by hand and `deliver_due_reminders` is what the scheduler's alarm calls, so
nothing here waits for real time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from storage.schema import action_updates, actions, meetings, reminders
from tests.support.steps import answer_three_points, plan_meeting, started_in_group

GROUP_ID = -1007777
CPH = ZoneInfo("Europe/Copenhagen")
MEETING_START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # Thursday 10:00 in Copenhagen


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=CPH).astimezone(UTC)


async def _agreement(
    world, *, deadline: str = "3.12.2027 12:00", every: str = "Hver 14. dag", outside: str = ""
):
    """Mette leads, Jonas and Aisha take part; one action for Jonas, followed up by Mette."""
    jonas, aisha = world.person(202, "Jonas"), world.person(203, "Aisha")
    mette, group = await started_in_group(world, GROUP_ID, [jonas, aisha])
    for _ in range(4):
        await mette.taps_in_group(group, "Næste ▶")
        world.clock.advance(seconds=3)
    await mette.taps_in_group(group, "✍ Skriv aftalen")
    for answer in ("Flere i job", "Halvdelen i job", "12", "Andel i job", "4.3.2027 10:00"):
        await mette.sends(answer)
    await mette.taps(every)
    await mette.sends("Jobmentor ringer til alle unge")  # the first action follows at once
    await mette.taps("En anden dato")
    await mette.sends(deadline)
    if outside:  # an owner outside the group, who gets a link
        await mette.taps("En uden for gruppen")
        await mette.sends(outside)
    else:
        await mette.taps("Jonas")
    await mette.taps("✅ Bekræft og del i gruppen")  # Mette, the leader, follows up by default
    world.clock.advance(seconds=3)
    await mette.taps_in_group(group, "Afslut mødet ✓")  # its preparation reminders go too
    return mette, jonas, aisha, group


async def _scheduled(world, kind: str) -> list[tuple[int, datetime]]:
    async with world.services.engine.connect() as conn:
        rows = await conn.execute(
            select(reminders.c.user_id, reminders.c.due_at)
            .where(reminders.c.kind == kind, reminders.c.status == "scheduled")
            .order_by(reminders.c.due_at)
        )
        return [tuple(row) for row in rows]


def _nudges(person) -> list[str]:
    return [t for t in person.texts() if "Hvordan går det?" in t]


async def test_nudges_are_planned_at_nine_local_across_summer_time_and_holidays(world):
    await _agreement(world)
    due = [at for _, at in await _scheduled(world, "nudge")]
    assert utc(2026, 12, 17, 9, 0) == due[0]  # 14 days after the meeting, 09:00 in winter
    assert utc(2027, 3, 11, 9, 0) in due
    assert utc(2027, 3, 11, 9, 0).hour == 8
    assert utc(2027, 4, 8, 9, 0) in due
    assert utc(2027, 4, 8, 9, 0).hour == 7
    assert utc(2027, 10, 21, 9, 0) in due
    assert utc(2027, 10, 21, 9, 0).hour == 7
    assert utc(2027, 11, 4, 9, 0) in due
    assert utc(2027, 11, 4, 9, 0).hour == 8
    assert utc(2027, 3, 25, 9, 0) not in due  # Maundy Thursday, then Easter: moved to Tuesday
    assert utc(2027, 3, 30, 8, 0) in due
    assert due[-2:] == [
        utc(2027, 11, 30, 9, 0),
        utc(2027, 12, 3, 9, 0),
    ]  # 3 days before, on the day
    assert all(at.astimezone(CPH).weekday() < 5 for at in due)


async def test_the_agreement_sets_how_often_owners_are_nudged(world):
    await _agreement(world, deadline="15.1.2027 12:00", every="Hver uge")
    due = [at.astimezone(CPH).strftime("%d.%m") for _, at in await _scheduled(world, "nudge")]
    assert due == ["10.12", "17.12", "24.12", "31.12", "07.01", "12.01", "15.01"]


async def test_after_the_switch_to_summer_time_the_nudge_still_comes_at_nine(world):
    _, jonas, _, _ = await _agreement(world)
    world.clock.now = datetime(2027, 4, 8, 6, 59, tzinfo=UTC)  # 08:59 in Copenhagen
    await world.deliver_due_reminders()  # the earlier ones, late (the clock jumped months)
    before = len(_nudges(jonas))
    world.clock.now = datetime(2027, 4, 8, 7, 0, tzinfo=UTC)  # 09:00 summer time
    assert await world.deliver_due_reminders() == 1
    assert len(_nudges(jonas)) == before + 1
    assert jonas.last_text().startswith("Hvordan går det?")  # on time: no "sent late" note
    world.clock.now = datetime(2027, 11, 4, 7, 59, tzinfo=UTC)  # 08:59 winter time
    await world.deliver_due_reminders()
    world.clock.now = datetime(2027, 11, 4, 8, 0, tzinfo=UTC)
    assert await world.deliver_due_reminders() == 1
    assert jonas.last_text().startswith("Hvordan går det?")


async def test_a_nudge_arrives_on_time_and_its_answers_are_stored_for_since_last_time(world, da):
    mette, jonas, _, group = await _agreement(world)
    world.clock.now = utc(2026, 12, 17, 8, 59)
    assert await world.deliver_due_reminders() == 0
    world.clock.now = utc(2026, 12, 17, 9, 0)
    assert await world.deliver_due_reminders() == 1
    assert jonas.last_text() == (
        "Hvordan går det?\nJobmentor ringer til alle unge\n"
        "Frist: fredag 3. december 2027 kl. 12:00\nOpfølgning: Mette Holm\n"
        "Tryk på den status, der passer."
    )
    assert jonas.last_buttons() == ["Færdig", "I gang", "Blokeret", "Udsat"]
    await jonas.taps("I gang")
    assert jonas.alerts()[-1] == "Gemt: I gang."
    await jonas.sends("Halvdelen er ringet op")
    assert jonas.last_text() == da("followup.note_thanks")

    await mette.sends("/myactions")
    assert mette.last_text() == da("followup.no_actions")
    await jonas.sends("/myactions")
    assert "Status: I gang" in jonas.last_text()

    world.clock.now = datetime(2027, 3, 4, 9, 0, tzinfo=UTC)
    await mette.sends_in_group(group, "/startmeeting")
    since = world.telegram.chat_texts(GROUP_ID)[-1]
    assert (
        "Seneste status: I gang (torsdag 17. december 2026 kl. 09:00): Halvdelen er ringet op"
        in since
    )


async def test_a_restart_sends_what_fell_due_once_late_and_rearms_the_rest(world):
    _, jonas, _, _ = await _agreement(world)
    world.clock.now = utc(2027, 1, 15, 10, 0)  # 17.12, 31.12 and 14.1 fell due while down
    await world.restart()
    await world.deliver_due_reminders()
    assert await world.deliver_due_reminders() == 0
    nudges = _nudges(jonas)
    assert len(nudges) == 1  # the newest of the three, late; the older two are left out
    assert nudges[0].startswith("(Sendt for sent: jeg var ikke i gang torsdag 14. januar 2027")
    remaining = await _scheduled(world, "nudge")
    assert remaining[0][1] == utc(2027, 1, 28, 9, 0)
    assert any(job.name == "reminder-sweep" for job in world.application.job_queue.jobs())
    # The owner was asked once, not twice: no silence to tell the follow-up person of yet.
    assert await _scheduled(world, "silence") == []


async def test_blocked_escalates_with_the_note_and_the_follow_up_person_can_act(world, da):
    mette, jonas, aisha, _ = await _agreement(world)
    world.clock.now = utc(2026, 12, 17, 9, 0)
    await world.deliver_due_reminders()
    await jonas.taps("Blokeret")
    await jonas.sends("Jobcentret svarer ikke")
    assert await world.deliver_due_reminders() == 1
    assert mette.last_text() == (
        "Jonas har brug for opfølgning\nJobmentor ringer til alle unge\n"
        "Frist: fredag 3. december 2027 kl. 12:00\nStatus er Blokeret. Note: Jobcentret svarer ikke"
    )
    await mette.taps("Skriv til den ansvarlige")
    await mette.sends("Jeg ringer til jobcentrets leder i dag")
    assert jonas.last_text() == (
        "Besked fra Mette Holm om »Jobmentor ringer til alle unge«:\n"
        "Jeg ringer til jobcentrets leder i dag"
    )
    await mette.taps("Giv handlingen til en anden")
    await mette.taps("Aisha")
    assert aisha.last_text().startswith("Du er ansvarlig for en handling fra aftalen")
    assert jonas.last_text().startswith("Aisha har overtaget »Jobmentor ringer til alle unge«")
    owners = {user for user, _ in await _scheduled(world, "nudge")}
    async with world.services.engine.connect() as conn:
        owner_id = (await conn.execute(select(actions.c.owner_id))).scalar_one()
    assert owners == {owner_id}
    await jonas.taps("Færdig")  # his old nudge: no longer his action
    assert jonas.alerts()[-1] == da("error.button_expired")


def _nudge_messages(world, person) -> list:
    return [m for m in world.api.chat_messages(person.id) if m.from_bot and "Hvordan går det?"
            in world.telegram.message_text(person.id, m.message_id)]  # fmt: skip


def _escalations(person) -> list[str]:
    return [t for t in person.texts() if "har brug for opfølgning" in t]


async def test_nudges_replace_each_other_and_a_silence_is_told_once(world):
    mette, jonas, _, _ = await _agreement(world)
    for day in ((2026, 12, 17), (2026, 12, 31)):
        world.clock.now = utc(*day, 9, 0)
        await world.deliver_due_reminders()
    first, second = _nudge_messages(world, jonas)
    assert first.buttons() == []  # the newer nudge took its place
    assert [b["text"] for b in second.buttons()] == ["Færdig", "I gang", "Blokeret", "Udsat"]
    assert world.api.violations == []

    world.clock.now = utc(2027, 1, 4, 8, 0)  # 2 days later falls on a Saturday: Monday 08:00
    assert await world.deliver_due_reminders() == 1
    assert mette.last_text().endswith(
        "Ingen svar på påmindelserne siden torsdag 3. december 2026 kl. 10:00."  # the agreement
    )
    world.clock.now = utc(2027, 1, 14, 9, 0)  # a third unanswered nudge: the same silence
    await world.deliver_due_reminders()
    world.clock.now = utc(2027, 1, 18, 9, 0)
    await world.deliver_due_reminders()
    assert len(_escalations(mette)) == 1
    assert await _scheduled(world, "silence") == []
    assert [len(m.buttons()) for m in _nudge_messages(world, jonas)] == [0, 0, 4]

    await jonas.taps("I gang")  # he answers; then misses two again: a new silence
    await jonas.taps("Spring over")  # no note this time
    for day in ((1, 28), (2, 11)):
        world.clock.now = utc(2027, *day, 9, 0)
        await world.deliver_due_reminders()
    assert len(await _scheduled(world, "silence")) == 1
    assert jonas.last_buttons() == ["Færdig", "I gang", "Blokeret", "Udsat", "Uændret: I gang"]
    await jonas.taps("Uændret: I gang")  # one tap: still in progress, no note asked for
    assert jonas.last_text().endswith("✓ uændret (I gang)")
    assert await _scheduled(world, "silence") == []  # the answer stopped the escalation
    async with world.services.engine.connect() as conn:
        statuses = (await conn.execute(select(action_updates.c.status))).scalars().all()
    assert statuses == ["in_progress", "in_progress"]
    assert len(_escalations(mette)) == 1


async def test_postponing_moves_the_deadline_and_plans_the_nudges_again(world):
    _, jonas, _, _ = await _agreement(world, deadline="15.1.2027 12:00")
    world.clock.now = utc(2026, 12, 17, 9, 0)
    await world.deliver_due_reminders()
    await jonas.taps("Udsat")
    await jonas.sends("1.3.2027 12:00")
    async with world.services.engine.connect() as conn:
        deadline = (await conn.execute(select(actions.c.deadline_at))).scalar_one()
    assert deadline == utc(2027, 3, 1, 12, 0)
    due = [at for _, at in await _scheduled(world, "nudge")]
    assert due[0] == utc(2026, 12, 31, 9, 0)
    assert due[-2:] == [utc(2027, 2, 26, 9, 0), utc(2027, 3, 1, 9, 0)]


async def test_preparation_reminders_skip_the_prepared_and_the_leader_gets_5_of_7(world, da):
    mette = world.person(101, "Mette", last_name="Holm")
    token, _ = await plan_meeting(mette)  # deadline Wednesday 2 December 12:00
    jonas, aisha = world.person(202, "Jonas"), world.person(203, "Aisha")
    for person in (jonas, aisha):
        await person.sends(f"/start {token}")
    await answer_three_points(aisha)
    await jonas.sends("Flere unge er kommet i fritidsjob.")
    planned = [at for _, at in await _scheduled(world, "prep")]
    assert planned == [utc(2026, 12, 1, 12, 0)] * 2 + [utc(2026, 12, 2, 10, 0)] * 2
    world.clock.now = utc(2026, 12, 1, 12, 0)
    assert await world.deliver_due_reminders() == 1  # Aisha is ready: hers is skipped
    assert jonas.texts()[-1] == (
        "Husk at forberede dig til Status på fritidsindsatsen. "
        "Fristen er onsdag 2. december 2026 kl. 12:00."
    )
    await jonas.taps("Fortsæt forberedelsen")
    assert jonas.last_text().startswith("Spørgsmål 2 af 3")
    world.clock.now = utc(2026, 12, 2, 12, 0)
    await world.deliver_due_reminders()
    assert mette.last_text() == (
        "Status på fritidsindsatsen: 1 af 2 deltagere er klar. Mangler: Jonas."
    )


async def test_cancelling_a_meeting_cancels_its_reminders(world, da):
    mette, jonas, _, _ = await _agreement(world)
    async with world.services.engine.connect() as conn:
        next_id = (await conn.execute(select(meetings.c.id).where(meetings.c.id != 1))).scalar_one()
    before = {kind: len(await _scheduled(world, kind)) for kind in ("prep", "meeting", "nudge")}
    assert before["prep"] > 0
    assert before["meeting"] == 3
    await mette.sends("/cancelmeeting")
    await mette.taps(mette.button_starting("Status på fritidsindsatsen (04.03.2027)"))
    await mette.taps("Ja, gør det")
    assert mette.last_text().startswith("Status på fritidsindsatsen er aflyst")
    assert jonas.last_text() == (
        "Status på fritidsindsatsen (torsdag 4. marts 2027 kl. 10:00) er aflyst af mødelederen."
    )
    assert await _scheduled(world, "prep") == []
    assert await _scheduled(world, "meeting") == []
    assert len(await _scheduled(world, "nudge")) == before["nudge"]  # the actions still stand
    assert next_id == 2


async def test_the_leader_sees_and_cancels_scheduled_reminders(world, da):
    mette, jonas, _, _ = await _agreement(world)
    await mette.sends("/reminders")
    listing = mette.last_text()
    async with world.services.engine.connect() as conn:
        total = (
            await conn.execute(select(func.count()).where(reminders.c.status == "scheduled"))
        ).scalar_one()
    assert total > 8  # more than a page
    assert listing.startswith(f"Planlagte påmindelser (1–8 af {total})\n1. torsdag 17. december "
                              "2026 kl. 09:00 – påmindelse om handling til Jonas")  # fmt: skip
    assert mette.last_buttons() == [*(f"Aflys {n}" for n in range(1, 9)), "Næste ▶"]
    await mette.taps("Næste ▶")  # the same message shows the next page
    assert mette.last_text().startswith(f"Planlagte påmindelser (9–{min(16, total)} af {total})")
    assert "Aflys 9" in mette.last_buttons()
    assert "◀ Forrige" in mette.last_buttons()
    await mette.taps("◀ Forrige")
    assert mette.last_text() == listing
    await jonas.sends("/reminders")
    assert jonas.last_text() == da("status.not_leader")
    await mette.taps("Aflys 1")
    await mette.taps("Ja, gør det")
    assert mette.last_text() == "Påmindelsen torsdag 17. december 2026 kl. 09:00 er aflyst."
    world.clock.now = utc(2026, 12, 17, 9, 0)
    assert await world.deliver_due_reminders() == 0


async def test_an_owner_who_blocked_the_bot_is_marked_unreachable_and_the_leader_told(world):
    mette, jonas, _, _ = await _agreement(world)
    world.api.blocked_by.add(jonas.id)
    world.clock.now = utc(2026, 12, 17, 9, 0)
    assert await world.deliver_due_reminders() == 0
    assert mette.last_text() == (
        "Jonas har blokeret mig, så jeg kan ikke minde om »Jobmentor ringer til alle unge«."
    )
    person = await world.services.repos.people.get(2)
    assert person is not None
    assert not person.is_reachable
    async with world.services.engine.connect() as conn:
        statuses = (
            (
                await conn.execute(
                    select(reminders.c.status).where(reminders.c.due_at == utc(2026, 12, 17, 9, 0))
                )
            )
            .scalars()
            .all()
        )
    assert statuses == ["failed"]
    world.api.blocked_by.discard(jonas.id)
    await jonas.sends("/myactions")  # he unblocked the bot and writes again
    person = await world.services.repos.people.get(2)
    assert person is not None
    assert person.is_reachable


async def test_working_hours_are_personal(world, da):
    _, jonas, _, _ = await _agreement(world, deadline="15.1.2027 12:00")
    await jonas.sends("/workhours 12:00 20:00")
    assert jonas.last_text() == da("followup.workhours_set", start="12:00", end="20:00")
    await jonas.sends("/workhours 20:00 12:00")
    assert jonas.last_text() == da("followup.workhours_usage")
    world.clock.now = utc(2026, 12, 17, 9, 0)
    await world.deliver_due_reminders()
    await jonas.taps("Udsat")
    await jonas.sends("1.3.2027 12:00")
    due = [at for _, at in await _scheduled(world, "nudge")]
    assert due[0] == utc(2026, 12, 31, 12, 0)  # his day starts at noon


async def test_a_failed_send_is_retried_with_back_off_and_arrives_once(world):
    _, jonas, _, _ = await _agreement(world)
    world.api.failing[jonas.id] = 2
    world.clock.now = utc(2026, 12, 17, 9, 0)
    assert await world.deliver_due_reminders() == 0
    assert _nudges(jonas) == []
    world.clock.advance(seconds=5)  # first retry after 5 s: fails again
    assert await world.deliver_due_reminders() == 0
    world.clock.advance(seconds=5)
    assert await world.deliver_due_reminders() == 0  # the next one waits 10 s
    world.clock.advance(seconds=5)
    assert await world.deliver_due_reminders() == 1
    assert len(_nudges(jonas)) == 1


async def test_a_person_in_another_time_zone_is_nudged_at_nine_there(world, da):
    _, jonas, _, _ = await _agreement(world, deadline="15.1.2027 12:00")
    await jonas.sends("/timezone Mars/Olympus")
    assert jonas.last_text() == da("followup.timezone_usage")
    await jonas.sends("/timezone Europe/London")
    assert jonas.last_text() == da("followup.timezone_set", zone="Europe/London")
    world.clock.now = utc(2026, 12, 17, 9, 0)
    await world.deliver_due_reminders()
    await jonas.taps("Udsat")
    await jonas.sends("1.3.2027 12:00")  # read in London time now
    due = [at for _, at in await _scheduled(world, "nudge")]
    assert due[0] == datetime(2026, 12, 31, 9, 0, tzinfo=UTC)  # 09:00 in London


async def test_an_owner_outside_who_has_not_taken_the_link_is_followed_up(world):
    mette, _, _, _ = await _agreement(world, outside="Birgit Berg")
    assert await _scheduled(world, "nudge") == []  # nobody to nudge until she accepts
    world.clock.now = utc(2026, 12, 7, 8, 0)  # three days later is a Sunday: Monday 08:00
    assert await world.deliver_due_reminders() == 1
    text = mette.last_text()
    assert text.startswith("Birgit Berg har endnu ikke taget imod handlingen »Jobmentor ringer")
    token = text.split("?start=")[1].split()[0]
    assert mette.last_buttons() == ["Giv handlingen til en anden"]
    birgit = world.person(401, "Birgit", last_name="Berg")
    await birgit.sends(f"/start {token}")
    assert birgit.texts()[0].startswith("Du er nu ansvarlig for en handling fra Team Fritid")
    owner = world.services.repos.people.cached(birgit.id)
    assert owner is not None
    nudges = await _scheduled(world, "nudge")
    assert nudges[0] == (owner.id, utc(2026, 12, 21, 9, 0))  # 14 days after she accepted


async def test_a_blocked_owner_who_moves_on_within_the_grace_escalates_nothing(world):
    mette, jonas, _, _ = await _agreement(world)
    world.clock.now = utc(2026, 12, 17, 9, 0)
    await world.deliver_due_reminders()
    await jonas.taps("Blokeret")
    await jonas.taps("Spring over")  # no note
    await jonas.sends("/myactions")
    await jonas.taps("Blokeret")  # tapped twice: still one waiting escalation
    await jonas.taps("Spring over")
    assert len(await _scheduled(world, "escalation")) == 1
    await jonas.sends("/myactions")
    await jonas.taps("I gang")  # moved on before the follow-up person was told
    await jonas.taps("Spring over")
    world.clock.advance(minutes=30)
    await world.deliver_due_reminders()
    assert not any("har brug for opfølgning" in text for text in mette.texts())


async def test_a_meeting_under_way_cannot_be_called_off_from_an_old_button(world, da):
    mette = world.person(101, "Mette", last_name="Holm")
    await plan_meeting(mette)
    await mette.sends("/cancelmeeting")
    world.clock.now = MEETING_START  # the meeting begins before she taps
    await mette.taps(mette.button_starting("Status på fritidsindsatsen"))
    assert mette.alerts()[-1] == da("error.button_expired")
    async with world.services.engine.connect() as conn:
        status = (await conn.execute(select(meetings.c.status))).scalar_one()
    assert status == "planned"


async def test_after_a_stop_only_the_newest_of_two_due_nudges_is_sent_with_buttons(world):
    _, jonas, _, _ = await _agreement(world)
    world.clock.now = utc(2026, 12, 31, 9, 0)  # the bot was down on 17 December
    await world.deliver_due_reminders()
    nudges = _nudge_messages(world, jonas)
    assert len(nudges) == 1  # the late one is left out: one question, not two
    assert [b["text"] for b in nudges[0].buttons()] == ["Færdig", "I gang", "Blokeret", "Udsat"]
    async with world.services.engine.connect() as conn:
        statuses = (
            (
                await conn.execute(
                    select(reminders.c.status)
                    .where(reminders.c.kind == "nudge", reminders.c.due_at <= world.clock())
                    .order_by(reminders.c.due_at)
                )
            )
            .scalars()
            .all()
        )
    assert statuses == ["skipped", "sent"]
