"""Cold start: a fresh interpreter, start the bot, answer one /start, exit.

`measure(kind, runs)` is what bench.flow_steps prints. It launches the child
`python -m bench.cold_start DIR echo|datadialog USER STARTED`, which prints one JSON line: the
wall-clock moment the right reply to /start left, whether it was the right reply, which of our
packages (bot, flows, storage) the process imported, and how many of the source modules it ran
already had their byte code on disk before the run started.

- echo: bare PTB, a process that imports only python-telegram-bot, the standard library and the
  bench's own `lean_api`/`bare_ptb` (which import nothing of ours); the child fails if any module
  of ours was imported.
- datadialog: the real Application from `bot.app.build_application`, on an existing database.

Before the timed runs, one untimed run of each kind writes the byte code (this machine sets
PYTHONDONTWRITEBYTECODE, so that run clears it; a deployed bot has its .pyc files) and, for
Datadialog, migrates the database. The timed runs keep PYTHONDONTWRITEBYTECODE so they write
nothing, and report how many modules still ran from source.

This module imports only the standard library at the top: it is the baseline's main module too.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OURS = ("bot", "flows", "storage")
WARM_USER, FIRST_TIMED_USER = 41, 42


def _first_reply_echo(user_id: int) -> tuple[float, bool]:
    from bench.bare_ptb import echo_app, running_bare
    from bench.lean_api import LeanApi, text_update

    async def run() -> tuple[float, bool]:
        api = LeanApi()
        app = echo_app(api, concurrent=False)
        async with running_bare(app):
            api.expect(user_id, lambda text: text == "/start")
            await app.process_update(text_update(1, user_id, "/start", app.bot))
            answered = time.time()
        return answered, user_id in api.right

    return asyncio.run(run())


def _first_reply_datadialog(folder: Path, user_id: int) -> tuple[float, bool]:
    from pydantic import SecretStr

    from bench import _bot_internals as internals
    from bench.bare_ptb import no_rate_limit
    from bench.lean_api import TOKEN, LeanApi, text_update
    from bot.app import build_application
    from bot.lifecycle import running
    from bot.settings import Settings

    async def run() -> tuple[float, bool]:
        api = LeanApi()
        settings = Settings(_env_file=None, data_dir=folder, token=SecretStr(TOKEN))
        app = build_application(settings, request=api, rate_limiter=no_rate_limit())
        async with running(app):
            welcome = internals.text(app, "start.welcome", "da", name=f"P{user_id}")
            api.expect(user_id, lambda text: text == welcome)
            await app.process_update(text_update(1, user_id, "/start", app.bot))
            answered = time.time()
        return answered, user_id in api.right

    return asyncio.run(run())


def _byte_code(started: float) -> dict[str, int]:
    """Of the modules this process ran from a .py file, how many had a .pyc from before
    `started` (so were loaded from byte code) and how many were compiled from source."""
    had, compiled = 0, 0
    for module in list(sys.modules.values()):
        spec = getattr(module, "__spec__", None)
        origin, cached = getattr(spec, "origin", None), getattr(spec, "cached", None)
        if not (origin and cached and origin.endswith(".py")):
            continue
        try:
            fresh = os.path.getmtime(cached) < started
        except OSError:
            fresh = False
        if fresh:
            had += 1
        else:
            compiled += 1
    return {"had_pyc": had, "from_source": compiled}


def child() -> None:
    folder, kind, user_id, started = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    if kind == "echo":
        answered, right = _first_reply_echo(user_id)
    else:
        answered, right = _first_reply_datadialog(Path(folder), user_id)
    ours = sorted(name for name in sys.modules if name.split(".")[0] in OURS)
    if kind == "echo" and ours:
        raise SystemExit(f"the bare PTB baseline imported modules of ours: {ours}")
    report = {"answered": answered, "right": right, "ours": len(ours), **_byte_code(started)}
    print(json.dumps(report))


def _launch(folder: str, kind: str, user_id: int, env: dict[str, str]) -> dict:
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-m", "bench.cold_start", folder, kind, str(user_id), str(started)],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["seconds"] = report["answered"] - started
    return report


def measure(kind: str, runs: int) -> dict:
    """The median cold start of `runs` timed launches after one untimed, byte-code-writing one.

    Returns {"seconds": median of the timed runs that got the right reply, "right": how many
    did, "runs", "ours": modules of ours the process imported, "had_pyc"/"from_source": source
    modules of the last timed run loaded from byte code / compiled, "pyc_files": .pyc files of
    bench, bot, flows and storage on disk after the byte-code-writing run}."""
    writing = dict(os.environ)
    writing.pop("PYTHONDONTWRITEBYTECODE", None)
    not_writing = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    here = Path(__file__).resolve().parent
    roots = [here, *(here.parent / package for package in OURS)]
    with tempfile.TemporaryDirectory() as folder:
        _launch(folder, kind, WARM_USER, writing)
        pyc_files = sum(1 for root in roots for _ in root.glob("**/__pycache__/*.pyc"))
        timed = [_launch(folder, kind, FIRST_TIMED_USER + n, not_writing) for n in range(runs)]
    right = [report["seconds"] for report in timed if report["right"]]
    return {
        "seconds": statistics.median(right) if right else float("nan"),
        "right": len(right),
        "runs": runs,
        "ours": timed[-1]["ours"],
        "had_pyc": timed[-1]["had_pyc"],
        "from_source": timed[-1]["from_source"],
        "pyc_files": pyc_files,
    }


if __name__ == "__main__":
    child()
