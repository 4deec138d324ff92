"""The update inbox: what Telegram delivers is stored before it is acknowledged, handled once,
and handled again after a stop that came first. The bot polls the fake Bot API here, as it
polls Telegram."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.inbox import InboxRepository
from storage.schema import answers, inbox
from tests.support.steps import plan_meeting


async def _polling(world) -> None:
    world.telegram.polled = True
    await world.application.updater.start_polling(poll_interval=0.0, timeout=0)


async def _stop_polling(world) -> None:
    await world.application.updater.stop()
    world.telegram.polled = False


async def _rows(world) -> list[tuple]:
    async with world.services.engine.connect() as conn:
        rows = await conn.execute(
            select(inbox.c.update_id, inbox.c.payload.is_(None), inbox.c.done_at.is_not(None))
        )
        return [tuple(row) for row in rows]


async def _until(condition, *, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not handled in time")


async def _answers(world) -> int:
    async with world.services.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(answers))).scalar_one()


async def _joined(world):
    mette = world.person(101, "Mette", last_name="Holm")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")
    return jonas


async def test_a_polled_update_is_stored_before_it_is_handled_and_done_after(world):
    jonas = await _joined(world)
    before = await _answers(world)
    await _polling(world)
    await jonas.sends("Flere unge er kommet i fritidsjob.")

    async def answered() -> bool:
        return await _answers(world) == before + 1 and jonas.last_text().startswith(
            "Spørgsmål 2 af 3"
        )

    await _until(answered)
    await _until(lambda: _all_done(world))
    await _stop_polling(world)
    (_, emptied, done), *_ = await _rows(world)
    assert (emptied, done) == (True, True)  # its text is not kept once handled


async def _all_done(world) -> bool:
    rows = await _rows(world)
    return bool(rows) and all(done for _, _, done in rows)


async def test_an_update_a_stop_left_unhandled_is_handled_at_start_up_once(world):
    jonas = await _joined(world)
    before = await _answers(world)
    update = {"update_id": 9001, "message": jonas._message(jonas.private_chat, "Et svar", None)}
    stored = await world.services.repos.inbox.receive([(9001, update)], world.clock())
    assert stored == {9001}  # fetched and stored; then the bot stopped before handling it

    await world.restart()
    await _until(lambda: _all_done(world))
    assert await _answers(world) == before + 1
    assert jonas.last_text().startswith("Spørgsmål 2 af 3")
    assert await _rows(world) == [(9001, True, True)]
    await world.restart()  # done: not handled again
    assert await _answers(world) == before + 1


async def test_an_update_telegram_delivers_twice_is_handled_once(world):
    jonas = await _joined(world)
    before = await _answers(world)
    await jonas.sends("Flere unge er kommet i fritidsjob.")  # through process_update
    world.telegram.polled = True
    await jonas.sends("Fremmødet falder efter tre måneder.")
    again = dict(world.api.waiting_updates[-1])
    world.api.waiting_updates.append(again)  # redelivered, as after a stop before the ack
    await _polling(world)
    await _until(lambda: _all_done(world))
    await _stop_polling(world)
    assert await _answers(world) == before + 2
    assert jonas.last_text().startswith("Spørgsmål 3 af 3")


async def test_an_answer_and_its_update_are_done_in_one_transaction(world, monkeypatch):
    jonas = await _joined(world)

    def no_separate_mark(self, update_id, now) -> None:
        return None

    monkeypatch.setattr(InboxRepository, "done", no_separate_mark)
    await _polling(world)
    await jonas.sends("Flere unge er kommet i fritidsjob.")
    await _until(lambda: _all_done(world))  # marked by the answer's own write
    await _stop_polling(world)
