"""The phase panel: one group message, edited in place, with which the leader steers the dialogue.

Its buttons carry the dialogue's revision, so a second press of "Next" (a double tap, or the
referent and the leader at once) is refused instead of skipping a phase, and a panel that was
replaced by a newer one is recognised as stale.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import CallbackQuery, InlineKeyboardMarkup

from bot.core import format, guard
from bot.core.guard import DRIVERS, Refused
from bot.core.payloads import Payload, encode
from bot.core.render import Screen, button
from bot.core.send import post
from bot.core.services import DDContext, Services, services
from bot.meeting import since_last, themes, voting
from bot.meeting.events import PhaseEntered
from bot.meeting.live import Live, linked
from bot.meeting.repair import finish_step
from bot.meeting.timers import timers
from flows.dialogue import PHASES, Phase, PhaseClock, next_phase, previous_phase, timebox_of
from flows.i18n import Trusted
from storage.records import Person

PHASE = "ph"
NEXT, BACK, PAUSE = "n", "b", "p"

Enter = Callable[[Services, Live], Awaitable[None]]


async def _finish(svc: Services, live: Live) -> None:
    await timers(svc).cancel_timebox(live.meeting.id)
    await svc.repos.meetings.set_status(live.meeting.id, "held")
    await svc.repos.reminders.cancel(
        meeting_id=live.meeting.id, kinds=("prep", "prep_summary", "meeting")
    )
    text = svc.render.text(live.audience, "dialogue.finished", title=live.meeting.title)
    await svc.bot.send_message(live.chat_id, text)


ENTER: dict[Phase, Enter] = {
    Phase.SINCE_LAST: since_last.post_actions,
    Phase.EXPLORE: themes.post_list,
    Phase.INTERPRET: voting.open_ballot,
    Phase.FINISHED: _finish,
}
"""What the meeting itself posts on entering a phase; others subscribe to `PhaseEntered`."""


async def panel_screen(svc: Services, live: Live) -> Screen:
    render, reader, dialogue = svc.render, live.audience, live.dialogue
    phase = Phase(dialogue.phase)
    lines = []
    for number, each in enumerate(PHASES, start=1):
        if phase is Phase.FINISHED or (
            phase in PHASES and PHASES.index(each) < PHASES.index(phase)
        ):
            state = "done"
        elif each is phase:
            state = "current"
        else:
            state = "todo"
        name = render.text(reader, f"dialogue.phase.{each}.name")
        lines.append(render.text(reader, f"dialogue.panel_line.{state}", number=number, name=name))
    text = render.text(
        reader,
        "dialogue.panel",
        title=live.meeting.title,
        phases=Trusted("\n".join(lines)),
        status=_status(svc, live),
    )
    if phase is Phase.FINISHED:
        return Screen(text)
    return Screen(text, _panel_buttons(svc, live))


def _status(svc: Services, live: Live) -> str:
    render, reader, dialogue = svc.render, live.audience, live.dialogue
    phase = Phase(dialogue.phase)
    if phase is Phase.FINISHED:
        return render.text(reader, "dialogue.status_finished")
    timebox = timebox_of(phase, dialogue.timeboxes)
    clock = PhaseClock(timedelta(seconds=dialogue.phase_elapsed_s), dialogue.phase_started_at)
    minutes = int(timebox.total_seconds() // 60)
    if dialogue.paused:
        left = max(0, int((timebox - clock.elapsed(svc.clock())).total_seconds() // 60))
        return render.text(reader, "dialogue.status_paused", left=left, minutes=minutes)
    ends_at = clock.ends_at(svc.clock(), timebox)
    assert ends_at is not None
    ends = format.time_of_day(ends_at, reader.language, live.meeting.time_zone)
    return render.text(
        reader,
        "dialogue.status_running",
        number=PHASES.index(phase) + 1,
        total=len(PHASES),
        minutes=minutes,
        ends=ends,
    )


def _panel_buttons(svc: Services, live: Live) -> InlineKeyboardMarkup:
    render, reader, dialogue = svc.render, live.audience, live.dialogue
    phase = Phase(dialogue.phase)

    def data(code: str) -> str:
        return encode(PHASE, live.meeting.id, dialogue.revision, code)

    pause_key = "dialogue.button.resume" if dialogue.paused else "dialogue.button.pause"
    next_key = "dialogue.button.finish" if phase is Phase.AGREEMENT else "dialogue.button.next"
    steer = [button(render.text(reader, pause_key), data(PAUSE))]
    if previous_phase(phase) is not None:
        steer.insert(0, button(render.text(reader, "dialogue.button.back"), data(BACK)))
    steer.append(button(render.text(reader, next_key), data(NEXT)))
    jumps = [
        button(
            render.text(reader, "dialogue.button.jump", number=number),
            data(str(number - 1)),
        )
        for number, each in enumerate(PHASES, start=1)
        if each is not phase
    ]
    return InlineKeyboardMarkup([steer, jumps])


async def post_panel(svc: Services, live: Live) -> Live:
    """Post a fresh panel; the previous one's buttons become stale."""
    screen = await panel_screen(svc, live)
    sent = await post(svc.bot, live.chat_id, screen)
    timers(svc).posted(live.chat_id, sent.message_id, screen)
    dialogue = await svc.repos.dialogues.change(live.meeting.id, panel_message_id=sent.message_id)
    assert dialogue is not None
    return live.with_dialogue(dialogue)


