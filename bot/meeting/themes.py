"""Explore: the group's themes, collected privately or by replying, shown in one living list.

As the method asks, the list holds observations without explanations, shows no author names,
and the leader adds their own observations last: the bot invites the leader once every
participant has contributed (or when the leader says it is their turn).
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup
from telegram.error import Forbidden

from bot.core import guard
from bot.core.capability import ButtonHandler
from bot.core.guard import DRIVERS, Toast
from bot.core.payloads import Payload, encode
from bot.core.render import Screen, button, shorten
from bot.core.send import edit_quietly, post, send
from bot.core.services import DDContext, Services, services
from bot.meeting.live import CONTRIBUTORS, VOTERS, Live, linked, load
from bot.meeting.timers import timers
from flows.dialogue import LISTED_THEME_CHARS, MAX_THEME_CHARS, MAX_THEMES, Phase
from flows.i18n import Trusted
from storage.records import Person, Run, Theme

THEME_ADD = "th"
THEME_SUGGEST = "ts"
LEADER_TURN = "tl"
MERGE = "tm"
MERGE_PICK = "mg"
MERGE_INTO = "mi"

REPLY_KIND = "theme"
ADD_THEME_FLOW = "add_theme"
SUGGESTION_LABEL_CHARS = 40


async def post_list(svc: Services, live: Live) -> None:
    screen = await themes_screen(svc, live)
    sent = await post(svc.bot, live.chat_id, screen)
    timers(svc).posted(live.chat_id, sent.message_id, screen)
    await svc.repos.dialogues.change(live.meeting.id, themes_message_id=sent.message_id)
    await svc.repos.dialogues.remember_reply_target(
        live.chat_id, sent.message_id, REPLY_KIND, live.meeting.id
    )


async def themes_screen(svc: Services, live: Live) -> Screen:
    render, reader = svc.render, live.audience
    current = await svc.repos.themes.current(live.meeting.id)
    if current:
        listing = Trusted(
            "\n".join(
                render.text(
                    reader,
                    "explore.theme_line",
                    number=number,
                    text=shorten(theme.text, LISTED_THEME_CHARS),
                )
                for number, theme in enumerate(current, start=1)
            )
        )
    else:
        listing = render.text(reader, "explore.empty")
    text = render.text(reader, "explore.list", count=len(current), themes=listing)
    if live.dialogue.phase != Phase.EXPLORE:
        return Screen(text)

    def action(key: str, prefix: str) -> object:
        return button(render.text(reader, key), encode(prefix, live.meeting.id))

    rows = [
        [action("explore.button.add", THEME_ADD)],
        [
            action("explore.button.leader_turn", LEADER_TURN),
            action("explore.button.merge", MERGE),
        ],
    ]
    return Screen(text, InlineKeyboardMarkup(rows))


async def add_theme(svc: Services, person: Person, live: Live, text: str) -> str | None:
    """Add one theme to the list; the refusal text if this person cannot add it now."""
    refusal = await _may_contribute(svc, person, live)
    if refusal:
        return refusal
    if len(await svc.repos.themes.current(live.meeting.id)) >= MAX_THEMES:
        return svc.render.text(person, "explore.list_full", max=MAX_THEMES)
    if len(text) > MAX_THEME_CHARS:
        return svc.render.text(person, "error.text_too_long", max=MAX_THEME_CHARS, length=len(text))
    await svc.repos.themes.add(live.meeting.id, person.id, text, svc.clock())
    await timers(svc).refresh(live.meeting.id, "themes")
    if person.id != live.meeting.created_by:
        await _invite_leader_when_everyone_spoke(svc, live)
    return None


async def _may_contribute(svc: Services, person: Person, live: Live) -> str | None:
    role = await svc.repos.meetings.role_of(live.meeting.id, person.id)
    if role not in CONTRIBUTORS:
        return svc.render.text(person, "explore.not_member")
    if live.dialogue.phase != Phase.EXPLORE:
        return svc.render.text(person, "explore.closed")
    if role == "leader" and not live.dialogue.leader_turn:
        return svc.render.text(person, "explore.leader_last")
    return None


async def _invite_leader_when_everyone_spoke(svc: Services, live: Live) -> None:
    fresh = await load(svc, live.meeting.id)
    if fresh is None or fresh.dialogue.leader_turn:
        return
    voters = {
        p.id for p, role in await svc.repos.dialogues.members(live.meeting.id) if role in VOTERS
    }
    if not voters or not voters <= await svc.repos.themes.authors(live.meeting.id):
        return
    await svc.repos.dialogues.change(live.meeting.id, leader_turn=True)
    leader = await svc.repos.people.get(live.meeting.created_by)
    assert leader is not None
    label = svc.render.text(leader, "explore.button.add")
    markup = InlineKeyboardMarkup([[button(label, encode(THEME_ADD, live.meeting.id))]])
    await send(svc.bot, leader, Screen(svc.render.text(leader, "explore.leader_prompt"), markup))


async def open_add_theme(svc: Services, person: Person, live: Live) -> None:
    """Ask privately for one theme, and offer the person's prepared points as one-tap themes."""
    await svc.runner.start_afresh(person, ADD_THEME_FLOW, meeting_id=live.meeting.id)
    screen = await _suggestions(svc, person, live)
    if screen is not None:
        await send(svc.bot, person, screen)


