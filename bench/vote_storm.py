"""A vote storm: 50 participants each press 3 dot-vote buttons within one second.

Prints p50/p95 milliseconds from each tap (update) to its dot being stored, beside a bare PTB
bot that only answers the same taps (the baseline, measured in the same run), and how many
times the group's ballot message was edited: edits are coalesced to at most one per 3 s per
message, so the group stays well inside Telegram's 20 messages a minute.

    python -m bench.vote_storm             # about 25 seconds
    python -m bench.vote_storm --rounds 5  # more storms, medians reported
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from pydantic import SecretStr
from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler

from bench.lean_api import BOT, TOKEN, LeanApi
from bot.app import build_application
from bot.context import SERVICES_KEY
from bot.lifecycle import running
from bot.meeting import phases
from bot.meeting.kit import KIT_KEY
from bot.meeting.live import load
from bot.meeting.timers import COALESCE
from bot.ordering import PerChatOrderedProcessor
from bot.settings import Settings
from flows.dialogue import DEFAULT_DOTS, DEFAULT_TIMEBOXES, Phase

PARTICIPANTS = 50
TAPS_EACH = 3
THEMES = 6
GROUP = -1_000_000_000_001
FIRST_USER = 20_000


async def answer_only(update: Update, context) -> None:
    await update.callback_query.answer()


def baseline_app(api: LeanApi) -> Application:
    builder = ApplicationBuilder().token(TOKEN).request(api).get_updates_request(api)
    builder = builder.updater(None).rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.concurrent_updates(PerChatOrderedProcessor(64)).build()
    app.add_handler(CallbackQueryHandler(answer_only))
    return app


async def meeting_in_interpret(app: Application) -> tuple[int, list[int]]:
    """A meeting with 50 participants in its Interpret step: (ballot message, theme ids)."""
    svc, kit = app.bot_data[SERVICES_KEY], app.bot_data[KIT_KEY]
    now = svc.clock()
    leader = await svc.repos.people.ensure(1, "Leader", "da", "Europe/Copenhagen", now)
    later = now.replace(year=now.year + 1)
    meeting, _ = await svc.repos.meetings.create(
        leader, title="Bench", team_name="Team", starts_at=later, prep_deadline_at=later,
        time_zone="Europe/Copenhagen", prep_flow_id="three_points", now=now,
    )  # fmt: skip
    invite = await svc.repos.invites.issue(meeting.id, "participant", expires_at=later, now=now)
    for user_id in range(FIRST_USER, FIRST_USER + PARTICIPANTS):
        person = await svc.repos.people.ensure(
            user_id, f"P{user_id}", "da", "Europe/Copenhagen", now
        )
        await svc.repos.invites.redeem(invite.token, person, now)
    await svc.repos.dialogues.link(
        meeting.id, GROUP, leader, now, timeboxes=DEFAULT_TIMEBOXES, dots=DEFAULT_DOTS
    )
    themes = [
        (await svc.repos.themes.add(meeting.id, leader.id, f"Tema {n}", now)).id
        for n in range(1, THEMES + 1)
    ]
    live = await load(svc, meeting.id)
    assert live is not None
    await phases.move(kit, live, Phase.INTERPRET)
    dialogue = await svc.repos.dialogues.get(meeting.id)
    assert dialogue is not None
    assert dialogue.ballot_message_id is not None
    return dialogue.ballot_message_id, themes


def taps(app: Application, ballot_id: int, themes: list[int], storm: int) -> list[Update]:
    """Everyone's taps, round by round, as Telegram would deliver them."""
    message = {"message_id": ballot_id, "date": 0, "from": BOT, "text": "Prioritér",
               "chat": {"id": GROUP, "type": "supergroup", "title": "Team"}}  # fmt: skip
    updates = []
    for tap in range(TAPS_EACH):
        for n, user_id in enumerate(range(FIRST_USER, FIRST_USER + PARTICIPANTS)):
            user = {"id": user_id, "is_bot": False, "first_name": f"P{user_id}"}
            theme = themes[(n + tap) % len(themes)]
            query = {"id": f"{storm}-{user_id}-{tap}", "from": user, "chat_instance": "c",
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


async def storm_datadialog(data_dir: Path, storm: int) -> tuple[list[float], list[float], int, int]:
    """(ms to stored dot, ms to answered tap, ballot edits, dots stored) for one storm."""
    api = LeanApi()
    settings = Settings(_env_file=None, data_dir=data_dir, token=SecretStr(TOKEN))
    app = build_application(settings, request=api)
    async with running(app):
        ballot_id, themes = await meeting_in_interpret(app)
        svc = app.bot_data[SERVICES_KEY]
        stored_at: dict[int, list[float]] = defaultdict(list)
        cast = svc.repos.themes.cast

        async def timed_cast(theme_id, voter_id, now, **kwargs):
            outcome = await cast(theme_id, voter_id, now, **kwargs)
            stored_at[voter_id].append(time.perf_counter())
            return outcome

        svc.repos.themes.cast = timed_cast  # type: ignore[method-assign]
        edits_before = len(api.edits)
        updates = taps(app, ballot_id, themes, storm)
        put_at = await spread_over_one_second(app, updates)
        await api.wait_until_answered(len(updates))
        await asyncio.sleep(COALESCE.total_seconds() + 0.5)  # the coalesced last edit
        user_ids = {person.id: person.telegram_id for person in
                    [await svc.repos.people.get(uid) for uid in stored_at]}  # fmt: skip
        to_stored = []
        for person_id, times in stored_at.items():
            telegram_id = user_ids[person_id]
            for tap, at in enumerate(times):
                to_stored.append((at - put_at[f"{storm}-{telegram_id}-{tap}"]) * 1000)
        to_answer = [(api.answered[q] - t) * 1000 for q, t in put_at.items()]
        ballot_edits = [e for e in api.edits[edits_before:] if e[:2] == (GROUP, ballot_id)]
        dots = len(await svc.repos.themes.votes(1))
    return to_stored, to_answer, len(ballot_edits), dots


async def storm_baseline(storm: int) -> list[float]:
    api = LeanApi()
    app = baseline_app(api)
    async with running(app):
        updates = taps(app, 1, list(range(1, THEMES + 1)), storm)
        put_at = await spread_over_one_second(app, updates)
        await api.wait_until_answered(len(updates))
    return [(api.answered[q] - t) * 1000 for q, t in put_at.items()]


def p(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100)[percent - 1]


async def measure(rounds: int) -> None:
    """One storm on each side to warm up (imports, statement caches), then `rounds` measured."""
    await storm_baseline(0)
    with tempfile.TemporaryDirectory() as folder:
        await storm_datadialog(Path(folder), 0)
    rows = []
    for storm in range(1, rounds + 1):
        baseline = await storm_baseline(storm)
        with tempfile.TemporaryDirectory() as folder:
            stored, answered, edits, dots = await storm_datadialog(Path(folder), storm)
        rows.append((baseline, stored, answered, edits, dots))
        print(f"storm {storm}: baseline answered p50 {p(baseline, 50):5.1f} ms "
              f"p95 {p(baseline, 95):5.1f} ms | Datadialog stored p50 {p(stored, 50):5.1f} ms "
              f"p95 {p(stored, 95):5.1f} ms, answered p95 {p(answered, 95):5.1f} ms "
              f"| ballot edits {edits} | dots {dots}")  # fmt: skip
    med = statistics.median
    base95 = med(p(r[0], 95) for r in rows)
    stored50, stored95 = med(p(r[1], 50) for r in rows), med(p(r[1], 95) for r in rows)
    print()
    print(
        f"{PARTICIPANTS} participants x {TAPS_EACH} taps in one second, median of {rounds} storm(s)"
    )
    print(f"bare PTB answering the taps     p95 {base95:6.1f} ms")
    print(f"Datadialog tap -> stored dot    p50 {stored50:6.1f} ms, p95 {stored95:6.1f} ms "
          f"(ratio of p95s {stored95 / base95:.1f}x the baseline)")  # fmt: skip
    print(f"ballot edits per storm          {', '.join(str(r[3]) for r in rows)} "
          f"(at most one per {COALESCE.total_seconds():.0f} s; 150 uncoalesced)")  # fmt: skip
    print(f"dots stored per storm           {', '.join(str(r[4]) for r in rows)} (expected 150)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3, help="storms to run (medians reported)")
    asyncio.run(measure(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
