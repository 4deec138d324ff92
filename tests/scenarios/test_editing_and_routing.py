"""Changing answers until the deadline, starting over, two meetings at once, language, help."""

from __future__ import annotations

from tests.support.steps import answer_three_points, plan_meeting


async def test_an_answer_can_be_changed_until_the_deadline_and_not_after(world, clock, da):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")
    await answer_three_points(jonas)

    await jonas.taps("Ret svar 2")
    assert jonas.last_text().startswith("Spørgsmål 2 af 3\nHvor ser du en mulighed")
    await jonas.sends("Vi kan ringe til dem, der udebliver.")
    assert "2. Hvor ser du en mulighed for at blive bedre?\nVi kan ringe" in jonas.last_text()
    run = await world.services.repos.runs.answers_for_meeting(1, "three_points")
    improve = next(a for a in run if a.step_id == "improve")
    assert improve.value == "Vi kan ringe til dem, der udebliver."
    assert improve.revised_at is not None

    clock.advance(days=8)  # past the deadline of 2 December 12:00
    await jonas.taps("Ret svar 1")
    assert jonas.alerts()[-1].startswith("Fristen for forberedelsen var onsdag 2. december")
    await jonas.sends("/prep")
    assert jonas.last_buttons() == []  # the answers are shown without edit buttons now


async def test_an_edit_opened_before_the_deadline_is_refused_after_it(world, clock):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")
    await answer_three_points(jonas)
    await jonas.taps("Ret svar 1")
    clock.advance(days=8)
    await jonas.sends("Et sent nyt svar")
    assert jonas.last_text().startswith("Fristen for forberedelsen var")
    answers = await world.services.repos.runs.answers_for_meeting(1, "three_points")
    assert "Et sent nyt svar" not in [a.value for a in answers]


async def test_starting_over_asks_first_and_keeps_answers_if_declined(world):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")
    await answer_three_points(jonas)

    await jonas.taps("Start forfra")
    await jonas.taps("Nej, behold")
    assert jonas.last_text() == "Fint, dine svar er uændrede."
    assert len(await world.services.repos.runs.answers_for_meeting(1, "three_points")) == 3

    await jonas.taps("Start forfra")
    await jonas.taps("Ja, gør det")
    assert jonas.last_text().startswith("Spørgsmål 1 af 3")
    assert await world.services.repos.runs.answers_for_meeting(1, "three_points") == []
    await mette.sends("/status")
    assert "0/1 deltagere har forberedt sig." in mette.texts()[-2]


async def test_a_reply_goes_to_the_meeting_whose_question_it_answers(world):
    mette = world.person(101, "Mette")
    first, _ = await plan_meeting(mette, title="Møde A", team="Team A")
    second, _ = await plan_meeting(mette, title="Møde B", team="Team B")
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {first}")
    question_a = jonas.bot_messages()[-1].message_id
    await jonas.sends(f"/start {second}")
    await world.restart()  # which message asked which question must survive a restart

    await jonas.sends("Svar til møde A om data.", reply_to=question_a)
    await jonas.sends("Svar til møde B om data.")

    a = await world.services.repos.runs.answers_for_meeting(1, "three_points")
    b = await world.services.repos.runs.answers_for_meeting(2, "three_points")
    assert [x.value for x in a] == ["Svar til møde A om data."]
    assert [x.value for x in b] == ["Svar til møde B om data."]

    await jonas.sends("/prep")
    assert jonas.last_buttons() == ["Møde A", "Møde B"]
    await jonas.taps("Møde A")
    assert jonas.last_text().startswith("Spørgsmål 2 af 3")


async def test_language_switches_to_english_and_is_remembered_after_restart(world, catalogue):
    jonas = world.person(202, "Jonas")
    await jonas.sends("/language")
    await jonas.taps("English")
    assert jonas.last_text() == "The language is now English."
    await world.restart()
    await jonas.sends("/help")
    assert jonas.last_text().startswith("What you can do here")

    emma = world.person(303, "Emma", language_code="en-GB")
    await emma.sends("/start")
    assert emma.last_text().startswith("Hi Emma! I am Datadialog.")


async def test_help_lists_what_each_role_can_do(world):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")

    await mette.sends("/help")
    assert "Som mødeleder\nSend mig en CSV- eller Excel-fil" in mette.last_text()
    assert "/status – hvem er klar" in mette.last_text()
    assert "Som deltager" not in mette.last_text()
    await jonas.sends("/help")
    assert "Som deltager" in jonas.last_text()
    assert "/status" not in jonas.last_text().split("Som deltager")[1]


async def test_meetings_lists_my_meetings_with_roles(world):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends("/meetings")
    assert jonas.last_text().startswith("Du er ikke med i nogen møder endnu.")
    await jonas.sends(f"/start {token}")
    await jonas.sends("/meetings")
    assert "• Status på fritidsindsatsen (Team Fritid) – deltager" in jonas.last_text()


async def test_the_audit_form_shows_every_question_first_then_one_at_a_time(world):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette, form="Vurderingsskema")
    panel = world.person(202, "Birgit")
    await panel.sends(f"/start {token}")
    overview = panel.texts()[-2]
    assert overview.startswith("Alle spørgsmål i skemaet:\n1. Hvor tydeligt")
    assert "10. Hvilke metodiske forhold?" in overview
    assert panel.last_buttons() == ["1", "2", "3", "4", "5"]

    for label in ("4", "2", "5"):
        await panel.taps(label)
    await panel.sends("Høj tilfredshed med personalet.")
    await panel.sends("Få svar fra pårørende.")
    await panel.taps("Ja")
    await panel.taps("3")
    await panel.taps("Spring over")
    await panel.taps("Nej")  # no method issues: the form ends without asking for them
    summary = panel.last_text()
    assert "9. Er der metodiske forhold, temagruppen bør kende til?\nNej" in summary
    assert "10." not in summary
    assert "1. Hvor tydeligt fremgår det, hvad undersøgelsen ville finde ud af?\n4 af 5" in summary
