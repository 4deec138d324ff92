"""Commands and replies in the team's group, and /minutes.

With privacy mode on, a bot in a group sees only commands and replies to its own messages;
that is all this relies on. Replies are routed by the message they answer (`reply_targets`).
"""

from __future__ import annotations

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)

from bot import callbacks
from bot.context import DDContext, services
from bot.handlers.common import RECENT, ButtonHandler, person_of, say
from bot.meeting import minutes, phases, since_last, themes, voting
from bot.meeting.kit import kit
from bot.meeting.live import DRIVERS, Live, for_group, load
from bot.render import Screen, button
from flows.dialogue import (
    DEFAULT_DOTS,
    DEFAULT_TIMEBOXES,
    MAX_DOTS,
    PHASES,
    Phase,
    parse_timeboxes,
)
from storage.records import Meeting, Person

GROUP_START_PAYLOAD = "link"
"""t.me/<bot>?startgroup=link adds the bot to a group and sends /start link there."""


def group_link(bot_username: str) -> str:
    return f"https://t.me/{bot_username}?startgroup={GROUP_START_PAYLOAD}"


async def _reply(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await message.reply_text(text, reply_markup=markup)


# Linking -------------------------------------------------------------------------------------


async def on_linkmeeting(update: Update, context: DDContext) -> None:
    """/linkmeeting (or the startgroup link) in a group: tie it to one of my meetings."""
    message = update.effective_message
    assert message is not None
    assert update.effective_chat is not None
    person = await person_of(update, context)
    svc = services(context)
    mine = await svc.repos.meetings.of_person(person.id, not_before=svc.clock() - RECENT)
    driven = [meeting for meeting, role in mine if role in DRIVERS]
    if not driven:
        await _reply(message, svc.render.text(person, "link.no_meetings"))
    elif len(driven) == 1:
        await _link(context, person, driven[0], update.effective_chat.id, message)
    else:
        rows = [[button(m.title, callbacks.encode(callbacks.LINK, m.id))] for m in driven]
        await _reply(message, svc.render.text(person, "link.choose"), InlineKeyboardMarkup(rows))


async def on_group_start(update: Update, context: DDContext) -> None:
    """/start in a group: from the startgroup link it links the group; otherwise, help."""
    if context.args and context.args[0] == GROUP_START_PAYLOAD:
        await on_linkmeeting(update, context)
    else:
        await on_group_command(update, context)


async def _link(
    context: DDContext, person: Person, meeting: Meeting, chat_id: int, message: Message | None
) -> None:
    svc = services(context)
    await svc.repos.dialogues.link(
        meeting.id, chat_id, person, svc.clock(), timeboxes=DEFAULT_TIMEBOXES, dots=DEFAULT_DOTS
    )
    text = svc.render.text(
        person, "link.linked", title=meeting.title, team=meeting.team_name, starts=meeting.starts_at
    )
    if message is not None:
        await _reply(message, text)
    else:
        await context.bot.send_message(chat_id, text)


async def on_link_button(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """lk:<meeting> — which of my meetings this group is for."""
    svc = services(context)
    meeting = await svc.repos.meetings.get(payload.id_arg(0))
    if meeting is None or query.message is None:
        return svc.render.text(person, "error.button_expired")
    if await svc.repos.meetings.role_of(meeting.id, person.id) not in DRIVERS:
        return svc.render.text(person, "dialogue.only_drivers")
    await _link(context, person, meeting, query.message.chat.id, None)
    await kit(context).edit(
        query.message.chat.id,
        query.message.message_id,
        Screen(svc.render.text(person, "link.chosen", title=meeting.title)),
    )
    return None


# Steering ------------------------------------------------------------------------------------


async def _driven_live(
    update: Update, context: DDContext, *, started: bool = False
) -> tuple[Live, Message] | None:
    """The group's meeting if the sender may steer it; otherwise say why and return None."""
    message = update.effective_message
    assert message is not None
    assert update.effective_chat is not None
    person = await person_of(update, context)
    svc = services(context)
    live = await for_group(svc, update.effective_chat.id, started=started)
    if live is None:
        await _reply(message, svc.render.text(person, "link.not_linked"))
        return None
    if await svc.repos.meetings.role_of(live.meeting.id, person.id) not in DRIVERS:
        await _reply(message, svc.render.text(person, "dialogue.only_drivers"))
        return None
    return live, message


async def on_startmeeting(update: Update, context: DDContext) -> None:
    found = await _driven_live(update, context)
    if found is None:
        return
    live, message = found
    if Phase(live.dialogue.phase) is Phase.FINISHED:
        await _reply(
            message, services(context).render.text(live.audience, "dialogue.already_finished")
        )
        return
    await phases.start(kit(context), live)


async def on_timebox(update: Update, context: DDContext) -> None:
    """/timebox 10 20 20 20 15 — minutes per phase for this meeting; without numbers: show them."""
    found = await _driven_live(update, context)
    if found is None:
        return
    live, message = found
    svc = services(context)
    names = [svc.render.text(live.audience, f"dialogue.phase.{p}.name") for p in PHASES]
    if not context.args:
        current = ", ".join(f"{n} {m}" for n, m in zip(names, live.dialogue.timeboxes, strict=True))
        await _reply(message, svc.render.text(live.audience, "timebox.current", timeboxes=current))
        return
    minutes_per_phase = parse_timeboxes(context.args)
    if minutes_per_phase is None:
        await _reply(message, svc.render.text(live.audience, "timebox.usage"))
        return
    changed = await svc.repos.dialogues.change(live.meeting.id, timeboxes=list(minutes_per_phase))
    assert changed is not None
    tools = kit(context)
    await tools.timers.arm_timebox(live.with_dialogue(changed))
    await tools.timers.refresh(live.meeting.id, "panel")
    current = ", ".join(f"{n} {m}" for n, m in zip(names, minutes_per_phase, strict=True))
    await _reply(message, svc.render.text(live.audience, "timebox.set", timeboxes=current))


async def on_dots(update: Update, context: DDContext) -> None:
    """/dots 5 — how many dots each participant gets, until the vote opens."""
    found = await _driven_live(update, context)
    if found is None:
        return
    live, message = found
    svc = services(context)
    reader = live.audience
    if not context.args:
        await _reply(
            message, svc.render.text(reader, "dots.current", dots=live.dialogue.dots_per_person)
        )
        return
    word = context.args[0]
    if len(context.args) != 1 or not word.isdigit() or not 1 <= int(word) <= MAX_DOTS:
        await _reply(message, svc.render.text(reader, "dots.usage", max=MAX_DOTS))
        return
    if live.dialogue.vote_status != "not_open":
        await _reply(message, svc.render.text(reader, "dots.vote_started"))
        return
    await svc.repos.dialogues.change(live.meeting.id, dots_per_person=int(word))
    await _reply(message, svc.render.text(reader, "dots.set", dots=int(word)))


# Replies to the bot's messages ---------------------------------------------------------------


async def on_group_reply(update: Update, context: DDContext) -> None:
    message = update.effective_message
    assert message is not None
    assert message.reply_to_message is not None
    person = await person_of(update, context)
    svc = services(context)
    replied = message.reply_to_message
    target = await svc.repos.dialogues.reply_target(message.chat.id, replied.message_id)
    if target is None:
        await _reply(message, svc.render.text(person, "group.reply_not_expected"))
        return
    text = (message.text or "").strip()
    if not text:
        await _reply(message, svc.render.text(person, "group.text_only"))
        return
    kind, ref_id = target
    tools = kit(context)
    refusal: str | None
    if kind == since_last.REPLY_KIND:
        refusal = await since_last.on_learning_reply(
            tools, person, ref_id, replied.message_id, text
        )
        done = "since.learning_noted"
    else:
        live = await load(svc, ref_id)
        if live is None:
            refusal, done = svc.render.text(person, "error.button_expired"), ""
        elif kind == themes.REPLY_KIND:
            refusal, done = (
                await themes.add_theme(tools, person, live, text),
                "explore.added_from_reply",
            )
        else:
            refusal, done = (
                await voting.on_area_reply(tools, person, live, replied.message_id, text),
                "vote.area_noted",
            )
    await _reply(message, refusal or svc.render.text(person, done))


async def on_group_command(update: Update, context: DDContext) -> None:
    """Any other command in a group: what can be done here."""
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return
    person = await person_of(update, context)
    svc = services(context)
    if await for_group(svc, update.effective_chat.id) is not None:
        await _reply(message, svc.render.text(person, "group.help"))
        return
    open_chat = InlineKeyboardButton(
        svc.render.text(person, "common.open_private"), url=f"https://t.me/{context.bot.username}"
    )
    await _reply(
        message, svc.render.text(person, "error.group_unknown"), InlineKeyboardMarkup([[open_chat]])
    )


# Minutes -------------------------------------------------------------------------------------


async def on_minutes(update: Update, context: DDContext) -> None:
    """/minutes — in the group for its meeting, in private for a meeting I lead or take notes in."""
    chat = update.effective_chat
    assert chat is not None
    if chat.type != "private":
        found = await _driven_live(update, context, started=True)
        if found is not None:
            await send_minutes(context, found[0].audience, found[0].meeting, chat.id)
        return
    person = await person_of(update, context)
    svc = services(context)
    mine = [m for m, role in await svc.repos.meetings.of_person(person.id) if role in DRIVERS]
    linked = [m for m in mine if await svc.repos.dialogues.get(m.id) is not None]
    if not linked:
        await say(context, person, "minutes.none_available")
    elif len(linked) == 1:
        await send_minutes(context, person, linked[0], person.telegram_id)
    else:
        rows = [
            [
                button(
                    f"{m.title} ({m.starts_at:%d.%m.%Y})", callbacks.encode(callbacks.MINUTES, m.id)
                )
            ]
            for m in linked[-8:]
        ]
        await context.bot.send_message(
            person.telegram_id,
            svc.render.text(person, "minutes.choose"),
            reply_markup=InlineKeyboardMarkup(rows),
        )


async def on_minutes_button(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    svc = services(context)
    meeting = await svc.repos.meetings.get(payload.id_arg(0))
    if meeting is None:
        return svc.render.text(person, "error.button_expired")
    if await svc.repos.meetings.role_of(meeting.id, person.id) not in DRIVERS:
        return svc.render.text(person, "dialogue.only_drivers")
    await send_minutes(context, person, meeting, person.telegram_id)
    return None


async def send_minutes(context: DDContext, reader: Person, meeting: Meeting, chat_id: int) -> None:
    svc = services(context)
    await context.bot.send_chat_action(chat_id, "upload_document")
    data = await minutes.gather(svc.repos, meeting)
    writer = minutes.MinutesWriter(svc.catalogue, svc.flows, reader.language)
    stem = writer.file_stem(data)
    caption = svc.render.text(reader, "minutes.caption", title=meeting.title)
    names = {"da": ("referat", "handlinger"), "en": ("minutes", "actions")}.get(
        reader.language, ("minutes", "actions")
    )
    await context.bot.send_document(
        chat_id,
        InputFile(writer.markdown(data).encode(), filename=f"{names[0]}-{stem}.md"),
        caption=caption,
    )
    await context.bot.send_document(
        chat_id, InputFile(writer.csv_bytes(data), filename=f"{names[1]}-{stem}.csv")
    )


BUTTONS: dict[str, ButtonHandler] = {
    callbacks.LINK: on_link_button,
    callbacks.MINUTES: on_minutes_button,
}
