"""Scenario steps shared by tests: plan a meeting through the bot, read invitation tokens."""

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


async def answer_three_points(person: SimulatedPerson, *, skip_question: bool = False) -> None:
    await person.sends(f"Flere af {person.user['first_name']}s borgere er kommet i fritidsjob.")
    await person.sends("Fremmødet falder efter tre måneder.")
    if skip_question:
        await person.taps("Spring over")
    else:
        await person.sends("Kan vi se tallene opdelt på alder?")
