"""10,000 reminders due at the same minute, to 10,000 chats, with the bot killed half-way.

The parent process plays Telegram: a small HTTP Bot API on localhost that counts every
sendMessage per chat and when it came. The bot runs in a child process (the real Application,
AIORateLimiter and the paced sender, on SQLite), is killed with SIGKILL part-way, started again,
and left to finish. Printed: sent, lost (must be 0), duplicates (must be 0), messages per second
against the limit (target >= 0.9x, never more than the limit in any one-second window), and the
child's memory while 10,000 reminders are pending (target < 150 MB).

Telegram's limits are scaled (x3 by default: 90 messages/s) so a run takes about two minutes;
`--scale 1` uses the real 30 messages/s (about six minutes). On this machine one send costs
about 9 ms of CPU in PTB and httpx, so x10 (300/s) is out of reach: it runs at about 110/s.

    python -m bench.reminder_fanout
    python -m bench.reminder_fanout --scale 1 --kill-after 3000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

from bench.lean_api import BOT, TOKEN

REMINDERS = 10_000
FIRST_CHAT = 5_000_000
TELEGRAM_RATE = 30


class FakeTelegramServer:
    """Just enough of the Bot API over HTTP/1.1 keep-alive for a bot that sends messages."""

    def __init__(self) -> None:
        self.sent: Counter[int] = Counter()
        self.times: list[float] = []
        self._message_id = 0
        self._target = 0
        self._reached = asyncio.Event()

    async def reached(self, count: int) -> None:
        """Return once `count` messages in all have arrived."""
        self._target = count
        if len(self.times) < count:
            await self._reached.wait()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method_path = lines[0].split(" ")[1]
                headers = {
                    k.lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                payload = json.dumps(self._answer(method_path.rsplit("/", 1)[-1], body)).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    def _answer(self, endpoint: str, body: bytes) -> dict:
        if endpoint == "getMe":
            return {"ok": True, "result": BOT}
        if endpoint != "sendMessage":
            return {"ok": True, "result": True}
        fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        chat_id = int(fields["chat_id"])
        self.sent[chat_id] += 1
        self.times.append(time.monotonic())
        if self._target and len(self.times) >= self._target:
            self._reached.set()
        self._message_id += 1
        chat = {"id": chat_id, "type": "private", "first_name": "P"}
        message = {"message_id": self._message_id, "date": 0, "chat": chat, "text": "ok"}
        return {"ok": True, "result": message}


async def seed(db_url: str, due_at: datetime) -> None:
    """10,000 people, one planned meeting, and a next-meeting notice for each, all due at once."""
    from storage.db import migrate, open_engine
    from storage.schema import meetings, reminders, teams, users

    engine = open_engine(db_url)
    await migrate(engine)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await conn.execute(users.insert(), [
            {"id": n + 1, "telegram_id": FIRST_CHAT + n, "display_name": f"P{n}", "language": "da",
             "time_zone": "Europe/Copenhagen", "is_reachable": True, "created_at": now}
            for n in range(REMINDERS)
        ])  # fmt: skip
        await conn.execute(teams.insert().values(id=1, name="Team", created_by=1, created_at=now))
        await conn.execute(meetings.insert().values(
            id=1, team_id=1, title="Datadialog", starts_at=now + timedelta(days=7),
            prep_deadline_at=now + timedelta(days=6), time_zone="Europe/Copenhagen",
            status="planned", prep_flow_id="three_points", created_by=1,
            created_at=now))  # fmt: skip
        await conn.execute(reminders.insert(), [
            {"kind": "meeting", "user_id": n + 1, "meeting_id": 1, "planned_at": due_at,
             "due_at": due_at, "time_zone": "Europe/Copenhagen", "status": "scheduled",
             "attempts": 0, "created_at": now}
            for n in range(REMINDERS)
        ])  # fmt: skip
    await engine.dispose()


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def child(db_url: str, port: int, rate: float) -> None:
    """The bot: start, report memory with everything pending, send until nothing is left."""
    from pydantic import SecretStr
    from sqlalchemy import func, select
    from telegram.ext import AIORateLimiter

    from bench import _bot_internals as internals
    from bot.app import build_application
    from bot.lifecycle import running
    from bot.settings import Settings
    from storage.schema import reminders

    settings = Settings(
        _env_file=None, token=SecretStr(TOKEN), database_url=db_url, reminder_rate=rate,
        api_base_url=f"http://127.0.0.1:{port}/bot",
    )  # fmt: skip
    app = build_application(settings, rate_limiter=AIORateLimiter(overall_max_rate=rate))
    async with running(app):
        async with internals.db_engine(app).connect() as conn:
            scheduled = select(func.count()).where(reminders.c.status == "scheduled")
            pending = (await conn.execute(scheduled)).scalar_one()
        print(json.dumps({"pending": pending, "rss_mb": rss_mb()}), flush=True)
        while await internals.repos(app).reminders.next_due_at() is not None:  # noqa: ASYNC110
            await asyncio.sleep(0.5)  # the table is the state: poll it until it is drained
        await asyncio.sleep(0.5)
        print(json.dumps({"done": True, "rss_mb": rss_mb()}), flush=True)


def spawn(db_url: str, port: int, rate: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.reminder_fanout", "--child", db_url, str(port), str(rate)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def max_in_one_second(times: list[float]) -> int:
    window: deque[float] = deque()
    most = 0
    for moment in times:
        window.append(moment)
        while moment - window[0] >= 1.0:
            window.popleft()
        most = max(most, len(window))
    return most


async def run(scale: float, kill_after: int) -> None:
    rate = TELEGRAM_RATE * scale
    server = FakeTelegramServer()
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite+aiosqlite:///{Path(folder) / 'fanout.db'}"
        due_at = datetime.now(UTC) + timedelta(seconds=8)  # all due at the same moment
        await seed(db_url, due_at)
        first = spawn(db_url, port, rate)
        memory = json.loads(await asyncio.to_thread(first.stdout.readline))
        await server.reached(kill_after)
        await asyncio.sleep(random.uniform(0, 0.05))  # not in step with any one send
        first.send_signal(signal.SIGKILL)
        await asyncio.to_thread(first.wait)
        killed_at = sum(server.sent.values())
        first_run = list(server.times)
        second = spawn(db_url, port, rate)
        await asyncio.to_thread(second.stdout.readline)  # started
        done = json.loads(await asyncio.to_thread(second.stdout.readline))
        await asyncio.to_thread(second.wait)
    listener.close()

    delivered = len(server.sent)
    duplicates = sum(count - 1 for count in server.sent.values())
    second_run = server.times[len(first_run) :]
    rates = [
        (len(part) - 1) / (part[-1] - part[0]) for part in (first_run, second_run) if len(part) > 1
    ]
    print(f"{REMINDERS} reminders due at one moment to {REMINDERS} chats, limit "
          f"{rate:.0f} msg/s (Telegram's 30/s x{scale:g}); bot SIGKILLed after {killed_at} "
          "and restarted")  # fmt: skip
    print(f"sent (distinct chats)          {delivered}")
    print(f"lost                           {REMINDERS - delivered}   (must be 0)")
    print(f"duplicates                     {duplicates}   (must be 0)")
    print(f"achieved rate                  {', '.join(f'{r:.1f}' for r in rates)} msg/s "
          f"before / after the kill = {', '.join(f'{r / rate:.2f}' for r in rates)}x the limit "
          f"(target >= 0.9x)")  # fmt: skip
    print(f"most in any one second         {max_in_one_second(server.times)} "
          f"(limit {rate:.0f})")  # fmt: skip
    print(
        f"bot memory, 10,000 pending     {memory['rss_mb']:.0f} MB RSS "
        f"({memory['pending']} scheduled; target < 150 MB); at the end {done['rss_mb']:.0f} MB"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        asyncio.run(child(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=3, help="multiply Telegram's limits")
    parser.add_argument("--kill-after", type=int, default=4000, help="messages before SIGKILL")
    args = parser.parse_args()
    asyncio.run(run(args.scale, args.kill_after))


if __name__ == "__main__":
    main()
