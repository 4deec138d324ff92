"""Scripted steps a simulated person takes, shared by the demo and the tests."""

from __future__ import annotations

import re

from bot.fakeapi.people import SimulatedPerson

TOKEN = re.compile(r"\?start=([A-Za-z0-9_-]+)")


async def plan_meeting(
    leader: SimulatedPerson,
    *,
    title: str = "Status på fritidsindsatsen",
    team: str = "Team Fritid",
    starts: str = "3.12.2026 10:00",
    deadline: str = "2.12.2026 12:00",
    form: str = "Tre pointer",
) -> tuple[str, str]:
    """Drive /newmeeting; returns the (participant, referent) invitation tokens."""
    await leader.sends("/newmeeting")
    for answer in (title, team, starts, deadline):
        await leader.sends(answer)
    await leader.taps(form)
    links = next(text for text in reversed(leader.texts()) if "?start=" in text)
    participant, referent = TOKEN.findall(links)
    return participant, referent