async def start(svc: Services, live: Live) -> None:
    """/startmeeting: begin with Since last time, or show the panel again where it stands."""
    if Phase(live.dialogue.phase) is Phase.NOT_STARTED:
        await move(svc, live, Phase.SINCE_LAST)
    else:
        await finish_step(svc, await post_panel(svc, live), asked=True)


async def move(svc: Services, live: Live, target: Phase) -> bool:
    """Go to `target`: store it first, then show it. False if someone moved the meeting first."""
    now = svc.clock()
    dialogue = await svc.repos.dialogues.change(
        live.meeting.id,
        expected_revision=live.dialogue.revision,
        phase=target.value,
        paused=False,
        phase_started_at=now,
        phase_elapsed_s=0,
        started_at=live.dialogue.started_at or now,
        finished_at=now if target is Phase.FINISHED else None,
    )
    if dialogue is None:
        return False
    moved = live.with_dialogue(dialogue)
    if live.dialogue.panel_message_id is None:
        moved = await post_panel(svc, moved)
    else:
        await timers(svc).refresh(live.meeting.id, "panel")
    if dialogue.themes_message_id is not None:  # its buttons only work in Explore
        await timers(svc).refresh(live.meeting.id, "themes")
    if target in PHASES:
        await svc.bot.send_message(live.chat_id, _intro(svc, moved, target))
        await timers(svc).arm_timebox(moved)
    if target in ENTER:
        await ENTER[target](svc, moved)
    await svc.events.publish(PhaseEntered(moved, target))
    return True


def _intro(svc: Services, live: Live, phase: Phase) -> str:
    render, reader = svc.render, live.audience
    return render.text(
        reader,
        "dialogue.intro",
        number=PHASES.index(phase) + 1,
        name=render.text(reader, f"dialogue.phase.{phase}.name"),
        minutes=int(timebox_of(phase, live.dialogue.timeboxes).total_seconds() // 60),
        purpose=render.text(reader, f"dialogue.phase.{phase}.purpose"),
        questions=render.text(reader, f"dialogue.phase.{phase}.questions"),
    )


async def toggle_pause(svc: Services, live: Live) -> bool:
    now = svc.clock()
    dialogue = live.dialogue
    clock = PhaseClock(timedelta(seconds=dialogue.phase_elapsed_s), dialogue.phase_started_at)
    if dialogue.paused:
        values = {"paused": False, "phase_started_at": now}
    else:
        elapsed = int(clock.elapsed(now).total_seconds())
        values = {"paused": True, "phase_started_at": None, "phase_elapsed_s": elapsed}
    changed = await svc.repos.dialogues.change(
        live.meeting.id, expected_revision=dialogue.revision, **values
    )
    if changed is None:
        return False
    await timers(svc).arm_timebox(live.with_dialogue(changed))
    await timers(svc).refresh(live.meeting.id, "panel")
    return True


async def on_phase_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """ph:<meeting>:<revision>:<n|b|p|0-4> from the panel."""
    svc = services(context)
    guard.check(len(payload.args) == 3 and payload.args[1] == str(payload.id_arg(1)))
    live = await linked(svc, payload.id_arg(0))
    guard.check(
        query.message is not None
        and query.message.message_id == live.dialogue.panel_message_id
        and Phase(live.dialogue.phase) is not Phase.FINISHED
    )
    await guard.role_in(svc, live.meeting.id, person, DRIVERS)
    if payload.id_arg(1) != live.dialogue.revision:
        raise Refused("dialogue.already_moved", toast=True)
    code = payload.args[2]
    if code == PAUSE:
        done = await toggle_pause(svc, live)
    else:
        target = _target(Phase(live.dialogue.phase), code)
        guard.check(target)
        assert target is not None
        if target is Phase.FINISHED:
            agreed = await svc.repos.agreements.agreement_of(live.meeting.id)
            guard.check(agreed, "dialogue.agreement_first")
        done = await move(svc, live, target)
    if not done:
        raise Refused("dialogue.already_moved", toast=True)
    return None


def _target(phase: Phase, code: str) -> Phase | None:
    if code == NEXT:
        return next_phase(phase)
    if code == BACK:
        return previous_phase(phase)
    if code.isascii() and code.isdigit() and int(code) < len(PHASES):
        return PHASES[int(code)]
    return None
