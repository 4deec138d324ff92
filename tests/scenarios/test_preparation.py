"""The whole preparation stage, as the leader and three participants live it on their phones."""

from __future__ import annotations

import struct

from sqlalchemy import select

from storage.schema import answers, flow_runs, invites, meetings, memberships
from tests.support.steps import answer_three_points, plan_meeting


async def test_leader_plans_three_join_one_resumes_after_restart_and_status_shows_3_of_3(world, da):
    mette = world.person(101, "Mette", last_name="Holm")
    participant_token, _ = await plan_meeting(mette)
    assert mette.texts()[-1].startswith("Spørgsmål 1 af 6")  # her own checklist opens at once
    assert any("er oprettet som møde nr. 1," in text for text in mette.texts())
    await mette.sends("/meetings")  # the number the command line asks for
    assert mette.last_text().endswith("– mødeleder\n  Nr. 1 · torsdag 3. december 2026 kl. 10:00")

    jonas = world.person(202, "Jonas")
    aisha = world.person(203, "Aisha")
    lars = world.person(204, "Lars")
    for person in (jonas, aisha, lars):
        await person.sends(f"/start {participant_token}")
    assert jonas.texts()[0].startswith("Velkommen til Status på fritidsindsatsen (Team Fritid)")
    assert "onsdag 2. december 2026 kl. 12:00" in jonas.texts()[0]
    assert jonas.last_text() == (
        "Spørgsmål 1 af 3\nHvilken positiv udvikling ser du i data?\n" + da("points.positive.hint")
    )

    await answer_three_points(jonas)
    await answer_three_points(aisha, skip_question=True)
    await lars.sends("Flere borgere deltager i aktiviteter end sidste år.")
    assert lars.last_text().startswith("Spørgsmål 2 af 3")

    await world.restart()

    await lars.sends("Vi mister mange efter sommerferien.")
    assert lars.last_text().startswith("Spørgsmål 3 af 3")
    await lars.sends("Hvordan er fremmøde opgjort?")
    assert any(t.startswith("Tak! Dine tre pointer er gemt.") for t in lars.texts())
    summary = lars.last_text()
    assert "1. Hvilken positiv udvikling ser du i data?\nFlere borgere deltager" in summary
    assert "2. Hvor ser du en mulighed for at blive bedre?\nVi mister mange" in summary
    assert lars.last_buttons() == ["Ret svar 1", "Ret svar 2", "Ret svar 3", "Start forfra"]

    await mette.sends("/status")
    status = mette.texts()[-2]
    assert "3/3 deltagere har forberedt sig." in status
    assert "Alle deltagere er klar." in status
    assert "Din tjekliste mangler:\n• Formål med mødet" in status
    photo = mette.photos()[-1]
    assert photo.photo[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", photo.photo[16:24])
    assert (width, height) == (720, 480)
    assert photo.caption.startswith("Sådan læses diagrammet")
    assert "Grøn er færdig (3)" in mette.shown(photo)

    async with world.services.engine.connect() as conn:
        meeting = (await conn.execute(select(meetings))).mappings().one()
        assert meeting["title"] == "Status på fritidsindsatsen"
        assert meeting["prep_flow_id"] == "three_points"
        roles = (await conn.execute(select(memberships.c.role))).scalars().all()
        assert sorted(roles) == ["leader", "participant", "participant", "participant"]
        uses = await conn.execute(select(invites.c.uses).where(invites.c.role == "participant"))
        assert uses.scalar() == 3
        rows = (
            await conn.execute(
                select(flow_runs.c.user_id, answers.c.step_id, answers.c.value)
                .join(flow_runs, flow_runs.c.id == answers.c.flow_run_id)
                .where(flow_runs.c.flow_id == "three_points")
                .order_by(answers.c.id)
            )
        ).all()
    stored = [(step, value) for _, step, value in rows]
    assert len(stored) == 9
    assert ("data_question", None) in stored  # Aisha skipped it
    assert ("data_question", "Hvordan er fremmøde opgjort?") in stored
    assert world.telegram.unanswered_callbacks() == set()


async def test_status_counts_half_done_and_names_who_is_missing(world):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette)
    jonas, aisha = world.person(202, "Jonas"), world.person(203, "Aisha")
    await jonas.sends(f"/start {token}")
    await answer_three_points(jonas)
    await aisha.sends(f"/start {token}")
    await aisha.sends("Et første svar om data.")

    await mette.sends("/status")

    status = mette.texts()[-2]
    assert "1/2 deltagere har forberedt sig." in status
    assert "Ikke færdige: Aisha" in status
    assert "Grøn er færdig (1), gul er i gang (1), grå er ikke gået i gang (0)" in mette.last_text()