async def _suggestions(svc: Services, person: Person, live: Live) -> Screen | None:
    prep = await svc.repos.runs.latest_for(person.id, live.meeting.id, live.meeting.prep_flow_id)
    if prep is None:
        return None
    flow = svc.flows[prep.flow_id]
    rows = []
    for step in flow.steps:
        value = prep.state["answers"].get(step.id)
        if isinstance(value, str) and value:
            label = shorten(value, SUGGESTION_LABEL_CHARS)
            data = encode(THEME_SUGGEST, live.meeting.id, step.id)
            rows.append([button(label, data)])
    if not rows:
        return None
    return Screen(svc.render.text(person, "explore.suggestions"), InlineKeyboardMarkup(rows))


async def theme_written(svc: Services, person: Person, run: Run) -> None:
    """Finish hook of add_theme: the typed theme goes on the list."""
    live = await load(svc, run.meeting_id or 0)
    if live is None:
        return
    refusal = await add_theme(svc, person, live, run.state["answers"]["text"])
    await send(svc.bot, person, Screen(refusal or svc.render.text(person, "explore.added_private")))


# Buttons -------------------------------------------------------------------------------------


async def on_add_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """th:<meeting> — "Add theme", on the group's list or in the leader's invitation."""
    svc = services(context)
    live = await linked(svc, payload.id_arg(0))
    refusal = await _may_contribute(svc, person, live)
    if refusal:
        return refusal
    try:
        await open_add_theme(svc, person, live)
    except Forbidden:
        return svc.render.text(person, "explore.open_private_first")
    return Toast(svc.render.text(person, "explore.check_private"))


