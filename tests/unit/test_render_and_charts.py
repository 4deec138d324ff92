"""Rendering: long summaries split under Telegram's limit; the status chart draws its data."""

from __future__ import annotations

import struct

from bot.charts import status_chart
from bot.charts.status_chart import PrepCounts
from bot.core.render import MAX_MESSAGE_CHARS, Renderer, split_blocks
from flows.engine import Summary, SummaryItem
from flows.model import StepKind
from storage.records import Person

PERSON = Person(1, 101, "Mette", "da", "Europe/Copenhagen")
LABELS = {"finished": "Færdig", "in_progress": "I gang", "not_started": "Ikke startet",
          "participants": "Deltagere", "prep_title": "Forberedelse"}  # fmt: skip


def test_blocks_are_joined_into_messages_under_the_limit_without_cutting_any():
    blocks = [f"<b>{n}</b> " + "x" * 1500 for n in range(7)]
    messages = split_blocks(blocks)
    assert len(messages) == 4
    assert all(len(m) <= MAX_MESSAGE_CHARS for m in messages)
    assert "".join(messages).count("<b>") == 7


def test_a_long_summary_becomes_several_messages_with_buttons_on_the_last(catalogue):
    items = tuple(
        SummaryItem(f"s{n}", n, "points.positive.prompt", StepKind.TEXT, "y" * 1400)
        for n in range(1, 6)
    )
    screens = Renderer(catalogue).summary(PERSON, 7, Summary("points.title", items), editable=True)
    assert len(screens) > 1
    assert all(len(s.text) <= MAX_MESSAGE_CHARS for s in screens)
    assert all(s.markup is None for s in screens[:-1])
    labels = [b.text for row in screens[-1].markup.inline_keyboard for b in row]
    assert labels[:2] == ["Ret svar 1", "Ret svar 2"]
    assert labels[-1] == "Start forfra"


def test_status_chart_draws_one_bar_per_state_with_its_count():
    counts = PrepCounts(finished=5, in_progress=1, not_started=1)
    assert status_chart.bars(counts, LABELS) == [
        ("Færdig", 5, "#009E73"),
        ("I gang", 1, "#E69F00"),
        ("Ikke startet", 1, "#C0C0C0"),
    ]
    png = status_chart.render_png(counts, LABELS)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (720, 480)
    assert len(png) < 200_000
