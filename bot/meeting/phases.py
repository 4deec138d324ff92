"""The phase panel: one group message, edited in place, with which the leader steers the dialogue.

Its buttons carry the dialogue's revision, so a second press of "Next" (a double tap, or the
referent and the leader at once) is refused instead of skipping a phase, and a panel that was
replaced by a newer one is recognised as stale.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import CallbackQuery, InlineKeyboardMarkup

from bot import callbacks, format
from bot.context import Services
from bot.handlers.common import ButtonHandler, Toast
from bot.meeting import agreement, since_last, themes, voting
from bot.meeting.kit import Kit, kit
from bot.meeting.live import DRIVERS, Live, load
from bot.render import Screen, button
from flows.dialogue import PHASES, Phase, PhaseClock, next_phase, previous_phase, timebox_of
from flows.i18n import Trusted
from storage.records import Person

NEXT, BACK, PAUSE = "n", "b", "p"

Enter = Callable[[Kit, Live], Awaitable[None]]


async def _finish(kit: Kit, live: Live) -> None:
    await kit.timers.cancel_timebox(live.meeting.id)
    await kit.svc.repos.meetings.set_status(live.meeting.id, "held")
    await kit.svc.repos.reminders.cancel(
        meeting_id=live.meeting.id, kinds=("prep", "prep_summary", "meeting")
    )
    text = kit.svc.render.text(live.audience, "dialogue.finished", title=live.meeting.title)
    await kit.bot.send_message(live.chat_id, text)


ENTER: dict[Phase, Enter] = {
    Phase.SINCE_LAST: since_last.post_actions,
    Phase.EXPLORE: themes.post_list,
    Phase.INTERPRET: voting.open_ballot,
    Phase.PREPARE: agreement.post_invitation,
    Phase.AGREEMENT: agreement.post_invitation,
    Phase.FINISHED: _finish,
}


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
        return callbacks.encode(callbacks.PHASE, live.meeting.id, dialogue.revision, code)

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


async def post_panel(kit: Kit, live: Live) -> Live:
    """Post a fresh panel; the previous one's buttons become stale."""
    screen = await panel_screen(kit.svc, live)
    sent = await kit.bot.send_message(live.chat_id, screen.text, reply_markup=screen.markup)
    dialogue = await kit.svc.repos.dialogues.change(
        live.meeting.id, panel_message_id=sent.message_id
    )
    assert dialogue is not None
    return live.with_dialogue(dialogue)


async def start(kit: Kit, live: Live) -> None:
    """/startmeeting: begin with Since last time, or show the panel again where it stands."""
    if Phase(live.dialogue.phase) is Phase.NOT_STARTED:
        await move(kit, live, Phase.SINCE_LAST)
    else:
        await post_panel(kit, live)


async def move(kit: Kit, live: Live, target: Phase) -> bool:
    """Go to `target`: store it first, then show it. False if someone moved the meeting first."""
    now = kit.svc.clock()
    dialogue = await kit.svc.repos.dialogues.change(
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
        moved = await post_panel(kit, moved)
    else:
        await kit.timers.refresh(live.meeting.id, "panel")
    if dialogue.themes_message_id is not None:  # its buttons only work in Explore
        await kit.timers.refresh(live.meeting.id, "themes")
    if target in PHASES:
        await kit.bot.send_message(live.chat_id, _intro(kit.svc, moved, target))
        await kit.timers.arm_timebox(moved)
    await ENTER[target](kit, moved)
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


async def toggle_pause(kit: Kit, live: Live) -> bool:
    now = kit.svc.clock()
    dialogue = live.dialogue
    clock = PhaseClock(timedelta(seconds=dialogue.phase_elapsed_s), dialogue.phase_started_at)
    if dialogue.paused:
        values = {"paused": False, "phase_started_at": now}
    else:
        elapsed = int(clock.elapsed(now).total_seconds())
        values = {"paused": True, "phase_started_at": None, "phase_elapsed_s": elapsed}
    changed = await kit.svc.repos.dialogues.change(
        live.meeting.id, expected_revision=dialogue.revision, **values
    )
    if changed is None:
        return False
    await kit.timers.arm_timebox(live.with_dialogue(changed))
    await kit.timers.refresh(live.meeting.id, "panel")
    return True


async def on_phase_button(
    context, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """ph:<meeting>:<revision>:<n|b|p|0-4> from the panel."""
    tools = kit(context)
    render = tools.svc.render
    try:
        meeting_id, revision, code = payload.int_arg(0), payload.int_arg(1), payload.args[2]
    except (ValueError, IndexError):
        return render.text(person, "error.button_expired")
    live = await load(tools.svc, meeting_id)
    message = query.message
    if (
        live is None
        or message is None
        or message.message_id != live.dialogue.panel_message_id
        or Phase(live.dialogue.phase) is Phase.FINISHED
    ):
        return render.text(person, "error.button_expired")
    role = await tools.svc.repos.meetings.role_of(meeting_id, person.id)
    if role not in DRIVERS:
        return render.text(person, "dialogue.only_drivers")
    if revision != live.dialogue.revision:
        return Toast(render.text(person, "dialogue.already_moved"))
    target = _target(Phase(live.dialogue.phase), code)
    if code == PAUSE:
        done = await toggle_pause(tools, live)
    elif target is None:
        return render.text(person, "error.button_expired")
    elif (
        target is Phase.FINISHED
        and await tools.svc.repos.agreements.agreement_of(meeting_id) is None
    ):
        return render.text(person, "dialogue.agreement_first")
    else:
        done = await move(tools, live, target)
    return None if done else Toast(render.text(person, "dialogue.already_moved"))


def _target(phase: Phase, code: str) -> Phase | None:
    if code == NEXT:
        return next_phase(phase)
    if code == BACK:
        return previous_phase(phase)
    if code.isdigit() and int(code) < len(PHASES):
        return PHASES[int(code)]
    return None


BUTTONS: dict[str, ButtonHandler] = {callbacks.PHASE: on_phase_button}
