"""Bad input gets a short, clear reply and changes nothing else."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.schema import answers, invites, meetings, memberships, users
from tests.support.steps import answer_three_points, plan_meeting


async def count(world, table) -> int:
    async with world.services.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table))).scalar_one()


async def test_too_short_and_too_long_answers_are_refused_and_the_question_repeated(world, da):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")
    before = await count(world, answers)

    await jonas.sends("ok")
    assert jonas.texts()[-2] == da("error.text_too_short", min=5)
    assert jonas.last_text().startswith("Spørgsmål 1 af 3")

    await jonas.sends("x" * 1001)
    assert jonas.texts()[-2] == da("error.text_too_long", length=1001, max=1000)
    assert await count(world, answers) == before


async def test_dates_that_are_words_in_the_past_or_after_the_meeting_are_refused(world, da):
    mette = world.person(101, "Mette")
    await mette.sends("/newmeeting")
    await mette.sends("Status")
    await mette.sends("Team A")

    await mette.sends("på torsdag")
    assert mette.texts()[-2] == da("error.not_a_datetime")
    await mette.sends("1.11.2026 10:00")
    assert mette.texts()[-2].startswith("søndag 1. november 2026 kl. 10:00 er allerede passeret")
    await mette.sends("3.12.9999 10:00")  # a horizon that would plan reminders for millennia
    assert mette.texts()[-2].startswith("fredag 3. december 9999 kl. 10:00 ligger for langt ude")
    assert "senest lørdag 25. november 2028 kl. 10:00" in mette.texts()[-2]  # two years
    await mette.sends("3.12.2026 10:00")
    await mette.sends("4.12.2026 10:00")
    assert mette.texts()[-2] == "Tidspunktet skal ligge før torsdag 3. december 2026 kl. 10:00."
    assert mette.last_text().startswith("Spørgsmål 4 af 5")
    assert await count(world, meetings) == 0


async def test_html_in_answers_is_shown_as_typed_and_never_breaks_a_message(world):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette, title="<b>Q4</b> & mere")
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")
    assert jonas.texts()[0].startswith("Velkommen til <b>Q4</b> & mere")
    await jonas.sends("Vi <3 data & <i>tal</i>")
    await jonas.sends("Fremmødet falder efter tre måneder.")
    await jonas.taps("Spring over")
    assert "Vi <3 data & <i>tal</i>" in jonas.last_text()


async def test_a_button_from_an_earlier_step_is_refused_with_an_alert(world, da):
    mette = world.person(101, "Mette")
    await mette.sends("/newmeeting")
    for answer in ("Status", "Team A", "3.12.2026 10:00", "2.12.2026 12:00"):
        await mette.sends(answer)
    form_question = mette.bot_messages()[-1].message_id
    await mette.taps("Tre pointer")
    await mette.forges_tap("a:1:prep_form:data_review", message_id=form_question)
    assert mette.alerts()[-1] == da("error.button_expired")
    async with world.services.engine.connect() as conn:
        forms = (await conn.execute(select(meetings.c.prep_flow_id))).scalars().all()
    assert forms == ["three_points"]


async def test_a_forged_button_for_someone_elses_run_changes_nothing(world, da):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette)
    jonas, eve = world.person(202, "Jonas"), world.person(666, "Eve")
    await jonas.sends(f"/start {token}")
    await eve.sends("/start")
    jonas_run = (await world.services.repos.runs.open_for(2))[0]
    message = eve.bot_messages()[-1].message_id
    before = await count(world, answers)

    await eve.forges_tap(f"s:{jonas_run.id}:positive", message_id=message)
    await eve.forges_tap("nonsense", message_id=message)

    assert eve.alerts() == [da("error.button_expired")] * 2
    assert await count(world, answers) == before
    assert await world.services.repos.runs.answers_for_run(jonas_run.id) == []


async def test_unknown_expired_used_and_revoked_invites_are_refused(world, clock, da):
    mette = world.person(101, "Mette")
    participant_token, referent_token = await plan_meeting(mette)
    rikke, ole = world.person(301, "Rikke"), world.person(302, "Ole")

    await rikke.sends("/start ikke-et-rigtigt-link")
    assert rikke.last_text() == da("invite.unknown")
    await rikke.sends(f"/start {referent_token}")
    assert rikke.last_text() == da("start.joined_referent")
    await ole.sends(f"/start {referent_token}")
    assert ole.last_text() == da("invite.used_up")

    await mette.sends("/invites")
    await mette.taps("Træk deltager-link tilbage")
    assert mette.last_buttons() == ["Ja, gør det", "Nej, behold"]
    await mette.taps("Ja, gør det")
    assert mette.last_text().startswith(
        "Linket er trukket tilbage. Her er et nyt link til deltager:"
    )
    await ole.sends(f"/start {participant_token}")
    assert ole.last_text() == da("invite.revoked")

    clock.advance(days=30)
    fresh = mette.last_text().split("?start=")[1].strip()
    await ole.sends(f"/start {fresh}")
    assert ole.last_text() == da("invite.expired")
    assert await count(world, memberships) == 2  # Mette and Rikke
    async with world.services.engine.connect() as conn:
        revoked = (await conn.execute(select(invites.c.revoked_at.is_not(None)))).scalars().all()
    assert sorted(revoked) == [False, False, True]


async def test_a_participant_cannot_use_leader_commands(world, da):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")

    await jonas.sends("/status")
    assert jonas.last_text() == da("status.not_leader")
    await jonas.sends("/invites")
    assert jonas.last_text() == da("invite.none")
    assert not jonas.photos()


async def test_unknown_commands_stickers_and_groups_get_a_clear_reply(world, da):
    jonas = world.person(202, "Jonas")
    await jonas.sends("/fly")
    assert jonas.last_text() == da("error.unknown_command")
    await jonas.sends_sticker()
    assert jonas.last_text() == da("error.text_only")
    await jonas.sends("Hej bot")
    assert jonas.last_text() == da("common.nothing_open")

    group = world.telegram.group(-100123, "Team Fritid")
    await jonas.sends_in_group(group, "/status@datadialog_demo_bot")
    group_messages = world.api.chat_messages(-100123)
    assert group_messages[-1].text == da("error.group_unknown")
    assert group_messages[-1].buttons()[0]["url"] == "https://t.me/datadialog_demo_bot"


async def test_cancel_stops_planning_but_never_throws_away_preparation(world, da):
    mette = world.person(101, "Mette")
    await mette.sends("/newmeeting")
    await mette.sends("Status")
    await mette.sends("/cancel")
    assert mette.last_text() == da("common.cancelled")
    await mette.sends("Team A")
    assert mette.last_text() == da("common.nothing_open")

    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")
    await jonas.sends("Et godt første svar.")
    await jonas.sends("/cancel")
    assert jonas.last_text() == da("common.nothing_to_cancel")
    await answer_three_points(jonas)
    assert await count(world, answers) >= 3


async def test_odd_unicode_and_long_words_get_a_clear_reply_and_change_nothing(world, da):
    mette = world.person(101, "Mette")
    await mette.sends("/newmeeting")
    await mette.sends("\u200b\u200d\u202e\u2066")  # only zero-width and direction marks
    assert mette.texts()[-2] == da("error.text_too_short", min=3)
    assert mette.last_text().startswith("Spørgsmål 1 af 5")
    for word in ("a" * 20, "a" * 300, "../etc/passwd", "Europe/Copenhagen extra"):
        await mette.sends(f"/timezone {word}")
        assert mette.last_text() == da("followup.timezone_usage")
    async with world.services.engine.connect() as conn:
        zone = (await conn.execute(select(users.c.time_zone))).scalar_one()
    assert zone == "Europe/Copenhagen"
    assert world.api.violations == []
