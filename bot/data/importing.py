"""A leader sends a CSV or XLSX file in private: it is checked whole and stored for the meeting.

The file is read in a worker thread: a large file takes a second or two, and everyone else's
answers must not wait for it.
"""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.charts import plans
from bot.core.people import person_of
from bot.core.render import MAX_MESSAGE_CHARS, Screen, split_blocks
from bot.core.send import say, send
from bot.core.services import DDContext, Services, services
from bot.dataset.reader import MAX_FILE_BYTES, ImportRefused, read_file
from storage.records import Meeting, Person


async def import_rows(
    svc: Services, meeting: Meeting, name: str, content: bytes
) -> tuple[int, int, list]:
    """Validate and store a file for a meeting; (rows, charts, notes). Raises ImportRefused."""
    result = await asyncio.to_thread(read_file, name, content)
    rows = [point.model_dump() for point in result.points]
    await svc.repos.datasets.replace(meeting.id, rows, svc.clock())
    return len(rows), len(plans.plans_for(result.points)), result.notes


async def on_document(update: Update, context: DDContext) -> None:
    """A file in the private chat: the leader's data for their next meeting."""
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    person = await person_of(update, context)
    svc = services(context)
    led = await svc.repos.meetings.of_person(person.id, role="leader", not_before=svc.clock())
    if not led:
        await say(svc, person, "import.not_leader")
        return
    meeting = led[0][0]
    document = message.document
    if document.file_size and document.file_size > MAX_FILE_BYTES:
        await say(svc, person, "import.error.too_big", size_mb=round(document.file_size / 2**20, 1))
        return
    await svc.bot.send_chat_action(person.telegram_id, "typing")
    content = bytes(await (await document.get_file()).download_as_bytearray())
    try:
        rows, charts, notes = await import_rows(svc, meeting, document.file_name or "", content)
    except ImportRefused as refused:
        await _tell_refused(svc, person, refused)
        return
    for note in notes:
        await say(svc, person, f"import.note.{note.key}")
    await say(svc, person, "import.done", rows=rows, charts=charts, title=meeting.title)
    await _back_to_open_question(svc, person)


async def _tell_refused(svc: Services, person: Person, refused: ImportRefused) -> None:
    """One message, one problem a line; in several messages if that passes Telegram's limit
    (the reader keeps quotes short, so only a long list of long names gets there)."""
    lines = [svc.render.text(person, "import.refused")]
    lines += [
        svc.render.text(person, f"import.error.{problem.key}", **problem.params)
        for problem in refused.problems
    ]
    text = "\n".join(lines)
    for part in [text] if len(text) <= MAX_MESSAGE_CHARS else split_blocks(lines):
        await send(svc.bot, person, Screen(part))


async def _back_to_open_question(svc: Services, person: Person) -> None:
    """The file may come in the middle of a flow (the leader's checklist): ask its open
    question again, so it is not lost above the import messages."""
    runs = await svc.repos.runs.open_for(person.id)
    if runs:
        await svc.runner.resume(person, runs[0], editable=True)
