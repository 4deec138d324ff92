"""A vote storm: 50 participants each press 3 dot-vote buttons within one second.

Both sides get the same taps through their Application's real update queue and are timed the
same way: from the tap (the update queued) to its answered button (the tap's own
answerCallbackQuery reaching the fake Bot API). The baseline is a bare PTB bot that only answers
the taps (PTB's SimpleUpdateProcessor, nothing of ours); Datadialog stores the dot first, then
answers (its PerChatOrderedProcessor). Both use PTB's AIORateLimiter as Datadialog configures
it. A tap counts only if its own query id is answered, once, with the right text: none for the
baseline, Datadialog's "dot on <theme>, n left" toast for that theme and count. After each storm
the database must hold every dot that was tapped, and the group's ballot message edits seen
during the storm are counted (the bot coalesces them to stay inside Telegram's group limit).

    python -m bench.vote_storm             # three storms, about 45 seconds
    python -m bench.vote_storm --rounds 1  # one storm, about 20 seconds
"""

from __future__ import annotations

import argparse
import asyncio
import html
import itertools
import re
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import select
from telegram import Update
from telegram.ext import Application

from bench import _bot_internals as internals
from bench.bare_ptb import answering_app, processor_name, rate_limiter_name, running_bare
from bench.lean_api import BOT, TOKEN, LeanApi
from bot.app import build_application
from bot.lifecycle import running
from bot.settings import Settings
from storage.db import open_engine
from storage.schema import users, votes

PARTICIPANTS = 50
TAPS_EACH = 3
THEMES = 6
GROUP = -1_000_000_000_001
FIRST_USER = 20_000
WAIT_FOR_ANSWERS_S = 60.0


@dataclass
class Storm:
    to_answer: list[float]
    """Milliseconds from each tap to its right answer."""
    taps: int
    right: int
    wrong: int
    answered_twice: int
    processor: str
    spread: float
    """Seconds from the first tap queued to the last."""
    ballot_edits: int = 0
    smallest_edit_gap: float | None = None
    dots_stored: int = 0
    dots_as_tapped: bool = False


def tap_plan(themes: list[int]) -> list[tuple[str, int, int, int]]:
    """(query id, user, tap index, theme id) of everyone's taps, round by round."""
    return [
        (f"{user_id}-{tap}", user_id, tap, themes[(n + tap) % len(themes)])
        for tap in range(TAPS_EACH)
        for n, user_id in enumerate(range(FIRST_USER, FIRST_USER + PARTICIPANTS))
    ]


def tap_updates(app: Application, ballot_id: int, plan, storm: int) -> list[Update]:
    """The taps as Telegram would deliver them."""
    message = {"message_id": ballot_id, "date": 0, "from": BOT, "text": "Prioritér",
               "chat": {"id": GROUP, "type": "supergroup", "title": "Team"}}  # fmt: skip
    updates = []
    for query_id, user_id, _, theme in plan:
        user = {"id": user_id, "is_bot": False, "first_name": f"P{user_id}"}
        query = {"id": f"{storm}-{query_id}", "from": user, "chat_instance": "c",
                 "message": message, "data": f"v:{theme}"}  # fmt: skip
        updates.append(
            Update.de_json({"update_id": len(updates) + 1, "callback_query": query}, app.bot)
        )
    return updates


async def spread_over_one_second(app: Application, updates: list[Update]) -> dict[str, float]:
    """Put the taps on the queue evenly within one second; when each went in, by query id."""
    put_at = {}
    start = time.perf_counter()
    for index, update in enumerate(updates):
        await asyncio.sleep(max(0.0, start + index / len(updates) - time.perf_counter()))
        put_at[update.callback_query.id] = time.perf_counter()
        app.update_queue.put_nowait(update)
    return put_at


