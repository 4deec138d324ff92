"""Scenario steps shared by tests (planning a meeting lives with the demo in bot.fakeapi)."""

from __future__ import annotations

from bot.fakeapi.people import SimulatedPerson
from bot.fakeapi.script import plan_meeting

__all__ = ["answer_three_points", "plan_meeting"]


async def answer_three_points(person: SimulatedPerson, *, skip_question: bool = False) -> None:
    await person.sends(f"Flere af {person.user['first_name']}s borgere er kommet i fritidsjob.")
    await person.sends("Fremmødet falder efter tre måneder.")
    if skip_question:
        await person.taps("Spring over")
    else:
        await person.sends("Kan vi se tallene opdelt på alder?")
