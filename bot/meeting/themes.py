"""Explore: the group's themes, collected privately or by replying, shown in one living list.

As the method asks, the list holds observations without explanations, shows no author names,
and the leader adds their own observations last: the bot invites the leader once every
participant has contributed (or when the leader says it is their turn).
"""

from __future__ import annotations

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup
from telegram.error import Forbidden

from bot import callbacks
from bot.context import DDContext, Services
from bot.handlers.common import ButtonHandler, Toast
from bot.meeting.kit import Kit, kit
from bot.meeting.live import CONTRIBUTORS, DRIVERS, VOTERS, Live, load
from bot.render import Screen, button, shorten
from bot.runner import FinishHook, FlowRunner
from flows.dialogue import MAX_THEME_CHARS, Phase
from flows.i18n import Trusted
from storage.records import Person, Run, Theme

REPLY_KIND = "theme"
ADD_THEME_FLOW = "add_theme"
SUGGESTION_LABEL_CHARS = 40


async def post_list(kit: Kit, live: Live) -> None:
    screen = await themes_screen(kit.svc, live)
    sent = await kit.post(live.chat_id, screen)
    await kit.svc.repos.dialogues.change(live.meeting.id, themes_message_id=sent.message_id)
    await kit.svc.repos.dialogues.remember_reply_target(
        live.chat_id, sent.message_id, REPLY_KIND, live.meeting.id
    )


async def themes_screen(svc: Services, live: Live) -> Screen:
    render, reader = svc.render, live.audience
    current = await svc.repos.themes.current(live.meeting.id)
    if current:
        listing = Trusted(
            "\n".join(
                render.text(reader, "explore.theme_line", number=number, text=theme.text)
                for number, theme in enumerate(current, start=1)
            )
        )
    else:
        listing = render.text(reader, "explore.empty")
    text = render.text(reader, "explore.list", count=len(current), themes=listing)
    if live.dialogue.phase != Phase.EXPLORE:
        return Screen(text)

    def action(key: str, prefix: str) -> object:
        return button(render.text(reader, key), callbacks.encode(prefix, live.meeting.id))

    rows = [
        [action("explore.button.add", callbacks.THEME_ADD)],
        [
            action("explore.button.leader_turn", callbacks.LEADER_TURN),
            action("explore.button.merge", callbacks.MERGE),
        ],
    ]
    return Screen(text, InlineKeyboardMarkup(rows))


async def add_theme(tools: Kit, person: Person, live: Live, text: str) -> str | None:
    """Add one theme to the list; the refusal text if this person cannot add it now."""
    svc = tools.svc
    refusal = await _may_contribute(svc, person, live)
    if refusal:
        return refusal
    if len(text) > MAX_THEME_CHARS:
        return svc.render.text(person, "error.text_too_long", max=MAX_THEME_CHARS, length=len(text))
    await svc.repos.themes.add(live.meeting.id, person.id, text, svc.clock())
    await tools.timers.refresh(live.meeting.id, "themes")
    if person.id != live.meeting.created_by:
        await _invite_leader_when_everyone_spoke(tools, live)
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


async def _invite_leader_when_everyone_spoke(tools: Kit, live: Live) -> None:
    svc = tools.svc
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
    markup = InlineKeyboardMarkup(
        [
            [
                button(
                    svc.render.text(leader, "explore.button.add"),
                    callbacks.encode(callbacks.THEME_ADD, live.meeting.id),
                )
            ]
        ]
    )
    await FlowRunner.send(
        tools.bot, leader, Screen(svc.render.text(leader, "explore.leader_prompt"), markup)
    )


async def open_add_theme(tools: Kit, person: Person, live: Live) -> None:
    """Ask privately for one theme, and offer the person's prepared points as one-tap themes."""
    svc = tools.svc
    await tools.runner.start_afresh(tools.bot, person, ADD_THEME_FLOW, meeting_id=live.meeting.id)
    screen = await _suggestions(svc, person, live)
    if screen is not None:
        await FlowRunner.send(tools.bot, person, screen)


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
            data = callbacks.encode(callbacks.THEME_SUGGEST, live.meeting.id, step.id)
            rows.append([button(label, data)])
    if not rows:
        return None
    return Screen(svc.render.text(person, "explore.suggestions"), InlineKeyboardMarkup(rows))


def theme_written(tools: Kit) -> FinishHook:
    """Finish hook of add_theme: the typed theme goes on the list."""

    async def hook(runner: FlowRunner, bot: Bot, person: Person, run: Run) -> None:
        live = await load(tools.svc, run.meeting_id) if run.meeting_id else None
        if live is None:
            return
        refusal = await add_theme(tools, person, live, run.state["answers"]["text"])
        text = refusal or tools.svc.render.text(person, "explore.added_private")
        await FlowRunner.send(bot, person, Screen(text))

    return hook


# Buttons -------------------------------------------------------------------------------------


async def _live_from(tools: Kit, person: Person, payload: callbacks.Payload) -> Live | str:
    live = await load(tools.svc, payload.id_arg(0))
    return live if live is not None else tools.svc.render.text(person, "error.button_expired")


