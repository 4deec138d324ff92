"""A killed process loses nothing: answers committed before their replies survive SIGKILL."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_driver(data_dir: Path, phase: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.support.crash_driver", str(data_dir), phase],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_preparation_continues_at_the_same_step_after_the_process_is_killed(tmp_path):
    killed = run_driver(tmp_path, "answer")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert json.loads(killed.stdout)["last_seen"].startswith("Spørgsmål 3 af 3")

    resumed = run_driver(tmp_path, "resume")
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["answers"] == [
        ["positive", "Flere borgere deltager i aktiviteter."],
        ["improve", "Vi mister mange efter sommerferien."],
        ["data_question", "Hvordan er fremmøde opgjort?"],
    ]
    assert report["texts"][0].startswith("Tak! Dine tre pointer er gemt.")
