"""`datadialog demo`: preparation and the meeting itself, played offline, written to a folder.

Preparation: a leader plans a meeting and sends the team's indicator file (every chart type
appears, with its caption), a referent and three participants join by link (one with an English
phone), two finish, one stops half-way, the bot restarts, the third finishes, and the leader's
/status shows who is ready with a chart.

The meeting: the leader links the team's group and steers the four steps from its panel; themes
come in privately, from prepared points and as replies; a duplicate is merged; the group
dot-votes (the bot restarts mid-vote), the leader breaks a tie, the referent writes the
agreement with an owner outside the group, everyone says what they take with them, and
/minutes returns the minutes (Markdown and Word) and the actions (Excel and CSV).

Follow-up, a simulated quarter with the clock moved by hand: nudges at 09:00 on working days,
"In progress" with a note, "Blocked" escalated to the follow-up person (who writes back), two
unanswered nudges escalated, the next meeting's notice and preparation reminders, the leader
fetching the actions again (now with each owner's status and newest note), and the next
meeting's Since last time showing the answers.

No token and no network: the real Application talks to the in-process fake Bot API, on a fresh
SQLite database in the output folder; the log goes to `demo.log` there.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.fakeapi.people import SimulatedPerson
from bot.fakeapi.script import plan_meeting
from bot.fakeapi.transcript import write_transcripts
from bot.fakeapi.world import ManualClock, OfflineWorld
from bot.settings import Settings

SAMPLE_DATA = Path(__file__).parent / "demo_data" / "fritidsindsats.csv"
"""Invented numbers in the format Danish Excel exports: semicolons, decimal commas, cp1252."""

DEMO_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
"""The demo's fixed 'now', so the transcript reads the same on every run."""
MEETING_AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
GROUP_ID = -1001000000001
LOG_NAME = "demo.log"
MINUTES_SUFFIXES = (".md", ".docx", ".xlsx", ".csv")
"""Beside the chats' own transcripts (chat-*.md), the files the bot sent are these."""

log = logging.getLogger(__name__)


def run_demo(out: Path) -> list[Path]:
    """Play the scenario on a fresh database in `out`; returns the transcripts written there."""
    out.mkdir(parents=True, exist_ok=True)
    stale_files = ("chat-*.md", "*.png", "*.csv", "*.xlsx", "*.docx", "*-referat-*.md",
                   "*-minutes-*.md", "demo.db*")  # fmt: skip
    for stale in [path for pattern in stale_files for path in out.glob(pattern)]:
        stale.unlink()
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{out / 'demo.db'}")
    world = OfflineWorld(settings, ManualClock(DEMO_NOW))
    asyncio.run(_play(world))
    if world.api.violations:
        raise RuntimeError(f"the bot made calls Telegram would refuse: {world.api.violations}")
    return write_transcripts(world.api, out)


async def _play(world: OfflineWorld) -> None:
    await world.start()
    try:
        await _preparation(world)
        await _meeting(world)
        await _follow_up(world)
    finally:
        await world.stop()


