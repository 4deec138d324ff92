"""The dialogue's rules at their edges: timeboxes across restarts, pausing, stale panels, bad
replies, permissions, long agreements, and the export from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

from sqlalchemy import select

from flows.dialogue import MAX_DOTS, MAX_THEMES
from storage.schema import dialogues, meeting_timers
from tests.support.steps import plan_meeting, started_in_group

GROUP_ID = -1009876
MEETING_START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


async def _started(world):
    """Mette leads, Jonas and Aisha take part; the group is linked and Since last time runs."""
    jonas, aisha = world.person(202, "Jonas"), world.person(203, "Aisha")
    mette, group = await started_in_group(world, GROUP_ID, [jonas, aisha])
    return mette, jonas, aisha, group


def _newest_with_button(world, label: str) -> int:
    for message in reversed(world.api.chat_messages(GROUP_ID)):
        if any(b["text"] == label for b in message.buttons()):
            return message.message_id
    raise AssertionError(label)


def _panel(world) -> str:
    return world.telegram.message_text(GROUP_ID, _newest_with_button(world, "Næste ▶"))


async def _pending_timers(world) -> list[tuple[str, str]]:
    async with world.services.engine.connect() as conn:
        rows = await conn.execute(
            select(meeting_timers.c.kind, meeting_timers.c.target)
            .where(meeting_timers.c.done_at.is_(None))
            .order_by(meeting_timers.c.due_at)
        )
        return [tuple(row) for row in rows]


async def test_timebox_warnings_survive_restarts_and_are_sent_once(world):
    mette, *_ = await _started(world)
    assert await _pending_timers(world) == [("warn", "since_last"), ("over", "since_last")]

    await world.restart()
    world.clock.advance(minutes=9)  # the warning fell due while we were down: sent late, once
    await world.restart()  # re-arms the alarm, which may fire before or after our call below
    await world.fire_due_timers()
    assert await world.fire_due_timers() == 0
    assert mette.last_text().startswith("⏳ 2 minutter tilbage af Siden sidst")
    warnings = [t for t in mette.texts() if t.startswith("⏳")]
    assert len(warnings) == 1
    assert await _pending_timers(world) == [("over", "since_last")]


async def test_a_paused_phase_stops_its_clock_and_resuming_plans_the_warnings_anew(world):
    mette, *_ = await _started(world)
    group = world.telegram.group(GROUP_ID, "Team Fritid")
    world.clock.advance(minutes=5)
    await mette.taps_in_group(group, "⏸ Pause")
    assert "På pause · 5 af 10 min tilbage" in _panel(world)
    assert await _pending_timers(world) == []

    world.clock.advance(minutes=30)
    assert await world.fire_due_timers() == 0
    await mette.taps_in_group(group, "▶ Fortsæt")
    world.clock.advance(seconds=3)
    await world.fire_due_timers()
    assert "slutter ca. kl. 10:40" in _panel(world)  # 10:35 + the 5 minutes left
    world.clock.advance(minutes=3)
    assert await world.fire_due_timers() == 1
    assert mette.last_text().startswith("⏳ 2 minutter tilbage af Siden sidst")


async def test_old_panels_and_double_taps_change_nothing(world, da):
    mette, _, _, group = await _started(world)
    old_panel = _newest_with_button(world, "Næste ▶")
    old_next = next(
        b["callback_data"]
        for b in world.api.messages[(GROUP_ID, old_panel)].buttons()
        if b["text"] == "Næste ▶"
    )
    await mette.sends_in_group(group, "/startmeeting")  # shows the panel again, as a new message
    new_panel = _newest_with_button(world, "Næste ▶")
    assert new_panel != old_panel
    await mette.forges_tap(old_next, message_id=old_panel, chat_id=GROUP_ID)
    assert mette.alerts()[-1] == da("error.button_expired")

    await world.restart()
    await mette.taps_in_group(group, "Næste ▶")
    assert "▶ 2. Udforsk" in _panel(world)
    stale_next = old_next.replace(":0:", ":1:")  # the revision the panel had before this move
    await mette.forges_tap(stale_next, message_id=new_panel, chat_id=GROUP_ID)
    assert mette.alerts()[-1] == da("dialogue.already_moved")
    assert "▶ 2. Udforsk" in _panel(world)
    await mette.forges_tap("ph:1:x:n", message_id=new_panel, chat_id=GROUP_ID)
    assert mette.alerts()[-1] == da("error.button_expired")


async def test_timeboxes_are_set_per_meeting_by_the_leader(world, da):
    mette, jonas, _, group = await _started(world)
    await jonas.sends_in_group(group, "/timebox 5 5 5 5 5")
    assert jonas.last_text() == da("dialogue.only_drivers")  # told in private, not the group
    await mette.sends_in_group(group, "/timebox 5 5")
    assert world.telegram.chat_texts(GROUP_ID)[-1] == da("timebox.usage")
    await mette.sends_in_group(group, "/timebox 15 25 25 20 0")
    assert world.telegram.chat_texts(GROUP_ID)[-1] == da("timebox.usage")
    await mette.sends_in_group(group, "/timebox 15 25 25 20 15")
    assert world.telegram.chat_texts(GROUP_ID)[-1] == (
        "Tidsrammerne er nu: Siden sidst 15, Udforsk 25, Fortolk 25, Forbered handling 20, "
        "Aftale 15 minutter."
    )
    world.clock.advance(seconds=3)
    await world.fire_due_timers()
    assert "Fase 1 af 5 · 15 min · slutter ca. kl. 10:15" in _panel(world)


async def test_bad_replies_and_commands_in_groups_get_a_short_answer(world, da):
    mette, jonas, aisha, group = await _started(world)
    outsider = world.person(909, "Ole")
    await mette.taps_in_group(group, "Næste ▶")
    themes_id = _newest_with_button(world, "➕ Tilføj tema")

    group_messages = len(world.telegram.chat_texts(GROUP_ID))
    await jonas.sends_in_group(group, "x" * 201, reply_to=themes_id)
    assert jonas.last_text() == "Det er for langt (201 tegn). Hold dig under 200 tegn."
    await outsider.sends_in_group(group, "Et tema", reply_to=themes_id)
    assert outsider.last_text() == da("explore.not_member")
    intro_id = max(
        m.message_id for m in world.api.chat_messages(GROUP_ID) if m.from_bot and not m.buttons()
    )
    await jonas.sends_in_group(group, "Svar", reply_to=intro_id)
    assert jonas.last_text() == da("group.reply_not_expected")
    assert len(world.telegram.chat_texts(GROUP_ID)) == group_messages  # refusals go in private
    await jonas.sends_in_group(group, "<script>alert(1)</script> & co", reply_to=themes_id)
    world.clock.advance(seconds=3)
    await world.fire_due_timers()
    assert "1. <script>alert(1)</script> & co" in world.telegram.message_text(GROUP_ID, themes_id)

    await jonas.sends_in_group(group, "/whatever")
    assert world.telegram.chat_texts(GROUP_ID)[-1] == da("group.help")
    other = world.group(-100555, "Et andet hold")
    await jonas.sends_in_group(other, "/startmeeting")
    assert jonas.last_text() == da("link.not_linked")
    await jonas.sends_in_group(other, "/whatever")
    assert world.telegram.chat_texts(-100555)[-1] == da("error.group_unknown")

    await aisha.taps_in_group(group, "Flet dubletter")
    assert aisha.alerts()[-1] == da("dialogue.only_drivers")
    await aisha.taps_in_group(group, "Mødelederens tur")
    assert aisha.alerts()[-1] == da("explore.leader_only")


async def test_a_long_agreement_is_posted_in_parts_under_telegrams_limit(world):
    mette, _, _, group = await _started(world)
    for _ in range(4):
        await mette.taps_in_group(group, "Næste ▶")
        world.clock.advance(seconds=3)
    await mette.taps_in_group(group, "✍ Skriv aftalen")
    for answer in ("Mål " + "a" * 400, "Langt mål " + "b" * 400, "6", "Signal " + "c" * 400,
                   "4.3.2027 10:00"):  # fmt: skip
        await mette.sends(answer)
    await mette.taps("Hver 14. dag")
    for number in range(1, 9):
        if number > 1:  # the first action is asked for at once
            await mette.taps("➕ Tilføj handling")
        await mette.sends(f"Handling {number} " + "d" * 480)
        await mette.taps("Om en måned")
        await mette.taps("Jonas")
    before = len(world.telegram.chat_texts(GROUP_ID))
    await mette.taps("✅ Bekræft og del i gruppen")
    posted = world.telegram.chat_texts(GROUP_ID)[before:]
    assert len(posted) >= 2
    assert all(len(text) <= 4096 for text in posted)
    joined = "\n\n".join(posted)
    assert all(f"{n}. Handling {n} " in joined for n in range(1, 9))


async def test_owner_buttons_refuse_participants_and_closed_agreements(world, da):
    mette, jonas, _, group = await _started(world)
    for _ in range(3):
        await mette.taps_in_group(group, "Næste ▶")
        world.clock.advance(seconds=3)
    await jonas.taps_in_group(group, "✍ Skriv aftalen")
    assert jonas.alerts()[-1] == da("dialogue.only_drivers")
    await mette.taps_in_group(group, "✍ Skriv aftalen")
    for answer in ("Mål til næste gang", "Mål på sigt", "12", "Andel i job", "4.3.2027 10:00"):
        await mette.sends(answer)
    await mette.taps("Hver 14. dag")
    await mette.sends("Ring til jobcentret")
    await mette.taps("Om 2 uger")
    await mette.taps("Jonas")
    await jonas.forges_tap(
        _button_data(world, mette, "Opfølgning 1"),
        message_id=mette.bot_messages()[-1].message_id,
        chat_id=mette.id,
    )  # a participant cannot change the draft
    assert jonas.alerts()[-1] == da("dialogue.only_drivers")
    await mette.taps("Fjern handling 1")
    await mette.taps("Nej, behold")
    draft = mette.bot_messages()[-2]
    edit, confirm = (
        _button_data(world, mette, label, draft)
        for label in ("Ret 1", "✅ Bekræft og del i gruppen")
    )
    await mette.taps("✅ Bekræft og del i gruppen")
    for old_button in (edit, confirm):  # the draft's buttons, kept from before it was confirmed
        await mette.forges_tap(old_button, message_id=draft.message_id, chat_id=mette.id)
        assert mette.alerts()[-1] == da("agreement.already_confirmed")


def _button_data(world, person, label: str, message=None) -> str:
    message = message or person.bot_messages()[-1]
    return next(b["callback_data"] for b in message.buttons() if b["text"] == label)


async def test_minutes_are_exported_from_the_command_line(world, settings, tmp_path):
    mette, jonas, _, group = await _started(world)
    await mette.taps_in_group(group, "Næste ▶")
    await jonas.sends_in_group(
        group, "Flere i job", reply_to=_newest_with_button(world, "➕ Tilføj tema")
    )
    await world.stop()
    env = {**os.environ, "DATADIALOG_DATA_DIR": str(settings.data_dir)}

    def export(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "export", *args],
            capture_output=True, env=env, cwd=tmp_path, check=False,
        )  # fmt: skip

    markdown = export("--meeting", "1", "--format", "md")
    assert markdown.returncode == 0
    assert markdown.stdout.decode().startswith("# Referat: Status på fritidsindsatsen")
    assert "| 1 | Flere i job | 0 | 0 |" in markdown.stdout.decode()
    out = tmp_path / "handlinger.csv"
    assert (
        export(
            "--meeting", "1", "--format", "csv", "--language", "en", "--out", str(out)
        ).returncode
        == 0
    )
    assert out.read_bytes() == (
        "\ufeffNo.;Action;Owner;Follow-up;Deadline;Status;Status reported;Latest note;"
        "Note written\r\n".encode()
    )
    missing = export("--meeting", "99")
    assert missing.returncode == 1
    assert missing.stderr.decode().strip() == (
        "datadialog: there is no meeting 99; `datadialog meetings` lists them"
    )
    await world.start()


async def test_the_startgroup_link_links_and_dots_can_be_set_until_the_vote_opens(world, da):
    mette = world.person(101, "Mette", last_name="Holm")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")
    links = next(t for t in reversed(mette.texts()) if "startgroup=" in t)
    assert "https://t.me/datadialog_demo_bot?startgroup=link" in links
    group = world.group(GROUP_ID, "Team Fritid")
    await mette.sends_in_group(group, "/start link")  # what Telegram sends when she adds the bot
    assert world.telegram.chat_texts(GROUP_ID)[-1].startswith("Gruppen hører nu til Status på")

    await mette.sends_in_group(group, "/dots 11")
    assert world.telegram.chat_texts(GROUP_ID)[-1] == da("dots.usage", max=10)
    await mette.sends_in_group(group, "/dots 5")
    assert world.telegram.chat_texts(GROUP_ID)[-1] == da("dots.set", dots=5)
    world.clock.now = MEETING_START
    await mette.sends_in_group(group, "/startmeeting")
    await mette.taps_in_group(group, "Næste ▶")
    await jonas.sends_in_group(
        group, "Flere i job", reply_to=_newest_with_button(world, "➕ Tilføj tema")
    )
    world.clock.advance(seconds=3)
    await mette.taps_in_group(group, "Næste ▶")
    assert "Hver deltager har 5 prikker" in world.telegram.chat_texts(GROUP_ID)[-1]
    await mette.sends_in_group(group, "/dots 2")
    assert world.telegram.chat_texts(GROUP_ID)[-1] == da("dots.vote_started")


async def test_a_linked_group_cannot_be_taken_over_until_its_own_leader_frees_it(world, da):
    mette = world.person(101, "Mette", last_name="Holm")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")
    group = world.group(GROUP_ID, "Team Fritid")
    await mette.sends_in_group(group, "/linkmeeting")

    karl = world.person(303, "Karl")  # leads another meeting and is in the same group
    await plan_meeting(karl)
    await karl.sends_in_group(group, "/linkmeeting")
    group_says = world.telegram.chat_texts
    assert karl.last_text() == da("link.taken", title="Status på fritidsindsatsen")
    await jonas.sends_in_group(group, "/unlinkmeeting")
    assert jonas.last_text() == da("dialogue.only_drivers")
    async with world.services.engine.connect() as conn:
        linked = (await conn.execute(select(dialogues.c.meeting_id))).scalars().all()
    assert linked == [1]  # still Mette's meeting

    await mette.sends_in_group(group, "/unlinkmeeting")  # asks first
    await jonas.taps_in_group(group, "Ja, gør det")  # not his to answer
    assert jonas.alerts()[-1] == da("dialogue.only_drivers")
    await mette.taps_in_group(group, "Ja, gør det")
    assert group_says(GROUP_ID)[-1] == da("link.unlinked", title="Status på fritidsindsatsen")
    await karl.sends_in_group(group, "/linkmeeting")
    assert group_says(GROUP_ID)[-1].startswith("Gruppen hører nu til")
    async with world.services.engine.connect() as conn:
        linked = (await conn.execute(select(dialogues.c.meeting_id))).scalars().all()
    assert linked == [2]


async def test_unicode_digits_and_huge_numbers_are_refused_not_crashed_on(world, da):
    mette, _, _, group = await _started(world)
    says = world.telegram.chat_texts
    await mette.sends_in_group(group, "/timebox ² ² ² ² ²")
    assert says(GROUP_ID)[-1] == da("timebox.usage")
    await mette.sends_in_group(group, "/dots ²")
    assert says(GROUP_ID)[-1] == da("dots.usage", max=MAX_DOTS)
    await mette.sends_in_group(group, "/dots 999999999999999999999999999999")
    assert says(GROUP_ID)[-1] == da("dots.usage", max=MAX_DOTS)
    panel = _newest_with_button(world, "Næste ▶")
    await mette.forges_tap("ph:" + "9" * 30 + ":0:n", message_id=panel, chat_id=GROUP_ID)
    assert mette.alerts()[-1] == da("error.button_expired")
    assert not any("Beklager" in text for text in says(GROUP_ID))


async def test_refusals_in_a_group_spend_none_of_the_groups_messages(world, da):
    mette, jonas, aisha, group = await _started(world)
    says = world.telegram.chat_texts
    before = len(says(GROUP_ID))
    for _ in range(25):  # a participant tries the leader's commands again and again
        await jonas.sends_in_group(group, "/timebox 5 5 5 5 5")
    assert len(says(GROUP_ID)) == before
    assert jonas.texts()[-25:] == [da("dialogue.only_drivers")] * 25

    world.api.blocked_by.add(aisha.id)  # the bot cannot write to her privately
    for _ in range(5):
        await aisha.sends_in_group(group, "/dots 5")
    assert says(GROUP_ID)[before:] == [da("dialogue.only_drivers")]  # once a minute at most
    await mette.taps_in_group(group, "Næste ▶")
    assert "▶ 2. Udforsk" in _panel(world)


async def test_a_full_theme_list_says_so_and_the_ballot_still_fits_one_message(world, da):
    mette, jonas, aisha, group = await _started(world)
    await mette.taps_in_group(group, "Næste ▶")  # Explore
    themes_id = _newest_with_button(world, "➕ Tilføj tema")
    for n in range(MAX_THEMES):
        author = (jonas, aisha)[n % 2]
        await author.sends_in_group(
            group, f"{n:02d} " + "lang iagttagelse " * 11, reply_to=themes_id
        )
    await jonas.sends_in_group(group, "Et tema for meget", reply_to=themes_id)
    assert jonas.last_text() == da("explore.list_full", max=MAX_THEMES)
    world.clock.advance(seconds=3)
    await world.fire_due_timers()
    await mette.taps_in_group(group, "Næste ▶")  # Interpret: the ballot with every theme
    ballot = world.api.messages[(GROUP_ID, _newest_with_button(world, "↩ Tag en prik tilbage"))]
    assert sum(b["text"].startswith("➕ ") for b in ballot.buttons()) == MAX_THEMES
    assert world.api.violations == []  # every list and ballot was within Telegram's limits
