"""Flow runs and their answers: the hot path of every step a person answers.

`record` stores a step's new state and its answer in one transaction, shared with concurrent
steps of other people (group commit), and returns only after the commit. The open runs of each
person are kept in a bounded cache of committed rows, so a step costs no extra read.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.group_commit import GroupCommitter
from storage.inbox import MARK_DONE, handled_update
from storage.prepared import PreparedStatement
from storage.records import Run, StoredAnswer
from storage.schema import answers, flow_runs
from storage.upsert import insert_or_update

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OPEN = "active"
FINISHED = "finished"
RESTARTED = "restarted"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class StepWrite:
    run_id: int
    state: dict[str, Any]
    status: str
    now: datetime
    answer_step: str | None
    answer_value: Any
    has_answer: bool
    update_id: int | None = None
    """The inbox update this step completes, marked done in the same transaction."""


@dataclass(frozen=True)
class PromptNote:
    run_id: int
    message_id: int


_UPDATE_RUN = (
    update(flow_runs)
    .where(flow_runs.c.id == bindparam("b_id"))
    .values(
        state=bindparam("b_state", type_=flow_runs.c.state.type),
        current_step=bindparam("b_step", type_=flow_runs.c.current_step.type),
        status=bindparam("b_status", type_=flow_runs.c.status.type),
        updated_at=bindparam("b_now", type_=flow_runs.c.updated_at.type),
        prompted_at=bindparam("b_now", type_=flow_runs.c.prompted_at.type),
        finished_at=bindparam("b_finished", type_=flow_runs.c.finished_at.type),
    )
)
_NOTE_PROMPT = (
    update(flow_runs)
    .where(flow_runs.c.id == bindparam("b_id"))
    .values(prompt_message_id=bindparam("b_message"))
)


class RunRepository:
    def __init__(self, engine: AsyncEngine, *, cache_size: int = 20_000) -> None:
        self._engine = engine
        self._open: OrderedDict[int, list[Run]] = OrderedDict()
        self._cache_size = cache_size
        upsert = insert_or_update(
            engine.dialect.name,
            answers,
            keys=("flow_run_id", "step_id"),
            update_from_new={"value": "value", "revised_at": "answered_at"},
        ).values(
            flow_run_id=bindparam("b_run"),
            step_id=bindparam("b_step"),
            value=bindparam("b_value", type_=answers.c.value.type),
            answered_at=bindparam("b_now", type_=answers.c.answered_at.type),
        )
        self._answer_upsert = PreparedStatement(upsert, engine.dialect)
        self._update_run = PreparedStatement(_UPDATE_RUN, engine.dialect)
        self._inbox_done = PreparedStatement(MARK_DONE, engine.dialect)
        self._note_prompt = PreparedStatement(_NOTE_PROMPT, engine.dialect)
        self._writer: GroupCommitter[StepWrite | PromptNote] = GroupCommitter(engine, self._flush)

    async def open_for(self, user_id: int) -> list[Run]:
        """The person's active runs, most recently prompted first."""
        runs = self._open.get(user_id)
        if runs is None:
            async with self._engine.connect() as conn:
                result = await conn.execute(
                    select(flow_runs).where(
                        and_(flow_runs.c.user_id == user_id, flow_runs.c.status == OPEN)
                    )
                )
                runs = [_run(row) for row in result.mappings()]
            self._set_open(user_id, runs)
        else:
            self._open.move_to_end(user_id)
        return sorted(runs, key=_recency, reverse=True)

    async def get(self, run_id: int) -> Run | None:
        async with self._engine.connect() as conn:
            result = await conn.execute(select(flow_runs).where(flow_runs.c.id == run_id))
            row = result.mappings().first()
        return _run(row) if row else None

    async def latest_for(self, user_id: int, meeting_id: int, flow_id: str) -> Run | None:
        """The person's current run of `flow_id` for a meeting, open or finished."""
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(flow_runs)
                .where(
                    flow_runs.c.user_id == user_id,
                    flow_runs.c.meeting_id == meeting_id,
                    flow_runs.c.flow_id == flow_id,
                    flow_runs.c.status.in_((OPEN, FINISHED)),
                )
                .order_by(flow_runs.c.id.desc())
                .limit(1)
            )
            row = result.mappings().first()
        return _run(row) if row else None

    async def start(
        self,
        user_id: int,
        flow_id: str,
        flow_version: int,
        state: dict[str, Any],
        now: datetime,
        *,
        meeting_id: int | None = None,
        replaces: Run | None = None,
    ) -> Run:
        """Open a new run; `replaces` (a restart) is closed in the same transaction."""
        async with self._engine.begin() as conn:
            if replaces is not None:
                await conn.execute(
                    update(flow_runs)
                    .where(flow_runs.c.id == replaces.id)
                    .values(status=RESTARTED, updated_at=now)
                )
            result = await conn.execute(
                flow_runs.insert().values(
                    user_id=user_id,
                    flow_id=flow_id,
                    flow_version=flow_version,
                    meeting_id=meeting_id,
                    current_step=state.get("step"),
                    status=OPEN,
                    state=state,
                    started_at=now,
                    updated_at=now,
                    prompted_at=now,
                )
            )
            run_id = result.inserted_primary_key[0]
        run = Run(run_id, user_id, flow_id, flow_version, meeting_id, OPEN, state, now)
        # Read after the insert: an uncached person's list already holds the new run.
        runs = [
            r
            for r in await self.open_for(user_id)
            if r.id != run_id and (replaces is None or r.id != replaces.id)
        ]
        self._set_open(user_id, [*runs, run])
        for other in runs:  # replies now need routing: keep where the others' prompts are
            if other.prompt_message_id is not None:
                self._writer.submit_later(PromptNote(other.id, other.prompt_message_id))
        return run

    async def record(
        self, run: Run, state: dict[str, Any], now: datetime, answer: tuple[str, Any] | None
    ) -> Run:
        """Store the run's new state and the (step id, value) answer, if any; durable on return."""
        status = FINISHED if state.get("status") == FINISHED else OPEN
        write = StepWrite(
            run_id=run.id,
            state=state,
            status=status,
            now=now,
            answer_step=answer[0] if answer else None,
            answer_value=answer[1] if answer else None,
            has_answer=answer is not None,
            update_id=handled_update(),
        )
        await self._writer.submit(write)
        stored = replace(run, state=state, status=status, prompted_at=now)
        self._replace_open(stored)
        return stored

    async def migrate(
        self, run: Run, state: dict[str, Any], version: int, renamed: Mapping[str, str]
    ) -> Run:
        """Move a run to a newer version of its flow: its state, and the step ids of its stored
        answers (`renamed`: old id -> new id), in one transaction."""
        status = FINISHED if state.get("status") == FINISHED else run.status
        async with self._engine.begin() as conn:
            await conn.execute(
                update(flow_runs)
                .where(flow_runs.c.id == run.id)
                .values(
                    state=state, flow_version=version, current_step=state.get("step"), status=status
                )
            )
            if renamed:
                moved = (
                    (
                        await conn.execute(
                            select(answers).where(
                                answers.c.flow_run_id == run.id,
                                answers.c.step_id.in_(list(renamed)),
                            )
                        )
                    )
                    .mappings()
                    .all()
                )
                # Deleted first and inserted anew: two steps may swap their ids.
                await conn.execute(
                    delete(answers).where(answers.c.id.in_([a["id"] for a in moved]))
                )
                await conn.execute(
                    answers.insert(),
                    [{**a, "step_id": renamed[a["step_id"]]} for a in moved],
                )
        migrated = replace(run, state=state, flow_version=version, status=status)
        self._replace_open(migrated)
        return migrated

    async def close(self, run: Run, now: datetime, *, status: str = CANCELLED) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(flow_runs)
                .where(flow_runs.c.id == run.id)
                .values(status=status, updated_at=now)
            )
        self._replace_open(replace(run, status=status))

    def forget_cached(self, user_id: int) -> None:
        """Drop a person's open runs from the cache (their rows were removed behind it)."""
        self._open.pop(user_id, None)

    def note_prompt(self, run: Run, message_id: int) -> None:
        """Remember which message asked a run's question, so a reply to it finds the run.

        Only a person with several open runs needs this to route a reply (with one, the most
        recent prompt is always right), so only then is it written: with the next batch,
        without waiting. If that write is lost, routing falls back to the most recent prompt.
        """
        runs = self._open.get(run.user_id, [])
        if len(runs) > 1:
            self._writer.submit_later(PromptNote(run.id, message_id))
        for index, cached in enumerate(runs):
            if cached.id == run.id:
                runs[index] = replace(cached, prompt_message_id=message_id)

    async def drain(self) -> None:
        await self._writer.drain()

    async def answers_for_run(self, run_id: int) -> list[StoredAnswer]:
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(answers, flow_runs.c.user_id)
                .join(flow_runs, flow_runs.c.id == answers.c.flow_run_id)
                .where(answers.c.flow_run_id == run_id)
                .order_by(answers.c.id)
            )
            return [_answer(row) for row in result.mappings()]

    async def answers_for_meeting(self, meeting_id: int, flow_id: str) -> list[StoredAnswer]:
        """Answers of each person's current run of `flow_id` for the meeting."""
        latest = (
            select(func.max(flow_runs.c.id))
            .where(
                flow_runs.c.meeting_id == meeting_id,
                flow_runs.c.flow_id == flow_id,
                flow_runs.c.status.in_((OPEN, FINISHED)),
            )
            .group_by(flow_runs.c.user_id)
        )
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(answers, flow_runs.c.user_id)
                .join(flow_runs, flow_runs.c.id == answers.c.flow_run_id)
                .where(flow_runs.c.id.in_(latest))
                .order_by(flow_runs.c.user_id, answers.c.id)
            )
            return [_answer(row) for row in result.mappings()]

    async def _flush(self, conn: AsyncConnection, items: Sequence[StepWrite | PromptNote]) -> None:
        steps = [item for item in items if isinstance(item, StepWrite)]
        notes = [item for item in items if isinstance(item, PromptNote)]
        if steps:
            await self._update_run.execute_many(
                conn,
                [
                    {
                        "b_id": s.run_id,
                        "b_state": s.state,
                        "b_step": s.state.get("step"),
                        "b_status": s.status,
                        "b_now": s.now,
                        "b_finished": s.now if s.status == FINISHED else None,
                    }
                    for s in steps
                ],
            )
            answered = [
                {"b_run": s.run_id, "b_step": s.answer_step, "b_value": s.answer_value,
                 "b_now": s.now}
                for s in steps
                if s.has_answer
            ]  # fmt: skip
            if answered:
                await self._answer_upsert.execute_many(conn, answered)
            completed = [
                {"b_update": s.update_id, "b_now": s.now} for s in steps if s.update_id is not None
            ]
            if completed:
                await self._inbox_done.execute_many(conn, completed)
        if notes:
            rows = [{"b_id": n.run_id, "b_message": n.message_id} for n in notes]
            await self._note_prompt.execute_many(conn, rows)

    def _set_open(self, user_id: int, runs: list[Run]) -> None:
        self._open[user_id] = runs
        self._open.move_to_end(user_id)
        while len(self._open) > self._cache_size:
            self._open.popitem(last=False)

    def _replace_open(self, run: Run) -> None:
        runs = self._open.get(run.user_id)
        if runs is None:
            return
        others = [r for r in runs if r.id != run.id]
        self._open[run.user_id] = [*others, run] if run.status == OPEN else others


def _recency(run: Run) -> tuple[datetime, int]:
    return (run.prompted_at or _EPOCH, run.id)


def _run(row: RowMapping) -> Run:
    return Run(
        id=row["id"],
        user_id=row["user_id"],
        flow_id=row["flow_id"],
        flow_version=row["flow_version"],
        meeting_id=row["meeting_id"],
        status=row["status"],
        state=row["state"],
        prompted_at=row["prompted_at"],
        prompt_message_id=row["prompt_message_id"],
    )


def _answer(row: RowMapping) -> StoredAnswer:
    return StoredAnswer(
        run_id=row["flow_run_id"],
        user_id=row["user_id"],
        step_id=row["step_id"],
        value=row["value"],
        answered_at=row["answered_at"],
        revised_at=row["revised_at"],
    )