async def _preparation(world: OfflineWorld) -> None:
    mette = world.person(101, "Mette", last_name="Holm")
    await mette.sends("/start")
    participant_token, referent_token = await plan_meeting(mette)
    await mette.sends_document("fritidsindsats.csv", SAMPLE_DATA.read_bytes())  # Danish Excel
    await mette.sends("/pack")  # the leader previews what participants will get
    await mette.sends("At se, om fritidsindsatsen holder de unge fast efter sommeren.")
    await mette.sends("Indsatsen som helhed: fremmøde og trivsel.")
    await mette.taps("Ja")
    await mette.taps("Nej")  # roles not settled yet: /status will remind her
    await mette.taps("Ja")
    await mette.taps("Ja")

    rikke = world.person(150, "Rikke")
    await rikke.sends(f"/start {referent_token}")

    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {participant_token}")
    await jonas.sends("ok")  # too short: the bot explains and asks again
    await jonas.sends("Flere unge er kommet i fritidsjob siden foråret.")
    await jonas.sends("Fremmødet falder efter tre måneder.")
    await jonas.sends("Kan vi se tallene opdelt på alder?")
    await jonas.taps("Ret svar 2")
    await jonas.sends("Fremmødet falder efter tre måneder – især hos de ældste.")

    aisha = world.person(203, "Aisha")
    await aisha.sends(f"/start {participant_token}")
    await aisha.sends("Trivselsscoren er steget for anden måling i træk.")
    await aisha.sends("Vi hører for lidt fra de unge, der stopper.")
    await aisha.taps("Spring over")

    lars = world.person(204, "Lars", language_code="en")
    await lars.sends(f"/start {participant_token}")
    await lars.sends("More young people take part than last year.")

    await mette.sends("/status")  # two ready, one under way

    log.info("restarting the bot in the middle of Lars's preparation")
    await world.restart()

    await lars.sends("We lose many after the summer holidays.")
    await lars.sends("How is attendance counted?")

    await mette.sends("/status")
    await mette.sends("/help")


def _cast(world: OfflineWorld) -> tuple[SimulatedPerson, ...]:
    """Mette (leader), Rikke (referent), Jonas, Aisha and Lars (participants)."""
    telegram = world.telegram
    assert telegram is not None
    return tuple(
        telegram.person(user_id, name, **extra)
        for user_id, name, extra in (
            (101, "Mette", {"last_name": "Holm"}), (150, "Rikke", {}), (202, "Jonas", {}),
            (203, "Aisha", {}), (204, "Lars", {"language_code": "en"}),
        )
    )  # fmt: skip


async def _tick(world: OfflineWorld, seconds: float = 3) -> None:
    """Let time pass: the panel and lists catch up, timebox warnings fall due."""
    world.clock.advance(seconds=seconds)
    await world.fire_due_timers()


async def _meeting(world: OfflineWorld) -> None:
    """Linking the group, Since last time and Explore; then the vote and the agreement."""
    mette, rikke, jonas, aisha, lars = _cast(world)
    group = world.group(GROUP_ID, "Team Fritid (gruppe)")
    await mette.sends_in_group(group, "/linkmeeting")
    world.clock.now = MEETING_AT
    await mette.sends_in_group(group, "/startmeeting")  # 1. Since last time
    await _tick(world, 8 * 60)  # the leader is warned privately before the timebox ends
    await mette.taps_in_group(group, "Næste ▶")  # 2. Explore
    await jonas.taps_in_group(group, "➕ Tilføj tema")
    await jonas.taps(jonas.button_starting("Flere unge er kommet"))  # one of his prepared points
    themes_message = _newest_with(world, "➕ Tilføj tema")
    await aisha.sends_in_group(
        group, "Vi hører for lidt fra de unge, der stopper", reply_to=themes_message
    )
    await aisha.sends_in_group(
        group, "Vi mister de unge efter sommerferien", reply_to=themes_message
    )
    await mette.taps_in_group(group, "➕ Tilføj tema")  # the leader speaks last: not yet
    await lars.taps_in_group(group, "➕ Tilføj tema")
    await lars.sends("Attendance drops after the summer holidays")
    await mette.taps("➕ Tilføj tema")  # invited now that everyone has had their say
    await mette.sends("Vi har næsten ingen aktiviteter om aftenen")
    await rikke.taps_in_group(group, "Flet dubletter")
    await rikke.taps("3. Vi mister de unge efter sommerferien")
    await rikke.taps(rikke.button_starting("4. Attendance"))
    await _tick(world, 15 * 60)  # the group talks; the clock moves on with it
    await _vote(world, group)
    await _agreement(world, group)


