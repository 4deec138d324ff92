"""Runs in a child process for the crash test: answer, get killed, or resume and report.

`python -m tests.support.crash_driver DIR answer` plans a meeting, lets Jonas answer two
questions and SIGKILLs itself the moment the second reply has been sent (no shutdown, no
flush). `... DIR resume` starts a fresh process on the same database, lets Jonas type his third
answer and prints what he saw and what is stored, as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.fakeapi.script import plan_meeting
from bot.fakeapi.world import ManualClock, OfflineWorld
from bot.settings import Settings

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


async def answer_then_die(world: OfflineWorld) -> None:
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")
    await jonas.sends("Flere borgere deltager i aktiviteter.")
    await jonas.sends("Vi mister mange efter sommerferien.")
    print(json.dumps({"last_seen": jonas.last_text()}), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


async def resume(world: OfflineWorld) -> None:
    jonas = world.person(202, "Jonas")
    await jonas.sends("Hvordan er fremmøde opgjort?")
    stored = await world.services.repos.runs.answers_for_meeting(1, "three_points")
    report = {"texts": jonas.texts(), "answers": [[a.step_id, a.value] for a in stored]}
    print(json.dumps(report), flush=True)


async def main(data_dir: str, phase: str) -> None:
    world = OfflineWorld(Settings(data_dir=Path(data_dir), _env_file=None), ManualClock(NOW))
    await world.start()
    await (answer_then_die if phase == "answer" else resume)(world)
    await world.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
