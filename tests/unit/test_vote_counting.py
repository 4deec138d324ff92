"""Dot votes, checked on random sequences of taps against the real repository and database:
nobody ever has more dots than the budget, and the counts shown are the dots stored."""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from flows.dialogue import ThemeScore, tally, top_themes
from storage.db import open_engine
from storage.repositories import Repositories
from storage.schema import (
    dialogues,
    meetings,
    memberships,
    metadata,
    teams,
    themes,
    users,
    votes,
)

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
VOTERS = (1, 2, 3)
VOTING = ("participant",)
THEMES = 3

Tap = tuple[str, int, int]  # ("cast" | "back" | "close", voter, theme index)
actions = st.sampled_from(["cast", "cast", "cast", "back", "close"])
taps = st.lists(
    st.tuples(actions, st.sampled_from(VOTERS), st.integers(0, THEMES - 1)), max_size=40
)


async def _database(path: Path, budget: int) -> tuple[Repositories, list[int], object]:
    engine = open_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(users.insert(), [
            {"id": v, "telegram_id": v, "display_name": f"P{v}", "language": "da",
             "time_zone": "Europe/Copenhagen", "is_reachable": True, "created_at": NOW}
            for v in VOTERS
        ])  # fmt: skip
        await conn.execute(teams.insert().values(id=1, name="T", created_by=1, created_at=NOW))
        await conn.execute(meetings.insert().values(
            id=1, team_id=1, title="M", starts_at=NOW, prep_deadline_at=NOW,
            time_zone="Europe/Copenhagen", status="planned", prep_flow_id="three_points",
            created_by=1, created_at=NOW))  # fmt: skip
        await conn.execute(dialogues.insert().values(
            meeting_id=1, group_chat_id=-1, linked_by=1, linked_at=NOW, phase="interpret",
            revision=0, paused=False, phase_elapsed_s=0, timeboxes=[10, 20, 20, 20, 15],
            leader_turn=False, dots_per_person=budget, vote_status="open"))  # fmt: skip
        await conn.execute(memberships.insert(), [
            {"meeting_id": 1, "user_id": v, "role": "participant", "joined_at": NOW}
            for v in VOTERS
        ])  # fmt: skip
    repos = Repositories.on(engine)
    theme_ids = [(await repos.themes.add(1, 1, f"T{i}", NOW)).id for i in range(THEMES)]
    return repos, theme_ids, engine


async def _play(sequence: list[Tap], budget: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        repos, theme_ids, engine = await _database(Path(folder) / "votes.db", budget)
        expected: dict[int, list[int]] = {v: [] for v in VOTERS}  # each voter's dots, in order
        closed = False
        try:
            for action, voter, index in sequence:
                if action == "close":
                    closed = closed or await repos.dialogues.close_vote(1)
                elif action == "back":
                    taken = await repos.themes.take_back(1, voter)
                    assert taken == (None if closed or not expected[voter] else expected[voter][-1])
                    if taken is not None:
                        expected[voter].pop()
                else:
                    cast = await repos.themes.cast(theme_ids[index], voter, NOW, voter_roles=VOTING)
                    result = cast.result
                    if closed:
                        assert result == "vote_closed"
                    elif len(expected[voter]) >= budget:
                        assert result == "no_dots_left"
                    else:
                        assert result == "cast"
                        expected[voter].append(theme_ids[index])

            stored = await repos.themes.votes(1)
            per_voter = Counter(voter for _, voter in stored)
            assert all(count <= budget for count in per_voter.values())
            assert per_voter == Counter({v: len(d) for v, d in expected.items() if d})
            scores = tally(stored, theme_ids)
            async with engine.connect() as conn:
                rows = (await conn.execute(select(func.count()).select_from(votes))).scalar_one()
                assert (await conn.execute(select(func.count()).select_from(themes))).scalar() == 3
            assert sum(s.dots for s in scores) == rows == sum(len(d) for d in expected.values())
            by_theme = Counter(t for dots in expected.values() for t in dots)
            assert {s.theme_id: s.dots for s in scores} == {t: by_theme[t] for t in theme_ids}
        finally:
            await engine.dispose()


@settings(max_examples=40, deadline=None)
@given(sequence=taps, budget=st.integers(1, 4))
def test_the_budget_holds_and_totals_are_the_stored_dots(sequence, budget):
    asyncio.run(_play(sequence, budget))


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 9)), max_size=60))
def test_tally_sorts_by_dots_and_finds_ties(pairs):
    theme_ids = [1, 2, 3, 4, 5]
    scores = tally(pairs, theme_ids)
    assert {s.theme_id for s in scores} == set(theme_ids)
    assert [s.dots for s in scores] == sorted((s.dots for s in scores), reverse=True)
    assert sum(s.dots for s in scores) == len(pairs)
    for score in scores:
        assert score.voters == len({v for t, v in pairs if t == score.theme_id})
    top = top_themes(scores)
    if pairs:
        best = max(s.dots for s in scores)
        assert set(top) == {s.theme_id for s in scores if s.dots == best}
    else:
        assert top == []


def test_equal_scores_keep_the_order_the_themes_came_in():
    assert tally([(3, 1), (1, 2)], [1, 2, 3]) == [
        ThemeScore(1, 1, 1),
        ThemeScore(3, 1, 1),
        ThemeScore(2, 0, 0),
    ]


async def test_taps_at_the_same_moment_cannot_overspend(tmp_path):
    """Ten taps by one voter in flight at once: the single INSERT … SELECT admits three."""
    repos, theme_ids, engine = await _database(tmp_path / "votes.db", budget=3)
    try:
        casts = await asyncio.gather(
            *(
                repos.themes.cast(theme_ids[i % THEMES], 1, NOW, voter_roles=VOTING)
                for i in range(10)
            )
        )
        assert Counter(c.result for c in casts) == {"cast": 3, "no_dots_left": 7}
        assert len(await repos.themes.votes(1)) == 3
    finally:
        await engine.dispose()
