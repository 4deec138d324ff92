"""Interpret: dot-voting on the themes, the results chart, and choosing the one area.

Each participant has a budget of dots, may put several on one theme and take the newest back.
The ballot shows who has voted ("6/7"), not the running totals, so early dots do not steer
later ones. The leader closes the vote, breaks a tie, and the referent notes the explanations.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup

from bot.charts import draw, plans
from bot.charts.labels import chart_labels
from bot.charts.pool import draw as draw_in_pool
from bot.core import guard
from bot.core.capability import ButtonHandler
from bot.core.guard import DRIVERS, Refused, Toast
from bot.core.payloads import Payload, encode
from bot.core.render import Screen, button, shorten
from bot.core.send import edit_quietly, post
from bot.core.services import DDContext, Services, services
from bot.meeting.live import VOTERS, Live, linked, load
from bot.meeting.timers import timers
from flows.dialogue import LISTED_THEME_CHARS, ThemeScore, tally, top_themes
from flows.i18n import Trusted
from storage.records import Person, Theme

VOTE = "v"
VOTE_BACK = "vb"
VOTE_MINE = "vm"
VOTE_CLOSE = "vc"
TIE_BREAK = "vt"

REPLY_KIND = "area"
BUTTON_THEME_CHARS = 36
MAX_AREA_NOTE_CHARS = 2000


async def open_ballot(svc: Services, live: Live) -> None:
    await svc.repos.dialogues.open_vote(live.meeting.id)
    if not await svc.repos.themes.current(live.meeting.id):
        await svc.bot.send_message(live.chat_id, svc.render.text(live.audience, "vote.no_themes"))
        return
    fresh = await load(svc, live.meeting.id)
    assert fresh is not None
    ballot = await ballot_screen(svc, fresh)
    sent = await post(svc.bot, live.chat_id, ballot)
    timers(svc).posted(live.chat_id, sent.message_id, ballot)
    await svc.repos.dialogues.change(live.meeting.id, ballot_message_id=sent.message_id)


async def _eligible(svc: Services, meeting_id: int) -> int:
    return sum(role in VOTERS for _, role in await svc.repos.dialogues.members(meeting_id))


async def ballot_screen(svc: Services, live: Live) -> Screen:
    render, reader, dialogue = svc.render, live.audience, live.dialogue
    current = await svc.repos.themes.current(live.meeting.id)
    listing = Trusted(
        "\n".join(
            render.text(
                reader, "explore.theme_line", number=n, text=shorten(t.text, LISTED_THEME_CHARS)
            )
            for n, t in enumerate(current, start=1)
        )
    )
    text = render.text(
        reader,
        "vote.ballot",
        dots=dialogue.dots_per_person,
        themes=listing,
        voted=await svc.repos.themes.voter_count(live.meeting.id),
        eligible=await _eligible(svc, live.meeting.id),
    )
    if dialogue.vote_status != "open":
        return Screen(text + "\n\n" + render.text(reader, "vote.closed_note"))
    return Screen(text, _ballot_buttons(svc, live, current))


def _ballot_buttons(svc: Services, live: Live, current: list[Theme]) -> InlineKeyboardMarkup:
    """A dot button per theme, then take back / my dots, then the leader's close."""
    reader, meeting = live.audience, live.meeting.id

    def labelled(key: str, prefix: str) -> InlineKeyboardButton:
        return button(svc.render.text(reader, key), encode(prefix, meeting))

    rows = [
        [button(f"➕ {n}. {shorten(t.text, BUTTON_THEME_CHARS)}", encode(VOTE, t.id))]
        for n, t in enumerate(current, start=1)
    ]
    rows.append(
        [labelled("vote.button.take_back", VOTE_BACK), labelled("vote.button.mine", VOTE_MINE)]
    )
    rows.append([labelled("vote.button.close", VOTE_CLOSE)])
    return InlineKeyboardMarkup(rows)


async def _voter_live(svc: Services, person: Person, payload: Payload) -> Live:
    """The meeting a ballot button names, if this person votes in it."""
    live = await linked(svc, payload.id_arg(0))
    role = await svc.repos.meetings.role_of(live.meeting.id, person.id)
    guard.check(role is not None, "explore.not_member")
    guard.check(role in VOTERS, "vote.not_voter", role=svc.render.text(person, f"role.{role}"))
    return live


