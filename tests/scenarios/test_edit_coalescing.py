"""Edits of the group's living messages are coalesced: at most one every 3 seconds per message.

A message is edited at once when its last edit is at least 3 s old; otherwise a refresh is
stored in `meeting_timers`, and when it falls due the message is edited once more, showing the
state at that moment. The tests move the manual clock and fire due timers, as the scheduler
would. The ballot shows how many have voted ("2 af 5 har stemt"), so each edit's text tells
which taps it saw.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.schema import meeting_timers
from tests.support.steps import Ballot, open_ballot

GROUP_ID = -1001234
THEMES = ["Frafald", "Fritidsjob", "Vinter"]
NAMES = ["Jonas", "Aisha", "Lars", "Sofie", "Ole"]


async def _ballot(world) -> tuple[Ballot, list]:
    voters = [world.person(202 + n, name) for n, name in enumerate(NAMES)]
    ballot = await open_ballot(world, GROUP_ID, voters, THEMES)
    world.clock.advance(seconds=3)
    await world.fire_due_timers()  # the theme list and the panel catch up with the setup
    assert await _pending_refreshes(world) == []
    return ballot, voters


def _ballot_edits(world, ballot: Ballot) -> list[str]:
    """The texts the bot asked Telegram to show in the ballot, one per edit call (an edit that
    changes nothing is refused by Telegram, but still counts against the group's limit)."""
    return [
        params["text"]
        for endpoint, params in world.api.calls
        if endpoint == "editMessageText"
        and (params.get("chat_id"), params.get("message_id")) == (GROUP_ID, ballot.message_id)
    ]


def _voted(world, ballot: Ballot) -> str:
    """The ballot's "n af m har stemt" line as it stands now."""
    text = world.telegram.message_text(GROUP_ID, ballot.message_id)
    return next(line for line in text.splitlines() if "har stemt" in line)


async def _pending_refreshes(world) -> list[tuple[str, object]]:
    async with world.services.engine.connect() as conn:
        rows = await conn.execute(
            select(meeting_timers.c.target, meeting_timers.c.due_at).where(
                meeting_timers.c.kind == "refresh", meeting_timers.c.done_at.is_(None)
            )
        )
        return [tuple(row) for row in rows]


async def test_ballot_taps_within_3s_cause_one_edit_at_once_and_one_when_due_with_final_count(
    world,
):
    ballot, voters = await _ballot(world)
    first_tap = world.clock.now

    await voters[0].taps_in_group(ballot.group, ballot.labels[0])
    assert len(_ballot_edits(world, ballot)) == 1
    assert _voted(world, ballot) == "1 af 5 har stemt."

    for n, voter in enumerate(voters[1:4]):  # three more voters, and more dots, within 3 s
        world.clock.now = first_tap + timedelta(seconds=0.5 + 0.8 * n)
        await voter.taps_in_group(ballot.group, ballot.labels[n % 3])
        await voter.taps_in_group(ballot.group, ballot.labels[2])
    assert len(_ballot_edits(world, ballot)) == 1
    assert _voted(world, ballot) == "1 af 5 har stemt."
    assert await _pending_refreshes(world) == [("ballot", first_tap + timedelta(seconds=3))]

    world.clock.now = first_tap + timedelta(seconds=2.9)
    assert await world.fire_due_timers() == 0
    assert len(_ballot_edits(world, ballot)) == 1

    world.clock.now = first_tap + timedelta(seconds=3)
    assert await world.fire_due_timers() == 1
    assert len(_ballot_edits(world, ballot)) == 2
    assert _voted(world, ballot) == "4 af 5 har stemt."
    assert await _pending_refreshes(world) == []
    assert await world.fire_due_timers() == 0  # a refresh acts once


async def test_ballot_edit_is_immediate_when_the_last_is_exactly_3s_old_and_held_just_before(
    world,
):
    ballot, voters = await _ballot(world)
    start = world.clock.now

    await voters[0].taps_in_group(ballot.group, ballot.labels[0])
    world.clock.now = start + timedelta(seconds=3)
    await voters[1].taps_in_group(ballot.group, ballot.labels[1])
    assert len(_ballot_edits(world, ballot)) == 2
    assert _voted(world, ballot) == "2 af 5 har stemt."
    assert await _pending_refreshes(world) == []

    world.clock.now = start + timedelta(seconds=5.999)
    await voters[2].taps_in_group(ballot.group, ballot.labels[2])
    assert len(_ballot_edits(world, ballot)) == 2
    assert await _pending_refreshes(world) == [("ballot", start + timedelta(seconds=6))]


async def test_vote_storm_through_the_processor_costs_two_edits_the_second_with_the_final_count(
    world,
):
    ballot, voters = await _ballot(world)
    storm_at = world.clock.now

    async with world.telegram.queued():
        for label in ballot.labels:  # four put a dot on each theme, all at once
            for voter in voters[:4]:
                await voter.taps_in_group(ballot.group, label)
    world.clock.advance(seconds=1)
    await voters[4].taps_in_group(ballot.group, ballot.labels[0])  # the last one, a bit later

    assert len(_ballot_edits(world, ballot)) == 1
    assert _voted(world, ballot) in {f"{n} af 5 har stemt." for n in range(1, 5)}
    assert await _pending_refreshes(world) == [("ballot", storm_at + timedelta(seconds=3))]
    assert [len(voter.alerts()) for voter in voters] == [3, 3, 3, 3, 1]
    assert all(alert.startswith("Prik på") for voter in voters for alert in voter.alerts())

    world.clock.advance(seconds=2)
    assert await world.fire_due_timers() == 1
    assert len(_ballot_edits(world, ballot)) == 2
    assert _voted(world, ballot) == "5 af 5 har stemt."


async def test_pending_refresh_survives_a_restart_and_edits_once_with_the_state_then(world):
    ballot, voters = await _ballot(world)
    first_tap = world.clock.now
    await voters[0].taps_in_group(ballot.group, ballot.labels[0])
    await voters[1].taps_in_group(ballot.group, ballot.labels[0])
    assert await _pending_refreshes(world) == [("ballot", first_tap + timedelta(seconds=3))]

    await world.restart()
    world.clock.now = first_tap + timedelta(seconds=1)
    await voters[2].taps_in_group(ballot.group, ballot.labels[1])  # still waits for the refresh
    assert len(_ballot_edits(world, ballot)) == 1
    assert await _pending_refreshes(world) == [("ballot", first_tap + timedelta(seconds=3))]

    world.clock.now = first_tap + timedelta(seconds=3)
    assert await world.fire_due_timers() == 1
    assert len(_ballot_edits(world, ballot)) == 2
    assert _voted(world, ballot) == "3 af 5 har stemt."


async def test_an_edit_that_would_change_nothing_is_not_sent(world):
    ballot, voters = await _ballot(world)
    await voters[0].taps_in_group(ballot.group, ballot.labels[0])
    assert len(_ballot_edits(world, ballot)) == 1
    await voters[0].taps_in_group(ballot.group, "↩ Tag en prik tilbage")  # 1 voter -> 0 voters
    await voters[0].taps_in_group(ballot.group, ballot.labels[0])  # and back to 1: no change
    world.clock.advance(seconds=3)
    await world.fire_due_timers()
    assert len(_ballot_edits(world, ballot)) == 1  # the ballot looks as it did: nothing sent
    await voters[1].taps_in_group(ballot.group, ballot.labels[1])  # a real change is still shown
    world.clock.advance(seconds=3)
    await world.fire_due_timers()
    assert len(_ballot_edits(world, ballot)) == 2
    assert _voted(world, ballot) == "2 af 5 har stemt."