async def _vote(world: OfflineWorld, group: dict[str, object]) -> None:
    """Interpret: dots, a restart mid-vote, a tie the leader breaks, the referent's note."""
    mette, rikke, jonas, aisha, lars = _cast(world)
    await mette.taps_in_group(group, "Næste ▶")  # 3. Interpret
    job, hear, summer, evening = (
        mette.button_starting(f"➕ {n}.", chat_id=GROUP_ID) for n in (1, 2, 3, 4)
    )
    for label in (job, job, summer):
        await jonas.taps_in_group(group, label)
    await jonas.taps_in_group(group, evening)  # a fourth dot: refused, nothing changes
    for label in (summer, summer, evening):
        await aisha.taps_in_group(group, label)
    await aisha.taps_in_group(group, "↩ Tag en prik tilbage")
    await aisha.taps_in_group(group, job)
    log.info("restarting the bot in the middle of the vote")
    await world.restart()
    for label in (hear, evening, evening):
        await lars.taps_in_group(group, label)
    await _tick(world)
    await mette.taps_in_group(group, "🔒 Luk afstemningen (mødeleder)")
    await mette.taps_in_group(group, mette.button_starting("3.", chat_id=GROUP_ID))  # a tie
    await rikke.sends_in_group(
        group,
        "Vi bruger ikke jobmentoren nok efter sommerferien; kerneelement: fast kontaktperson.",
        reply_to=_newest_starting(world, "Valgt fokusområde"),
    )
    await _tick(world, 15 * 60)


async def _agreement(world: OfflineWorld, group: dict[str, object]) -> None:
    """Prepare action and Agreement: the referent writes it, an outside owner accepts by link,
    the closing round, the end of the meeting and the minutes."""
    mette, rikke, jonas, aisha, lars = _cast(world)
    await mette.taps_in_group(group, "Næste ▶")  # 4. Prepare action
    await _tick(world, 12 * 60)
    await mette.taps_in_group(group, "Næste ▶")  # 5. Agreement
    await rikke.taps_in_group(group, "✍ Skriv aftalen")
    for answer in (
        "Færre unge falder fra efter sommerferien",
        "To ud af tre unge er stadig med efter et år",
        "12",
        "Fremmøde i september sammenlignet med juni",
        "4.3.2027 10:00",
    ):
        await rikke.sends(answer)
    await rikke.taps("Hver 14. dag")
    await rikke.sends("Jobmentor ringer til alle unge i uge 32")  # the first action, at once
    await rikke.taps("En anden dato")
    await rikke.sends("15.8.2027 12:00")
    await rikke.taps("Jonas")  # Mette, who leads the meeting, follows up by default
    await rikke.taps("➕ Tilføj handling")
    await rikke.sends("Aftale med SSP om en fast aftenaktivitet")
    await rikke.taps("En anden dato")
    await rikke.sends("1.2.2027 12:00")
    await rikke.taps("En uden for gruppen")
    await rikke.sends("Birgit Berg")
    await rikke.taps("✅ Bekræft og del i gruppen")

    await jonas.sends("At vi skal spørge de unge selv, før de stopper")
    await aisha.sends("Aftenerne er et hul i vores tilbud")
    await lars.sends("Look at September attendance every year")
    await rikke.sends("Et fast navn at ringe til gør en forskel")
    assert world.telegram is not None
    birgit = world.telegram.person(401, "Birgit", last_name="Berg")
    await birgit.sends("/start " + _owner_token(rikke))
    await _tick(world)
    await mette.taps_in_group(group, "Afslut mødet ✓")
    await _tick(world)
    await mette.sends_in_group(group, "/minutes")