async def on_vote(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """v:<theme> — one more dot on this theme. The busiest button of all: one database trip."""
    svc = services(context)
    cast = await svc.repos.themes.cast(
        payload.id_arg(0), person.id, svc.clock(), voter_roles=VOTERS
    )
    if cast.result == "cast":
        assert cast.meeting_id is not None
        await timers(svc).refresh(cast.meeting_id, "ballot")
        left = cast.budget - cast.used
        return Toast(
            svc.render.text(person, "vote.cast", theme=shorten(cast.theme_text, 60), left=left)
        )
    if cast.result == "not_a_voter" and cast.role is None:
        return svc.render.text(person, "explore.not_member")
    if cast.result == "not_a_voter":
        return svc.render.text(
            person, "vote.not_voter", role=svc.render.text(person, f"role.{cast.role}")
        )
    if cast.result == "vote_closed":
        return svc.render.text(person, "vote.closed")
    if cast.result == "no_dots_left":
        return svc.render.text(person, "vote.no_dots", dots=cast.budget)
    raise Refused()


async def on_take_back(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """vb:<meeting> — take my newest dot back."""
    svc = services(context)
    live = await _voter_live(svc, person, payload)
    guard.check(live.dialogue.vote_status == "open", "vote.closed")
    theme_id = await svc.repos.themes.take_back(live.meeting.id, person.id)
    if theme_id is None:
        return Toast(svc.render.text(person, "vote.nothing_to_take_back"))
    await timers(svc).refresh(live.meeting.id, "ballot")
    theme = await svc.repos.themes.get(theme_id)
    return Toast(
        svc.render.text(person, "vote.taken_back", theme=shorten(theme.text if theme else "", 60))
    )


async def on_my_dots(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """vm:<meeting> — where my dots are."""
    svc = services(context)
    live = await _voter_live(svc, person, payload)
    mine = await svc.repos.themes.dots_of(live.meeting.id, person.id)
    numbers = {t.id: n for n, t in enumerate(await svc.repos.themes.current(live.meeting.id), 1)}
    placed = ", ".join(
        f"{dots}× {numbers.get(theme_id, '?')}"
        for theme_id, dots in sorted(mine.items(), key=lambda i: numbers.get(i[0], 0))
    )
    left = live.dialogue.dots_per_person - sum(mine.values())
    return svc.render.text(person, "vote.mine", placed=placed or "–", left=left)


async def on_close(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """vc:<meeting> — the leader closes the vote; results and the chosen area follow."""
    svc = services(context)
    live = await linked(svc, payload.id_arg(0))
    guard.check(person.id == live.meeting.created_by, "vote.leader_closes")
    guard.check(await svc.repos.dialogues.close_vote(live.meeting.id), "vote.closed")
    closed = await load(svc, live.meeting.id)
    assert closed is not None
    await announce_results(svc, closed)
    return None


async def announce_results(svc: Services, closed: Live) -> None:
    """After the vote is closed (stored first): the final ballot, the results chart, and the
    chosen area or the tie question; marked done last, so a crash in between is redone."""
    if closed.dialogue.ballot_message_id is not None:
        ballot = await ballot_screen(svc, closed)
        await edit_quietly(svc.bot, closed.chat_id, closed.dialogue.ballot_message_id, ballot)
    results = await _results(svc, closed)
    await _post_results(svc, closed, results)
    await _decide(svc, closed, results)
    await svc.repos.dialogues.change(closed.meeting.id, results_posted_at=svc.clock())


@dataclass(frozen=True)
class Results:
    themes: list[Theme]
    scores: list[ThemeScore]
    voters: int


async def _results(svc: Services, live: Live) -> Results:
    current = await svc.repos.themes.current(live.meeting.id)
    votes = await svc.repos.themes.votes(live.meeting.id)
    scores = tally(votes, [t.id for t in current])
    return Results(current, scores, len({voter for _, voter in votes}))


async def _post_results(svc: Services, live: Live, results: Results) -> None:
    reader = live.audience
    current, scores = results.themes, results.scores
    numbers = {t.id: n for n, t in enumerate(current, start=1)}
    texts = {t.id: t.text for t in current}
    title = svc.render.text(reader, "vote.chart_title")
    plan = plans.vote_results(
        title, [(f"{numbers[s.theme_id]}. {texts[s.theme_id]}", s.dots) for s in scores]
    )
    await svc.bot.send_chat_action(live.chat_id, "upload_photo")
    png = await draw_in_pool(
        svc.chart_executor,
        draw.render_png,
        plan,
        chart_labels(lambda key: svc.render.text(reader, key)),
        reader.language,
    )
    top = scores[0]
    leaders = top_themes(scores)
    reading = svc.render.text(
        reader,
        "vote.caption",
        dots=sum(s.dots for s in scores),
        voters=results.voters,
    )
    if len(leaders) > 1:
        result = svc.render.text(reader, "vote.caption_tie", count=len(leaders), dots=top.dots)
    else:
        result = svc.render.text(
            reader,
            "vote.caption_top",
            top=shorten(f"{numbers[top.theme_id]}. {texts[top.theme_id]}", 120),
            dots=top.dots,
            voters=top.voters,
        )
    caption = f"{reading} {result}"
    await svc.bot.send_photo(live.chat_id, photo=png, caption=caption)


async def _decide(svc: Services, live: Live, results: Results) -> None:
    reader = live.audience
    current, scores = results.themes, results.scores
    top = top_themes(scores) or [t.id for t in current]
    if len(top) == 1:
        await choose(svc, live, top[0])
        return
    by_id = {t.id: (n, t) for n, t in enumerate(current, start=1)}
    rows = [
        [
            button(
                f"{by_id[t][0]}. {shorten(by_id[t][1].text, BUTTON_THEME_CHARS)}",
                encode(TIE_BREAK, t),
            )
        ]
        for t in top
    ]
    text = svc.render.text(reader, "vote.tie", count=len(top))
    await post(svc.bot, live.chat_id, Screen(text, InlineKeyboardMarkup(rows)))


async def choose(svc: Services, live: Live, theme_id: int) -> None:
    theme = await svc.repos.themes.get(theme_id)
    assert theme is not None
    await svc.repos.dialogues.change(live.meeting.id, chosen_theme_id=theme_id)
    sent = await post(svc.bot, live.chat_id, chosen_screen(svc, live, theme, None))
    await svc.repos.dialogues.remember_reply_target(
        live.chat_id, sent.message_id, REPLY_KIND, live.meeting.id
    )


def chosen_screen(svc: Services, live: Live, theme: Theme, note: str | None) -> Screen:
    render, reader = svc.render, live.audience
    text = render.text(reader, "vote.chosen", theme=theme.text)
    if note:
        return Screen(text + "\n\n" + render.text(reader, "vote.area_note", note=note))
    return Screen(text + "\n\n" + render.text(reader, "vote.area_note_request"))


async def on_tie_break(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """vt:<theme> — the leader picks among the themes that tied."""
    svc = services(context)
    theme = await svc.repos.themes.get(payload.id_arg(0)) if payload.id_arg(0) else None
    guard.check(theme)
    assert theme is not None
    live = await linked(svc, theme.meeting_id)
    guard.check(person.id == live.meeting.created_by, "vote.leader_breaks_ties")
    guard.check(live.dialogue.chosen_theme_id is None and live.dialogue.vote_status == "closed")
    results = await _results(svc, live)
    guard.check(theme.id in (top_themes(results.scores) or [t.id for t in results.themes]))
    if query.message is not None:
        settled = svc.render.text(live.audience, "vote.tie_broken", theme=theme.text)
        await edit_quietly(svc.bot, live.chat_id, query.message.message_id, Screen(settled))
    await choose(svc, live, theme.id)
    return None


async def on_area_reply(
    svc: Services, person: Person, live: Live, message_id: int, text: str
) -> str | None:
    """A reply to the chosen-area message: the referent's explanations and core elements."""
    if await svc.repos.meetings.role_of(live.meeting.id, person.id) not in DRIVERS:
        raise Refused("dialogue.only_drivers")
    if len(text) > MAX_AREA_NOTE_CHARS:
        return svc.render.text(
            person, "error.text_too_long", max=MAX_AREA_NOTE_CHARS, length=len(text)
        )
    theme = (
        await svc.repos.themes.get(live.dialogue.chosen_theme_id)
        if live.dialogue.chosen_theme_id
        else None
    )
    if theme is None:
        raise Refused()
    await svc.repos.dialogues.change(live.meeting.id, area_note=text)
    await edit_quietly(svc.bot, live.chat_id, message_id, chosen_screen(svc, live, theme, text))
    return None


BUTTONS: dict[str, ButtonHandler] = {
    VOTE: on_vote,
    VOTE_BACK: on_take_back,
    VOTE_MINE: on_my_dots,
    VOTE_CLOSE: on_close,
    TIE_BREAK: on_tie_break,
}
