"""`datadialog demo`: the preparation stage played end to end, offline, written to a folder.

A leader plans a meeting and sends the team's indicator file (every chart type appears, with
its caption), a referent and three participants join by link (one with an English
phone), two finish, one stops half-way, the bot restarts, the third finishes, and the leader's
/status shows who is ready with a chart. No token and no network: the real Application talks to
the in-process fake Bot API, on a fresh SQLite database in the output folder.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

from bot.fakeapi.script import plan_meeting
from bot.fakeapi.transcript import write_transcripts
from bot.fakeapi.world import ManualClock, OfflineWorld
from bot.settings import Settings

SAMPLE_DATA = Path(__file__).parent / "demo_data" / "fritidsindsats.csv"
"""Invented numbers in the format Danish Excel exports: semicolons, decimal commas, cp1252."""

DEMO_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
"""The demo's fixed 'now', so the transcript reads the same on every run."""

log = logging.getLogger(__name__)


def run_demo(out: Path) -> list[Path]:
    """Play the scenario on a fresh database in `out`; returns the transcripts written there."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("chat-*.md"), *out.glob("*.png"), *out.glob("demo.db*")]:
        stale.unlink()
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{out / 'demo.db'}")
    world = OfflineWorld(settings, ManualClock(DEMO_NOW))
    asyncio.run(_play(world))
    if world.api.violations:
        raise RuntimeError(f"the bot made calls Telegram would refuse: {world.api.violations}")
    return write_transcripts(world.api, out)


async def _play(world: OfflineWorld) -> None:
    await world.start()
    try:
        await _preparation(world)
    finally:
        await world.stop()


async def _preparation(world: OfflineWorld) -> None:
    mette = world.person(101, "Mette", last_name="Holm")
    await mette.sends("/start")
    participant_token, referent_token = await plan_meeting(mette)
    await mette.sends_document("fritidsindsats.csv", SAMPLE_DATA.read_bytes())  # Danish Excel
    await mette.sends("/pack")  # the leader previews what participants will get
    await mette.sends("At se, om fritidsindsatsen holder de unge fast efter sommeren.")
    await mette.sends("Indsatsen som helhed: fremmøde og trivsel.")
    await mette.taps("Ja")
    await mette.taps("Nej")  # roles not settled yet: /status will remind her
    await mette.taps("Ja")
    await mette.taps("Ja")

    rikke = world.person(150, "Rikke")
    await rikke.sends(f"/start {referent_token}")

    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {participant_token}")
    await jonas.sends("ok")  # too short: the bot explains and asks again
    await jonas.sends("Flere unge er kommet i fritidsjob siden foråret.")
    await jonas.sends("Fremmødet falder efter tre måneder.")
    await jonas.sends("Kan vi se tallene opdelt på alder?")
    await jonas.taps("Ret svar 2")
    await jonas.sends("Fremmødet falder efter tre måneder – især hos de ældste.")

    aisha = world.person(203, "Aisha")
    await aisha.sends(f"/start {participant_token}")
    await aisha.sends("Trivselsscoren er steget for anden måling i træk.")
    await aisha.sends("Vi hører for lidt fra de unge, der stopper.")
    await aisha.taps("Spring over")

    lars = world.person(204, "Lars", language_code="en")
    await lars.sends(f"/start {participant_token}")
    await lars.sends("More young people take part than last year.")

    await mette.sends("/status")  # two ready, one under way

    log.info("restarting the bot in the middle of Lars's preparation")
    await world.restart()

    await lars.sends("We lose many after the summer holidays.")
    await lars.sends("How is attendance counted?")

    await mette.sends("/status")
    await mette.sends("/help")


def main(out: Path) -> None:
    written = run_demo(out)
    charts = sorted(out.glob("*.png"))
    print(f"Demo finished: {len(written)} chats and {len(charts)} chart(s) in {out}/")
    for path in [*written, *charts]:
        print(f"  {path}")
