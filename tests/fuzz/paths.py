"""The inputs that bring a run of a flow to each of its steps, found with the pure engine.

A depth-first walk tries plausible answers for each kind of step (every option of a choice,
a few dates and numbers) and keeps the first path that reaches each step, so branches are
covered without a hand-written route per flow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flows import engine
from flows.engine import ButtonInput, Event, SkipInput, SubmitInput, TextInput
from flows.model import Flow, Step, StepKind

DATES = ("28.11.2026 10:00", "1.12.2026 12:00", "3.12.2026 10:00", "10.12.2026 10:00")
NUMBERS = ("1", "3", "6", "12")
TEXT = "Fremmødet stiger om vinteren"
TIME_ZONE = "Europe/Copenhagen"


def candidates(step: Step) -> list[tuple[Event, ...]]:
    """Answers worth trying on `step`, each a short sequence of inputs."""
    found: list[tuple[Event, ...]]
    match step.kind:
        case StepKind.TEXT:
            found = [(TextInput(TEXT),)]
        case StepKind.NUMBER:
            found = [(TextInput(n),) for n in NUMBERS]
        case StepKind.DATETIME:
            found = [(TextInput(d),) for d in DATES]
        case StepKind.MULTI:
            found = [(ButtonInput(step.id, o), SubmitInput(step.id)) for o in step.options]
        case _:
            found = [(ButtonInput(step.id, o),) for o in step.option_ids()]
    if step.optional:
        found.append((SkipInput(step.id),))
    return found


def paths_to_steps(flow: Flow, now: datetime) -> dict[str, tuple[Event, ...]]:
    """Step id -> the inputs from the flow's start that make it the open question."""
    context = engine.StepContext(now=now, time_zone=TIME_ZONE)
    paths: dict[str, tuple[Event, ...]] = {}

    def walk(state: dict, path: tuple[Event, ...], seen: Sequence[str]) -> None:
        step_id = state["step"]
        if step_id in seen:
            return
        paths.setdefault(step_id, path)
        for inputs in candidates(flow.step(step_id)):
            current = state
            for event in inputs:
                outcome = engine.advance(flow, current, event, context)
                if outcome.rejected is not None:
                    break
                current = outcome.state
            else:
                if current["status"] == "active":
                    walk(current, path + inputs, [*seen, step_id])

    walk(engine.start(flow).state, (), [])
    return paths
