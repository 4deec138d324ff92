"""A step of the meeting is done once, whole: when the bot stops between storing a step and
acting on it, the rest is done at start-up (and by /startmeeting or a second tap)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.agreement import confirming
from bot.meeting import phases, voting
from flows.dialogue import Phase
from storage.schema import agreements, dialogues, reminders
from tests.support.steps import group_message, started_in_group

GROUP_ID = -1009999
FIELDS = ("Flere unge i job", "Halvdelen i job", "12", "Andel i job", "4.3.2027 10:00")


class Stopped(Exception):
    """Stands in for the process being killed at this point."""


async def _stopped(*args: object, **kwargs: object) -> None:
    raise Stopped


async def _count(world, query) -> int:
    async with world.services.engine.connect() as conn:
        return (await conn.execute(query)).scalar_one()


async def _in_explore_with_themes(world):
    jonas, aisha = world.person(202, "Jonas"), world.person(203, "Aisha")
    mette, group = await started_in_group(world, GROUP_ID, [jonas, aisha])
    await mette.taps_in_group(group, "Næste ▶")  # Explore
    theme_list = group_message(world, GROUP_ID, "Temaer (0)")
    await jonas.sends_in_group(group, "Frafald om sommeren", reply_to=theme_list)
    await aisha.sends_in_group(group, "Få aftentilbud", reply_to=theme_list)
    return mette, jonas, aisha, group


async def test_a_stop_while_moving_to_interpret_posts_the_ballot_at_start_up(world, monkeypatch):
    mette, _, _, group = await _in_explore_with_themes(world)
    monkeypatch.setitem(phases.ENTER, Phase.INTERPRET, _stopped)
    await mette.taps_in_group(group, "Næste ▶")  # the bot stops here
    monkeypatch.undo()
    assert not any(
        t.startswith("Prioritér med prikker") for t in world.telegram.chat_texts(GROUP_ID)
    )

    await world.restart()
    assert group_message(world, GROUP_ID, "Prioritér med prikker")
    async with world.services.engine.connect() as conn:
        phase, vote = (await conn.execute(select(dialogues.c.phase, dialogues.c.vote_status))).one()
    assert (phase, vote) == ("interpret", "open")
    await world.restart()  # done once: a second start posts nothing more
    ballots = [t for t in world.telegram.chat_texts(GROUP_ID) if t.startswith("Prioritér med")]
    assert len(ballots) == 1


async def test_a_stop_while_closing_the_vote_posts_the_results_at_start_up(world, monkeypatch):
    mette, jonas, aisha, group = await _in_explore_with_themes(world)
    await mette.taps_in_group(group, "Næste ▶")  # Interpret
    await jonas.taps_in_group(group, "➕ 1. Frafald om sommeren")
    await aisha.taps_in_group(group, "➕ 1. Frafald om sommeren")
    monkeypatch.setattr(voting, "announce_results", _stopped)
    await mette.taps_in_group(group, "🔒 Luk afstemningen (mødeleder)")  # the bot stops here
    monkeypatch.undo()
    assert not any(t.startswith("Valgt fokusområde") for t in world.telegram.chat_texts(GROUP_ID))

    await world.restart()
    texts = world.telegram.chat_texts(GROUP_ID)
    assert any(t.startswith("Valgt fokusområde: Frafald om sommeren") for t in texts)
    async with world.services.engine.connect() as conn:
        chosen, posted = (
            await conn.execute(select(dialogues.c.chosen_theme_id, dialogues.c.results_posted_at))
        ).one()
    assert chosen is not None
    assert posted is not None
    await world.restart()
    chosen_posts = [t for t in world.telegram.chat_texts(GROUP_ID) if t.startswith("Valgt fok")]
    assert len(chosen_posts) == 1


async def test_a_stop_after_the_agreement_is_stored_plans_and_posts_it_at_start_up(
    world, monkeypatch
):
    jonas, aisha = world.person(202, "Jonas"), world.person(203, "Aisha")
    mette, group = await started_in_group(world, GROUP_ID, [jonas, aisha])
    for _ in range(4):
        await mette.taps_in_group(group, "Næste ▶")
        world.clock.advance(seconds=3)
    await mette.taps_in_group(group, "✍ Skriv aftalen")
    for answer in FIELDS:
        await mette.sends(answer)
    await mette.taps("Hver 14. dag")
    await mette.sends("Jobmentor ringer til alle unge")
    await mette.taps("Om en måned")
    await mette.taps("Jonas")
    monkeypatch.setattr(confirming, "share", _stopped)
    await mette.taps("✅ Bekræft og del i gruppen")  # the bot stops here
    monkeypatch.undo()
    assert await _count(world, select(func.count()).select_from(agreements)) == 1
    assert await _count(world, select(func.count()).where(reminders.c.kind == "nudge")) == 0

    await world.restart()
    nudges = select(func.count()).where(reminders.c.kind == "nudge")
    planned = await _count(world, nudges)
    assert planned > 0
    assert any(t.startswith("Aftale – Status på") for t in world.telegram.chat_texts(GROUP_ID))
    assert jonas.last_text().startswith("Spørgsmål 1 af 1\nHvad tager du med dig fra mødet?")
    await world.restart()  # done once: nothing planned or posted twice
    assert await _count(world, nudges) == planned
    posts = [t for t in world.telegram.chat_texts(GROUP_ID) if t.startswith("Aftale – Status")]
    assert len(posts) == 1


async def test_tapping_confirm_again_finishes_an_agreement_a_stop_left_unshared(
    world, monkeypatch, da
):
    jonas, aisha = world.person(202, "Jonas"), world.person(203, "Aisha")
    mette, group = await started_in_group(world, GROUP_ID, [jonas, aisha])
    for _ in range(4):
        await mette.taps_in_group(group, "Næste ▶")
        world.clock.advance(seconds=3)
    await mette.taps_in_group(group, "✍ Skriv aftalen")
    for answer in FIELDS:
        await mette.sends(answer)
    await mette.taps("Hver 14. dag")
    await mette.sends("Jobmentor ringer til alle unge")
    await mette.taps("Om en måned")
    await mette.taps("Jonas")
    draft = mette.bot_messages()[-1]
    confirm = next(b for b in draft.buttons() if b["text"] == "✅ Bekræft og del i gruppen")
    monkeypatch.setattr(confirming, "share", _stopped)
    await mette.taps("✅ Bekræft og del i gruppen")  # the bot stops here
    monkeypatch.undo()
    await mette.forges_tap(confirm["callback_data"], message_id=draft.message_id, chat_id=mette.id)
    assert mette.alerts()[-1] == da("agreement.already_confirmed")  # it may be sharing still
    world.clock.advance(minutes=2)
    await mette.forges_tap(confirm["callback_data"], message_id=draft.message_id, chat_id=mette.id)
    assert await _count(world, select(func.count()).where(reminders.c.kind == "nudge")) > 0
    await mette.forges_tap(confirm["callback_data"], message_id=draft.message_id, chat_id=mette.id)
    assert mette.alerts()[-1] == da("agreement.already_confirmed")