def timings(api: LeanApi, put_at: dict[str, float], processor: str) -> Storm:
    to_answer = [(api.right_answers[q] - t) * 1000 for q, t in put_at.items()
                 if q in api.right_answers]  # fmt: skip
    spread = max(put_at.values()) - min(put_at.values())
    return Storm(to_answer, len(put_at), len(to_answer), len(api.wrong_answers),
                 api.answered_twice, processor, spread)  # fmt: skip


async def storm_baseline(storm: int) -> Storm:
    api = LeanApi()
    app = answering_app(api)
    async with running_bare(app):
        updates = tap_updates(app, 1, tap_plan(list(range(1, THEMES + 1))), storm)
        for update in updates:
            api.expect_answer(update.callback_query.id, None)
        put_at = await spread_over_one_second(app, updates)
        await api.all_answered(WAIT_FOR_ANSWERS_S)
    return timings(api, put_at, f"{processor_name(app)}, {rate_limiter_name(app)}")


async def meeting_in_interpret(app: Application) -> tuple[int, dict[int, str]]:
    """A meeting with 50 participants in its Interpret step: (ballot message, theme texts)."""
    repos, now = internals.repos(app), internals.now(app)
    leader = await repos.people.ensure(1, "Leader", "da", "Europe/Copenhagen", now)
    later = now.replace(year=now.year + 1)
    meeting, _ = await repos.meetings.create(
        leader, title="Bench", team_name="Team", starts_at=later, prep_deadline_at=later,
        time_zone="Europe/Copenhagen", prep_flow_id="three_points", now=now,
    )  # fmt: skip
    invite = await repos.invites.issue(meeting.id, "participant", expires_at=later, now=now)
    for user_id in range(FIRST_USER, FIRST_USER + PARTICIPANTS):
        person = await repos.people.ensure(user_id, f"P{user_id}", "da", "Europe/Copenhagen", now)
        await repos.invites.redeem(invite.token, person, now)
    themes = {}
    for n in range(1, THEMES + 1):
        theme = await repos.themes.add(meeting.id, leader.id, f"Tema {n}", now)
        themes[theme.id] = theme.text
    ballot_id = await internals.open_ballot(app, meeting.id, GROUP, leader)
    return ballot_id, themes


