"""The leader's and referent's commands in the group: /startmeeting, /timebox, /dots."""

from __future__ import annotations

from telegram import Message, Update

from bot.core import guard
from bot.core.guard import DRIVERS
from bot.core.people import person_of
from bot.core.services import DDContext, Services, services
from bot.meeting import phases
from bot.meeting.live import Live, for_group
from bot.meeting.timers import timers
from flows.dialogue import MAX_DOTS, PHASES, Phase, parse_count, parse_timeboxes


async def driven_live(update: Update, context: DDContext, *, started: bool = False) -> Live:
    """The group's meeting, if the sender may steer it."""
    assert update.effective_chat is not None
    person = await person_of(update, context)
    svc = services(context)
    live = await for_group(svc, update.effective_chat.id, started=started)
    guard.check(live, "link.not_linked")
    assert live is not None
    await guard.role_in(svc, live.meeting.id, person, DRIVERS)
    return live


async def _tell_group(
    svc: Services, message: Message, live: Live, key: str, **params: object
) -> None:
    """A reply in the group's language (the leader's)."""
    await message.reply_text(svc.render.text(live.audience, key, **params))


async def on_startmeeting(update: Update, context: DDContext) -> None:
    live = await driven_live(update, context)
    svc = services(context)
    assert update.effective_message is not None
    if Phase(live.dialogue.phase) is Phase.FINISHED:
        await _tell_group(svc, update.effective_message, live, "dialogue.already_finished")
        return
    await phases.start(svc, live)


async def on_timebox(update: Update, context: DDContext) -> None:
    """/timebox 10 20 20 20 15 — minutes per phase for this meeting; without numbers: show them."""
    live = await driven_live(update, context)
    svc = services(context)
    message = update.effective_message
    assert message is not None
    names = [svc.render.text(live.audience, f"dialogue.phase.{p}.name") for p in PHASES]
    if not context.args:
        current = ", ".join(f"{n} {m}" for n, m in zip(names, live.dialogue.timeboxes, strict=True))
        await _tell_group(svc, message, live, "timebox.current", timeboxes=current)
        return
    minutes_per_phase = parse_timeboxes(context.args)
    if minutes_per_phase is None:
        await _tell_group(svc, message, live, "timebox.usage")
        return
    changed = await svc.repos.dialogues.change(live.meeting.id, timeboxes=list(minutes_per_phase))
    assert changed is not None
    await timers(svc).arm_timebox(live.with_dialogue(changed))
    await timers(svc).refresh(live.meeting.id, "panel")
    current = ", ".join(f"{n} {m}" for n, m in zip(names, minutes_per_phase, strict=True))
    await _tell_group(svc, message, live, "timebox.set", timeboxes=current)


async def on_dots(update: Update, context: DDContext) -> None:
    """/dots 5 — how many dots each participant gets, until the vote opens."""
    live = await driven_live(update, context)
    svc = services(context)
    message = update.effective_message
    assert message is not None
    if not context.args:
        await _tell_group(svc, message, live, "dots.current", dots=live.dialogue.dots_per_person)
        return
    dots = parse_count(context.args, 1, MAX_DOTS)
    if dots is None:
        await _tell_group(svc, message, live, "dots.usage", max=MAX_DOTS)
        return
    if live.dialogue.vote_status != "not_open":
        await _tell_group(svc, message, live, "dots.vote_started")
        return
    await svc.repos.dialogues.change(live.meeting.id, dots_per_person=dots)
    await _tell_group(svc, message, live, "dots.set", dots=dots)