async def on_add_button(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """th:<meeting> — "Add theme", on the group's list or in the leader's invitation."""
    tools = kit(context)
    live = await _live_from(tools, person, payload)
    if isinstance(live, str):
        return live
    refusal = await _may_contribute(tools.svc, person, live)
    if refusal:
        return refusal
    try:
        await open_add_theme(tools, person, live)
    except Forbidden:
        return tools.svc.render.text(person, "explore.open_private_first")
    return Toast(tools.svc.render.text(person, "explore.check_private"))


async def on_leader_turn(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """tl:<meeting> — the leader decides the others have had their say."""
    tools = kit(context)
    live = await _live_from(tools, person, payload)
    if isinstance(live, str):
        return live
    if person.id != live.meeting.created_by:
        return tools.svc.render.text(person, "explore.leader_only")
    changed = await tools.svc.repos.dialogues.change(live.meeting.id, leader_turn=True)
    assert changed is not None
    return await on_add_button(context, person, payload, query)


async def on_suggestion(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """ts:<meeting>:<step> — one of the person's prepared points becomes a theme."""
    tools = kit(context)
    svc = tools.svc
    live = await _live_from(tools, person, payload)
    if isinstance(live, str) or len(payload.args) != 2:
        return live if isinstance(live, str) else svc.render.text(person, "error.button_expired")
    prep = await svc.repos.runs.latest_for(person.id, live.meeting.id, live.meeting.prep_flow_id)
    value = prep.state["answers"].get(payload.args[1]) if prep else None
    if not isinstance(value, str) or not value:
        return svc.render.text(person, "error.button_expired")
    refusal = await add_theme(tools, person, live, shorten(value, MAX_THEME_CHARS))
    if refusal:
        return refusal
    for run in await svc.repos.runs.open_for(person.id):
        if run.flow_id == ADD_THEME_FLOW:
            await svc.repos.runs.close(run, svc.clock())
    if query.message is not None:
        added = svc.render.text(
            person, "explore.suggestion_added", text=shorten(value, MAX_THEME_CHARS)
        )
        await tools.edit(person.telegram_id, query.message.message_id, Screen(added))
    return None


async def on_merge_button(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """tm:<meeting> — the referent or leader folds duplicates together (in private)."""
    tools = kit(context)
    svc = tools.svc
    live = await _live_from(tools, person, payload)
    if isinstance(live, str):
        return live
    if await svc.repos.meetings.role_of(live.meeting.id, person.id) not in DRIVERS:
        return svc.render.text(person, "dialogue.only_drivers")
    current = await svc.repos.themes.current(live.meeting.id)
    if len(current) < 2:
        return svc.render.text(person, "explore.nothing_to_merge")
    rows = [
        [button(_label(n, t), callbacks.encode(callbacks.MERGE_PICK, t.id))]
        for n, t in enumerate(current, 1)
    ]
    text = svc.render.text(person, "explore.merge_which")
    try:
        await FlowRunner.send(tools.bot, person, Screen(text, InlineKeyboardMarkup(rows)))
    except Forbidden:
        return svc.render.text(person, "explore.open_private_first")
    return Toast(svc.render.text(person, "explore.check_private"))


def _label(number: int, theme: Theme) -> str:
    return f"{number}. {shorten(theme.text, SUGGESTION_LABEL_CHARS)}"


async def _driver_theme(tools: Kit, person: Person, theme_id: int) -> tuple[Theme, Live] | None:
    theme = await tools.svc.repos.themes.get(theme_id)
    if theme is None or theme.merged_into is not None:
        return None
    live = await load(tools.svc, theme.meeting_id)
    role = await tools.svc.repos.meetings.role_of(theme.meeting_id, person.id)
    return (theme, live) if live is not None and role in DRIVERS else None


async def on_merge_pick(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """mg:<theme> — this one is the duplicate; now choose the theme it belongs to."""
    tools = kit(context)
    svc = tools.svc
    found = await _driver_theme(tools, person, payload.id_arg(0))
    if found is None:
        return svc.render.text(person, "error.button_expired")
    duplicate, live = found
    current = await svc.repos.themes.current(live.meeting.id)
    rows = [
        [button(_label(n, t), callbacks.encode(callbacks.MERGE_INTO, duplicate.id, t.id))]
        for n, t in enumerate(current, 1)
        if t.id != duplicate.id
    ]
    text = svc.render.text(person, "explore.merge_into", text=duplicate.text)
    if query.message is not None:
        await tools.edit(
            person.telegram_id, query.message.message_id, Screen(text, InlineKeyboardMarkup(rows))
        )
    return None


async def on_merge_into(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """mi:<duplicate>:<into>"""
    tools = kit(context)
    svc = tools.svc
    found = await _driver_theme(tools, person, payload.id_arg(0))
    into = await svc.repos.themes.get(payload.id_arg(1))
    if found is None or into is None or into.merged_into is not None:
        return svc.render.text(person, "error.button_expired")
    duplicate, live = found
    if not await svc.repos.themes.merge(duplicate, into):
        return svc.render.text(person, "error.button_expired")
    await tools.timers.refresh(live.meeting.id, "themes")
    if live.dialogue.ballot_message_id is not None:
        await tools.timers.refresh(live.meeting.id, "ballot")
    if query.message is not None:
        done = svc.render.text(person, "explore.merged", duplicate=duplicate.text, into=into.text)
        await tools.edit(person.telegram_id, query.message.message_id, Screen(done))
    return None


BUTTONS: dict[str, ButtonHandler] = {
    callbacks.THEME_ADD: on_add_button,
    callbacks.LEADER_TURN: on_leader_turn,
    callbacks.THEME_SUGGEST: on_suggestion,
    callbacks.MERGE: on_merge_button,
    callbacks.MERGE_PICK: on_merge_pick,
    callbacks.MERGE_INTO: on_merge_into,
}