def plain(text: str) -> str:
    """A text as a button's answer shows it: no HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def dots_in_database(settings: Settings) -> Counter[tuple[int, int]]:
    """(user, theme) -> dots, read from the database after the bot stopped."""
    query = select(users.c.telegram_id, votes.c.theme_id).join(votes, votes.c.user_id == users.c.id)
    db = open_engine(settings.db_url)
    try:
        async with db.connect() as conn:
            return Counter((user, theme) for user, theme in (await conn.execute(query)).all())
    finally:
        await db.dispose()


async def storm_datadialog(data_dir: Path, storm: int) -> Storm:
    api = LeanApi()
    settings = Settings(_env_file=None, data_dir=data_dir, token=SecretStr(TOKEN))
    app = build_application(settings, request=api)  # Telegram's rate limits, as deployed
    async with running(app):
        ballot_id, themes = await meeting_in_interpret(app)
        plan = tap_plan(list(themes))
        budget = internals.dots_per_person()
        updates = tap_updates(app, ballot_id, plan, storm)
        for (_, _, tap, theme), update in zip(plan, updates, strict=True):
            toast = internals.text(app, "vote.cast", theme=themes[theme], left=budget - tap - 1)
            api.expect_answer(update.callback_query.id, plain(toast))
        edits_before = len(api.edits)
        put_at = await spread_over_one_second(app, updates)
        await api.all_answered(WAIT_FOR_ANSWERS_S)
        quiet = internals.ballot_edit_interval() + 1.0  # the coalesced last edit, then calm
        seen = -1
        while seen != len(api.edits):
            seen = len(api.edits)
            await asyncio.sleep(quiet)
        edit_times = [when for chat, message, when in api.edits[edits_before:]
                      if (chat, message) == (GROUP, ballot_id)]  # fmt: skip
        result = timings(api, put_at, f"{processor_name(app)}, {rate_limiter_name(app)}")
    dots = await dots_in_database(settings)
    tapped = Counter((user, theme) for _, user, _, theme in plan)
    result.ballot_edits = len(edit_times)
    gaps = [b - a for a, b in itertools.pairwise(edit_times)]
    result.smallest_edit_gap = min(gaps) if gaps else None
    result.dots_stored = sum(dots.values())
    result.dots_as_tapped = dots == tapped
    return result


def p(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return float("nan")
    return statistics.quantiles(values, n=100)[percent - 1]


async def measure(rounds: int) -> None:
    """One storm on each side to warm up (imports, statement caches), then `rounds` measured."""
    await storm_baseline(0)
    with tempfile.TemporaryDirectory() as folder:
        await storm_datadialog(Path(folder), 0)
    rows: list[tuple[Storm, Storm]] = []
    for storm in range(1, rounds + 1):
        base = await storm_baseline(storm)
        with tempfile.TemporaryDirectory() as folder:
            dd = await storm_datadialog(Path(folder), storm)
        rows.append((base, dd))
        gap = f"{dd.smallest_edit_gap:.1f} s" if dd.smallest_edit_gap is not None else "-"
        print(f"storm {storm}: bare PTB p50 {p(base.to_answer, 50):5.2f} ms "
              f"p95 {p(base.to_answer, 95):5.2f} ms ({base.right}/{base.taps} right) | "
              f"Datadialog p50 {p(dd.to_answer, 50):5.2f} ms p95 {p(dd.to_answer, 95):5.2f} ms "
              f"({dd.right}/{dd.taps} right) | ballot edits {dd.ballot_edits}, smallest gap "
              f"{gap} | dots stored {dd.dots_stored}/{dd.taps}")  # fmt: skip
    med = statistics.median
    base50, base95 = (med(p(b.to_answer, q) for b, _ in rows) for q in (50, 95))
    dd50, dd95 = (med(p(d.to_answer, q) for _, d in rows) for q in (50, 95))
    base, dd = rows[-1]
    spread = max(s.spread for row in rows for s in row)
    gaps = [d.smallest_edit_gap for _, d in rows if d.smallest_edit_gap is not None]
    print()
    print(f"{PARTICIPANTS} participants x {TAPS_EACH} taps, queued within {spread:.2f} s, "
          f"timed from tap to answered button; median of {rounds} storm(s)")  # fmt: skip
    print(f"{'Datadialog / bare PTB':55} p95 {dd95 / base95:6.1f}x,   p50 {dd50 / base50:6.1f}x")
    print(f"{'bare PTB   ' + base.processor:55} p95 {base95:6.2f} ms, p50 {base50:6.2f} ms   "
          "(answers the tap)")  # fmt: skip
    print(f"{'Datadialog ' + dd.processor:55} p95 {dd95:6.2f} ms, p50 {dd50:6.2f} ms   "
          "(stores the dot, then answers)")  # fmt: skip
    for name, index in (("bare PTB", 0), ("Datadialog", 1)):
        storms = [row[index] for row in rows]
        made = ", ".join(f"{s.taps}/{s.right}" for s in storms)
        wrong, twice = sum(s.wrong for s in storms), sum(s.answered_twice for s in storms)
        print(f"{name:10} taps made / right answers {made}   (wrong {wrong}, "
              f"answered twice {twice})")  # fmt: skip
    dds = [d for _, d in rows]
    print(f"Datadialog ballot edits seen      {', '.join(str(d.ballot_edits) for d in dds)}   "
          f"(for {', '.join(str(d.taps) for d in dds)} taps; smallest gap between two edits "
          f"{f'{min(gaps):.1f} s' if gaps else '-'})")  # fmt: skip
    print(
        f"Datadialog dots in the database   {', '.join(str(d.dots_stored) for d in dds)}   "
        f"(each tap's dot on its theme: {'yes' if all(d.dots_as_tapped for d in dds) else 'NO'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3, help="storms to run (medians reported)")
    asyncio.run(measure(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