async def on_leader_turn(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """tl:<meeting> — the leader decides the others have had their say."""
    svc = services(context)
    live = await linked(svc, payload.id_arg(0))
    guard.check(person.id == live.meeting.created_by, "explore.leader_only")
    guard.check(live.dialogue.phase == Phase.EXPLORE, "explore.closed")
    changed = await svc.repos.dialogues.change(live.meeting.id, leader_turn=True)
    assert changed is not None
    return await on_add_button(context, person, payload, query)


async def on_suggestion(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """ts:<meeting>:<step> — one of the person's prepared points becomes a theme."""
    svc = services(context)
    live = await linked(svc, payload.id_arg(0))
    guard.check(len(payload.args) == 2)
    prep = await svc.repos.runs.latest_for(person.id, live.meeting.id, live.meeting.prep_flow_id)
    value = prep.state["answers"].get(payload.args[1]) if prep else None
    guard.check(isinstance(value, str) and value)
    assert isinstance(value, str)
    refusal = await add_theme(svc, person, live, shorten(value, MAX_THEME_CHARS))
    if refusal:
        return refusal
    for run in await svc.repos.runs.open_for(person.id):
        if run.flow_id == ADD_THEME_FLOW:
            await svc.repos.runs.close(run, svc.clock())
    if query.message is not None:
        added = svc.render.text(
            person, "explore.suggestion_added", text=shorten(value, MAX_THEME_CHARS)
        )
        await edit_quietly(svc.bot, person.telegram_id, query.message.message_id, Screen(added))
    return None


async def on_merge_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """tm:<meeting> — the referent or leader folds duplicates together (in private)."""
    svc = services(context)
    live = await linked(svc, payload.id_arg(0))
    await guard.role_in(svc, live.meeting.id, person, DRIVERS)
    current = await svc.repos.themes.current(live.meeting.id)
    guard.check(len(current) >= 2, "explore.nothing_to_merge")
    rows = [[button(_label(n, t), encode(MERGE_PICK, t.id))] for n, t in enumerate(current, 1)]
    text = svc.render.text(person, "explore.merge_which")
    try:
        await send(svc.bot, person, Screen(text, InlineKeyboardMarkup(rows)))
    except Forbidden:
        return svc.render.text(person, "explore.open_private_first")
    return Toast(svc.render.text(person, "explore.check_private"))


def _label(number: int, theme: Theme) -> str:
    return f"{number}. {shorten(theme.text, SUGGESTION_LABEL_CHARS)}"


async def _driver_theme(svc: Services, person: Person, theme_id: int) -> tuple[Theme, Live]:
    """A theme still on the list, and its meeting, if this person may merge themes there."""
    theme = await svc.repos.themes.get(theme_id) if theme_id else None
    guard.check(theme is not None and theme.merged_into is None)
    assert theme is not None
    live = await linked(svc, theme.meeting_id)
    await guard.role_in(svc, theme.meeting_id, person, DRIVERS, refusal=guard.STALE)
    return theme, live


async def on_merge_pick(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """mg:<theme> — this one is the duplicate; now choose the theme it belongs to."""
    svc = services(context)
    duplicate, live = await _driver_theme(svc, person, payload.id_arg(0))
    current = await svc.repos.themes.current(live.meeting.id)
    rows = [
        [button(_label(n, t), encode(MERGE_INTO, duplicate.id, t.id))]
        for n, t in enumerate(current, 1)
        if t.id != duplicate.id
    ]
    text = svc.render.text(person, "explore.merge_into", text=duplicate.text)
    if query.message is not None:
        screen = Screen(text, InlineKeyboardMarkup(rows))
        await edit_quietly(svc.bot, person.telegram_id, query.message.message_id, screen)
    return None


async def on_merge_into(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """mi:<duplicate>:<into>"""
    svc = services(context)
    duplicate, live = await _driver_theme(svc, person, payload.id_arg(0))
    into = await svc.repos.themes.get(payload.id_arg(1)) if payload.id_arg(1) else None
    guard.check(into is not None and into.merged_into is None)
    assert into is not None
    guard.check(await svc.repos.themes.merge(duplicate, into))
    await timers(svc).refresh(live.meeting.id, "themes")
    if live.dialogue.ballot_message_id is not None:
        await timers(svc).refresh(live.meeting.id, "ballot")
    if query.message is not None:
        done = svc.render.text(person, "explore.merged", duplicate=duplicate.text, into=into.text)
        await edit_quietly(svc.bot, person.telegram_id, query.message.message_id, Screen(done))
    return None


BUTTONS: dict[str, ButtonHandler] = {
    THEME_ADD: on_add_button,
    LEADER_TURN: on_leader_turn,
    THEME_SUGGEST: on_suggestion,
    MERGE: on_merge_button,
    MERGE_PICK: on_merge_pick,
    MERGE_INTO: on_merge_into,
}
