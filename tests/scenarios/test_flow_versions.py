"""A step of a preparation form is renamed while people are half-way through it: after the
deploy they go on where they were, their answers come along, and an old button still works."""

from __future__ import annotations

from sqlalchemy import select

from flows.registry import FlowRegistry
from storage.schema import answers, flow_runs
from tests.support.steps import plan_meeting
from tests.unit.test_flow_versions import renamed_three_points


async def test_participants_half_way_through_a_renamed_flow_are_not_stranded(world, da):
    mette = world.person(101, "Mette", last_name="Holm")
    participant_token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    aisha = world.person(203, "Aisha")
    for person in (jonas, aisha):
        await person.sends(f"/start {participant_token}")
    await jonas.sends("Flere unge er kommet i fritidsjob.")
    assert jonas.last_text().startswith("Spørgsmål 2 af 3")
    await aisha.sends("Flere unge er kommet i fritidsjob.")
    await aisha.sends("Fremmødet falder efter tre måneder.")
    assert aisha.last_text().startswith("Spørgsmål 3 af 3")

    await world.restart()  # the deploy: three_points version 2 renames two steps
    world.services.flows = FlowRegistry(
        {**world.services.flows, "three_points": renamed_three_points()}
    )

    await jonas.sends("Fremmødet falder efter tre måneder.")
    assert jonas.last_text().startswith("Spørgsmål 3 af 3")
    await aisha.taps("Spring over")  # a button shown before the deploy
    assert world.api.violations == []
    summary = aisha.last_text()
    assert "1. Hvilken positiv udvikling ser du i data?\nFlere unge" in summary
    assert "2. Hvor ser du en mulighed for at blive bedre?\nFremmødet falder" in summary

    async with world.services.engine.connect() as conn:
        runs = (await conn.execute(select(flow_runs.c.flow_version, flow_runs.c.current_step)
                                   .where(flow_runs.c.flow_id == "three_points")
                                   .order_by(flow_runs.c.user_id))).all()  # fmt: skip
        stored = (await conn.execute(select(answers.c.step_id).order_by(answers.c.id))).scalars()
        step_ids = set(stored)
    assert runs == [(2, "data_question"), (2, None)]
    assert {"bright_spot", "to_improve"} <= step_ids
    assert not {"positive", "improve"} & step_ids
