"""/minutes in the group: the minutes as Markdown and Word, the actions as Excel and CSV.

A short meeting with a tie the leader breaks, a merged duplicate, a theme and a note with HTML
in them and an action that begins like a spreadsheet formula; then an owner's answer, so the
actions sheet has a status and a note to show.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from docx import Document
from openpyxl import load_workbook

from tests.support.steps import started_in_group

GROUP_ID = -1005555
MEETING_START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
SCRIPT_THEME = "<script>alert(1)</script> Fremmødet falder"
IMG_NOTE = "<img src=x onerror=alert(1)> fast kontaktperson"
HYPERLINK = '=HYPERLINK("http://evil.example";"klik")'


def _newest(world, *, button: str | None = None, text_start: str | None = None) -> int:
    """The newest bot message in the group with this button, or whose text starts so."""
    for message in reversed(world.api.chat_messages(GROUP_ID)):
        if button and any(b["text"] == button for b in message.buttons()):
            return message.message_id
        shown = world.telegram.message_text(GROUP_ID, message.message_id)
        if text_start and message.from_bot and shown.startswith(text_start):
            return message.message_id
    raise AssertionError(button or text_start)


async def _held_meeting(world):
    """Mette leads, Jonas and Aisha take part; returns Mette and the group once it is agreed."""
    jonas, aisha = world.person(202, "Jonas"), world.person(203, "Aisha")
    mette, group = await started_in_group(world, GROUP_ID, [jonas, aisha])
    await mette.taps_in_group(group, "Næste ▶")  # Explore
    themes = _newest(world, button="➕ Tilføj tema")
    for person, theme in (
        (jonas, SCRIPT_THEME),
        (aisha, "Flere i job"),
        (jonas, "Flere i arbejde"),
    ):
        await person.sends_in_group(group, theme, reply_to=themes)
    await mette.taps_in_group(group, "Flet dubletter")
    await mette.taps("3. Flere i arbejde")
    await mette.taps("2. Flere i job")
    world.clock.advance(seconds=3)
    await mette.taps_in_group(group, "Næste ▶")  # Interpret
    first, second = (mette.button_starting(f"➕ {n}.", chat_id=GROUP_ID) for n in (1, 2))
    for person, labels in ((jonas, (first, first, second)), (aisha, (first, second, second))):
        for label in labels:
            await person.taps_in_group(group, label)
    await mette.taps_in_group(group, "🔒 Luk afstemningen (mødeleder)")
    await mette.taps_in_group(group, mette.button_starting("1.", chat_id=GROUP_ID))  # the tie
    await mette.sends_in_group(
        group, IMG_NOTE, reply_to=_newest(world, text_start="Valgt fokusområde")
    )
    for _ in range(2):
        world.clock.advance(seconds=3)
        await mette.taps_in_group(group, "Næste ▶")  # Prepare action, Agreement
    await mette.taps_in_group(group, "✍ Skriv aftalen")
    for answer in ("Færre falder fra", "To ud af tre bliver", "12", "Fremmøde", "4.3.2027 10:00"):
        await mette.sends(answer)
    await mette.taps("Hver uge")
    await mette.sends(HYPERLINK)  # the first action is asked for at once
    await mette.taps("En anden dato")
    await mette.sends("15.8.2027 12:00")
    await mette.taps("Jonas")
    await mette.taps("Opfølgning 1")
    await mette.taps("Aisha")
    await mette.taps("✅ Bekræft og del i gruppen")
    return mette, group


async def test_minutes_come_as_markdown_word_excel_and_csv_that_each_open(world):
    mette, group = await _held_meeting(world)
    action = (await world.services.repos.agreements.actions_of(1, "agreed"))[0]
    answered = datetime(2027, 1, 28, 8, 0, tzinfo=UTC)
    await world.services.repos.agreements.record_update(
        action.id, "in_progress", "Halvdelen er ringet op", None, answered
    )
    before = len(world.api.chat_messages(GROUP_ID))

    await mette.sends_in_group(group, "/minutes")

    sent = [m for m in world.api.chat_messages(GROUP_ID)[before:] if m.from_bot]
    assert [m.document[0] for m in sent if m.document] == [
        "referat-team-fritid-2026-12-03.md",
        "referat-team-fritid-2026-12-03.docx",
        "handlinger-team-fritid-2026-12-03.xlsx",
        "handlinger-team-fritid-2026-12-03.csv",
    ]
    caption = "Referat og handlinger fra Status på fritidsindsatsen."
    assert [m.caption for m in sent] == [caption, None, None, None]
    assert [name for name, _ in world.api.calls[-4:]] == ["sendDocument"] * 4
    assert world.api.violations == []  # each call as Telegram accepts it (caption ≤ 1024)
    files = {m.document[0].rsplit(".", 1)[1]: m.document[1] for m in sent}

    markdown = files["md"].decode()
    assert "<script>" not in markdown
    assert "<img" not in markdown
    chosen = "Valgt fokusområde: &lt;script&gt;alert(1)&lt;/script&gt; Fremmødet falder\n\n"
    assert chosen in markdown
    assert "Mødelederen valgte mellem 2 temaer med lige mange prikker." in markdown
    assert "- »Flere i arbejde« indgår nu i tema 2: Flere i job" in markdown
    assert "- Næste dialog: torsdag 4. marts 2027 kl. 10:00" in markdown
    assert "- Påmindelser til de ansvarlige: hver 7. dag" in markdown

    document = Document(io.BytesIO(files["docx"]))
    texts = [p.text for p in document.paragraphs]
    assert f"Forklaringer og kerneelementer: {IMG_NOTE}" in texts
    assert [c.text for c in document.tables[1].rows[1].cells][:3] == ["1", HYPERLINK, "Jonas"]

    sheet = load_workbook(io.BytesIO(files["xlsx"])).active
    assert [c.value for c in sheet[2]] == [
        1, HYPERLINK, "Jonas", "Aisha", datetime(2027, 8, 15, 12), "I gang",
        datetime(2027, 1, 28, 9), "Halvdelen er ringet op", datetime(2027, 1, 28, 9),
    ]  # fmt: skip
    assert sheet["B2"].data_type == "s"
    assert sheet.auto_filter.ref == "A1:I2"

    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:6] == ["1", "'" + HYPERLINK, "Jonas", "Aisha", "2027-08-15 12:00", "I gang"]