async def _follow_up(world: OfflineWorld) -> None:
    telegram = world.telegram
    assert telegram is not None
    mette, jonas, birgit = (
        telegram.person(101, "Mette", last_name="Holm"), telegram.person(202, "Jonas"),
        telegram.person(401, "Birgit", last_name="Berg"),
    )  # fmt: skip
    group = world.group(GROUP_ID, "Team Fritid (gruppe)")

    async def at(day: int, month: int, year: int, hour: int = 9) -> None:
        """Move the clock to this Copenhagen time and send what is due by then."""
        world.clock.now = datetime(year, month, day, hour, tzinfo=COPENHAGEN).astimezone(UTC)
        await world.deliver_due_reminders()

    await at(17, 12, 2026)  # a fortnight after the meeting: both owners are nudged
    await jonas.taps("I gang")
    await jonas.sends("Halvdelen af de unge er ringet op")
    await birgit.taps("Blokeret")
    await birgit.sends("SSP har ingen lokaler før februar")
    await world.deliver_due_reminders()  # the follow-up person hears at once, with the note
    await mette.taps("Skriv til den ansvarlige")
    await mette.sends("Jeg spørger skolen, om I kan låne gymnastiksalen.")
    await mette.sends("/reminders")
    await at(31, 12, 2026)  # Jonas does not answer this one ...
    await at(14, 1, 2027)  # ... nor this one: Mette hears of it on the next working day + 1
    await at(18, 1, 2027, 8)
    await birgit.taps("Færdig")
    await birgit.taps("Spring over")
    await at(28, 1, 2027)
    await jonas.sends("/myactions")
    await jonas.taps("I gang")
    await jonas.sends("Alle er ringet op; fem vil gerne have en fast kontakt")
    await at(11, 2, 2027)
    await at(25, 2, 2027)  # a week before the next dialogue: everyone gets its date
    await jonas.taps("Fortsæt forberedelsen")
    await jonas.sends("Alle unge over 18 er blevet ringet op.")
    await jonas.sends("Vi mangler aftentilbud.")
    await jonas.taps("Spring over")
    await at(1, 3, 2027, 8)  # Jonas has not answered his last two nudges: Mette hears
    await at(2, 3, 2027, 10)  # preparation reminders for those not ready
    await at(3, 3, 2027, 10)  # the leader's "ready" count at the deadline
    await mette.sends("/minutes")  # the actions sheet now shows each owner's status and note
    await mette.taps(mette.button_starting("Status på fritidsindsatsen (03.12.2026)"))
    world.clock.now = datetime(2027, 3, 4, 10, tzinfo=COPENHAGEN).astimezone(UTC)
    await mette.sends_in_group(group, "/startmeeting")  # Since last time shows the answers


def _newest_with(world: OfflineWorld, label: str) -> int:
    for message in reversed(world.api.chat_messages(GROUP_ID)):
        if any(b["text"] == label for b in message.buttons()):
            return message.message_id
    raise LookupError(label)


def _newest_starting(world: OfflineWorld, prefix: str) -> int:
    assert world.telegram is not None
    for message in reversed(world.api.chat_messages(GROUP_ID)):
        if message.from_bot and world.telegram.message_text(
            GROUP_ID, message.message_id
        ).startswith(prefix):
            return message.message_id
    raise LookupError(prefix)


def _owner_token(drafter) -> str:
    links = next(text for text in reversed(drafter.texts()) if "?start=" in text)
    return links.split("?start=")[1].split()[0]


def main(out: Path) -> None:
    """Play the demo with its log in `out/demo.log`, then list what it wrote."""
    out.mkdir(parents=True, exist_ok=True)
    log_file = logging.FileHandler(out / LOG_NAME, mode="w", encoding="utf-8")
    log_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(log_file)
    try:
        written = run_demo(out)
    finally:
        root.removeHandler(log_file)
        log_file.close()
    charts = sorted(out.glob("*.png"))
    files = sorted(
        path
        for path in out.iterdir()
        if path.suffix in MINUTES_SUFFIXES and not path.name.startswith("chat-")
    )
    print(f"Demo finished: {len(written)} chats and {len(charts)} chart(s) in {out}/")
    for path in [*written, *charts]:
        print(f"  {path}")
    print("Minutes (Markdown, Word) and actions (Excel, CSV) from /minutes:")
    for path in files:
        print(f"  {path}")
    print(f"The bot's log: {out / LOG_NAME}")
