"""One meeting with every role, walked through the cycle, for the role x action test.

Mette leads, Rikke takes the minutes, Jonas takes part, Olga observes (there is no observer
link, so her membership row is written directly), Otto owns an action and Frida follows it up
(both outside the group, by their one-time links), and Sven never joined anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from bot.fakeapi.people import SimulatedPerson
from bot.fakeapi.script import TOKEN, plan_meeting
from bot.fakeapi.server import shown_text
from bot.fakeapi.world import OfflineWorld
from storage.schema import meetings, memberships, metadata, users

GROUP_ID = -1007777
CPH = ZoneInfo("Europe/Copenhagen")
FIRST_START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
NEXT_START = datetime(2027, 3, 4, 10, 0, tzinfo=CPH).astimezone(UTC)
NUDGE_DAY = datetime(2026, 12, 17, 9, 0, tzinfo=CPH).astimezone(UTC)
FIELDS = ("Flere unge i job", "Halvdelen i job", "12", "Andel i job", "4.3.2027 10:00")
ROLES = (
    "leader",
    "referent",
    "participant",
    "observer",
    "outside_owner",
    "follow_up",
    "stranger",
)
Snapshot = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


@dataclass
class RolesWorld:
    world: OfflineWorld
    group: dict[str, Any]
    people: dict[str, SimulatedPerson]
    meeting_id: int = 0
    data: dict[str, str] = field(default_factory=dict)
    """Callback data of real buttons, by a name the action table uses."""
    group_buttons: dict[str, int] = field(default_factory=dict)
    """Of those, the ones on a group message: name -> the message's id."""

    @property
    def leader(self) -> SimulatedPerson:
        return self.people["leader"]

    async def snapshot(self) -> Snapshot:
        """Every row of every table, by primary key (pending group-commit writes first)."""
        svc = self.world.services
        await svc.repos.runs.drain()
        tables: Snapshot = {}
        async with svc.engine.connect() as conn:
            for table in metadata.sorted_tables:
                keys = [c.name for c in table.primary_key.columns]
                rows = (await conn.execute(select(table))).mappings().all()
                tables[table.name] = {tuple(row[k] for k in keys): dict(row) for row in rows}
        return tables

    def seen_since(self, person: SimulatedPerson, since: int) -> list[str]:
        """What the bot showed this person since event `since`: alerts, private messages and
        replies in the group, as shown."""
        shown = []
        for event in self.world.api.events[since:]:
            if event.actor == "alert" and event.chat_id == person.id:
                shown.append(event.text or "")
            elif event.actor in ("bot", "edit") and event.chat_id in (person.id, GROUP_ID):
                shown.append(shown_text(event.text or ""))
        return shown

    def button_data(
        self, person: SimulatedPerson, label: str, *, chat_id: int | None = None
    ) -> str:
        """The callback data of the newest button labelled `label` that `person` was shown."""
        for message in reversed(self.world.api.chat_messages(chat_id or person.id)):
            for button in message.buttons():
                if button["text"] == label:
                    return button["callback_data"]
        raise AssertionError(f"{person.user['first_name']} was never shown {label!r}")

    def group_message(self, text_start: str) -> int:
        for message in reversed(self.world.api.chat_messages(GROUP_ID)):
            text = self.world.telegram.message_text(GROUP_ID, message.message_id)
            if message.from_bot and text.startswith(text_start):
                return message.message_id
        raise AssertionError(f"no group message starts with {text_start!r}")


async def add_observer(world: OfflineWorld, meeting_id: int, person: SimulatedPerson) -> None:
    """There is no observer link: an observer is a membership row written by hand."""
    async with world.services.engine.begin() as conn:
        user_id = (
            await conn.execute(select(users.c.id).where(users.c.telegram_id == person.id))
        ).scalar_one()
        await conn.execute(
            insert(memberships).values(
                meeting_id=meeting_id, user_id=user_id, role="observer", joined_at=world.clock()
            )
        )


async def latest_meeting_id(world: OfflineWorld) -> int:
    async with world.services.engine.connect() as conn:
        return (await conn.execute(select(meetings.c.id).order_by(meetings.c.id.desc()))).scalar()


async def first_meeting_confirmed(world: OfflineWorld) -> RolesWorld:
    """Everyone in their role; the first meeting's agreement confirmed with one action owned
    by Otto and followed up by Frida, both from outside; Otto has been nudged."""
    people = {
        "leader": world.person(101, "Mette", last_name="Holm"),
        "referent": world.person(301, "Rikke"),
        "participant": world.person(202, "Jonas"),
        "observer": world.person(401, "Olga"),
        "outside_owner": world.person(501, "Otto", last_name="Olsen"),
        "follow_up": world.person(502, "Frida", last_name="Falk"),
        "stranger": world.person(666, "Sven"),
    }
    mette = people["leader"]
    participant_token, referent_token = await plan_meeting(mette)
    await people["participant"].sends(f"/start {participant_token}")
    await people["referent"].sends(f"/start {referent_token}")
    for role in ("observer", "stranger"):
        await people[role].sends("/start")  # a private chat, so refusals can reach them
    roles = RolesWorld(world, world.group(GROUP_ID, "Team Fritid"), people)
    roles.meeting_id = await latest_meeting_id(world)
    await add_observer(world, roles.meeting_id, people["observer"])

    group = roles.group
    await mette.sends_in_group(group, "/linkmeeting")
    world.clock.now = FIRST_START
    await mette.sends_in_group(group, "/startmeeting")
    for _ in range(4):
        await mette.taps_in_group(group, "Næste ▶")
        world.clock.advance(seconds=3)
    await mette.taps_in_group(group, "✍ Skriv aftalen")
    for answer in FIELDS:
        await mette.sends(answer)
    await mette.taps("Hver 14. dag")
    await mette.sends("Jobmentor ringer til alle unge")
    await mette.taps("Om 2 uger")
    await mette.taps("En uden for gruppen")
    await mette.sends("Otto Olsen")
    await mette.taps("Opfølgning 1")
    await mette.taps("En uden for gruppen")
    await mette.sends("Frida Falk")
    roles.data["agreement_confirm"] = roles.button_data(mette, "✅ Bekræft og del i gruppen")
    await mette.taps("✅ Bekræft og del i gruppen")
    links = next(t for t in reversed(mette.texts()) if "Links til folk uden for gruppen" in t)
    owner_token, follow_up_token = TOKEN.findall(links)
    await people["outside_owner"].sends(f"/start {owner_token}")
    await people["follow_up"].sends(f"/start {follow_up_token}")
    world.clock.now = NUDGE_DAY
    await world.deliver_due_reminders()
    # The nudge's buttons, as /myactions shows them: two nudges sent out of order sometimes
    # leave neither with buttons (see the report), which is not what this test is about.
    await people["outside_owner"].sends("/myactions")

    panel = roles.group_message("Status på fritidsindsatsen – datadialog")
    buttons = world.api.messages[(GROUP_ID, panel)].buttons()
    roles.data["panel"] = buttons[0]["callback_data"]
    roles.group_buttons["panel"] = panel
    roles.data["minutes"] = f"mn:{roles.meeting_id}"  # as /minutes offers it with two meetings
    roles.data["nudge"] = roles.button_data(people["outside_owner"], "Blokeret")
    return roles
