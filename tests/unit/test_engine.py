"""The pure engine: every input kind, every validation rule, branching, editing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from flows import engine
from flows.engine import (
    ButtonInput,
    Message,
    Prompt,
    SkipInput,
    StepContext,
    SubmitInput,
    Summary,
    TextInput,
)
from flows.model import Flow

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CTX = StepContext(now=NOW, time_zone="Europe/Copenhagen")

EVERY_KIND = Flow.model_validate(
    {
        "id": "every_kind",
        "version": 1,
        "title": "t.title",
        "on_finish": "t.done",
        "start": "note",
        "steps": [
            {"id": "note", "kind": "text", "prompt": "t.note.prompt", "min_length": 3,
             "max_length": 10, "next": "area"},
            {"id": "area", "kind": "choice", "prompt": "t.area.prompt",
             "options": ["outcome", "unsure"],
             "next": [{"if": {"answer": "unsure"}, "goto": "finish"}, {"goto": "tags"}]},
            {"id": "tags", "kind": "multi", "prompt": "t.tags.prompt",
             "options": ["a", "b", "c"], "next": "score"},
            {"id": "score", "kind": "scale", "prompt": "t.score.prompt", "next": "ok"},
            {"id": "ok", "kind": "yes_no", "prompt": "t.ok.prompt", "next": "when"},
            {"id": "when", "kind": "datetime", "prompt": "t.when.prompt",
             "future_only": True, "next": "before"},
            {"id": "before", "kind": "datetime", "prompt": "t.before.prompt",
             "before": "when", "next": "count"},
            {"id": "count", "kind": "number", "prompt": "t.count.prompt", "min_value": 0,
             "max_value": 100, "next": "extra"},
            {"id": "extra", "kind": "text", "prompt": "t.extra.prompt", "optional": True},
        ],
    }
)  # fmt: skip


def run(*events):
    """Start the flow and apply events, round-tripping the state through JSON each time."""
    outcome = engine.start(EVERY_KIND)
    for event in events:
        state = json.loads(json.dumps(outcome.state))
        outcome = engine.advance(EVERY_KIND, state, event, CTX)
        assert outcome.rejected is None, outcome.rejected
    return outcome


def refused(outcome, event) -> Message:
    result = engine.advance(EVERY_KIND, outcome.state, event, CTX)
    assert result.state == outcome.state
    assert result.answer is None
    assert result.rejected is not None
    return result.rejected


def test_start_asks_the_first_question_with_its_position():
    outcome = engine.start(EVERY_KIND)
    (prompt,) = outcome.replies
    assert isinstance(prompt, Prompt)
    assert (prompt.step_id, prompt.position, prompt.total) == ("note", 1, 9)


def test_text_is_stripped_and_bounded():
    start = engine.start(EVERY_KIND)
    assert refused(start, TextInput("  a ")) == Message("error.text_too_short", {"min": 3})
    assert refused(start, TextInput("x" * 11)) == Message(
        "error.text_too_long", {"max": 10, "length": 11}
    )
    assert run(TextInput("  abc  ")).answer == engine.Answer("note", "abc")


def test_choice_branches_on_the_answer():
    finished = run(TextInput("abc"), ButtonInput("area", "unsure"))
    assert finished.finished
    assert isinstance(finished.replies[-1], Summary)
    assert [i.step_id for i in finished.replies[-1].items] == ["note", "area"]
    onward = run(TextInput("abc"), ButtonInput("area", "outcome"))
    assert onward.state["step"] == "tags"


def test_choice_refuses_typing_and_unknown_options():
    at_area = run(TextInput("abc"))
    assert refused(at_area, TextInput("outcome")) == Message("error.use_buttons")
    assert refused(at_area, ButtonInput("area", "nope")) == Message("error.button_expired")


def test_a_button_of_another_step_is_stale():
    at_area = run(TextInput("abc"))
    assert refused(at_area, ButtonInput("note", "x")) == Message("error.button_expired")


def test_multi_toggles_then_submits_in_option_order():
    at_tags = run(TextInput("abc"), ButtonInput("area", "outcome"))
    assert refused(at_tags, SubmitInput("tags")) == Message("error.pick_at_least_one")
    toggled = run(
        TextInput("abc"),
        ButtonInput("area", "outcome"),
        ButtonInput("tags", "c"),
        ButtonInput("tags", "a"),
        ButtonInput("tags", "b"),
        ButtonInput("tags", "b"),
    )
    (prompt,) = toggled.replies
    assert prompt.redraw
    assert prompt.selected == ("c", "a")
    submitted = engine.advance(EVERY_KIND, toggled.state, SubmitInput("tags"), CTX)
    assert submitted.answer == engine.Answer("tags", ["a", "c"])


def until_score():
    return [TextInput("abc"), ButtonInput("area", "outcome"), ButtonInput("tags", "a"),
            SubmitInput("tags")]  # fmt: skip


def test_scale_accepts_buttons_and_typed_numbers_in_range():
    at_score = run(*until_score())
    assert refused(at_score, TextInput("6")) == Message("error.scale_range", {"min": 1, "max": 5})
    assert run(*until_score(), TextInput("4")).answer == engine.Answer("score", 4)
    assert run(*until_score(), ButtonInput("score", "2")).answer == engine.Answer("score", 2)


def test_yes_no_accepts_danish_and_english_words():
    base = [*until_score(), ButtonInput("score", "3")]
    assert run(*base, TextInput("Ja")).answer == engine.Answer("ok", True)
    assert run(*base, TextInput("no")).answer == engine.Answer("ok", False)
    assert refused(run(*base), TextInput("måske")) == Message("error.use_buttons")


def until_when():
    return [*until_score(), ButtonInput("score", "3"), ButtonInput("ok", "yes")]


def test_datetimes_must_parse_lie_ahead_and_respect_before():
    at_when = run(*until_when())
    assert refused(at_when, TextInput("i morgen")) == Message("error.not_a_datetime")
    assert refused(at_when, TextInput("1.1.2026 10:00")).key == "error.datetime_in_past"
    at_before = run(*until_when(), TextInput("3.12.2026 10:00"))
    assert at_before.answer == engine.Answer("when", "2026-12-03T09:00:00+00:00")
    assert refused(at_before, TextInput("4.12.2026 10:00")).key == "error.datetime_not_before"


def test_numbers_accept_decimal_commas_and_respect_bounds():
    at_count = run(*until_when(), TextInput("3.12.2026 10:00"), TextInput("2.12.2026 9:00"))
    assert run(*until_when(), TextInput("3.12.2026 10:00"), TextInput("2.12.2026 9:00"),
               TextInput("12,5")).answer == engine.Answer("count", 12.5)  # fmt: skip
    assert refused(at_count, TextInput("tolv")) == Message("error.not_a_number")
    assert refused(at_count, TextInput("101")) == Message(
        "error.number_out_of_range", {"min": 0, "max": 100}
    )


def test_only_optional_steps_can_be_skipped():
    assert refused(engine.start(EVERY_KIND), SkipInput("note")) == Message("error.not_optional")
    done = run(
        *until_when(),
        TextInput("3.12.2026 10:00"),
        TextInput("2.12.2026 9:00"),
        TextInput("7"),
        SkipInput("extra"),
    )
    assert done.finished
    assert done.answer == engine.Answer("extra", None)


def test_a_finished_run_refuses_input_until_reopened_and_then_returns_to_the_summary():
    done = run(TextInput("abc"), ButtonInput("area", "unsure"))
    assert refused(done, TextInput("more")) == Message("error.flow_finished")
    reopened = engine.reopen(EVERY_KIND, done.state, "note")
    assert engine.is_editing(reopened.state)
    edited = engine.advance(EVERY_KIND, reopened.state, TextInput("xyz"), CTX)
    assert edited.finished
    assert edited.state["answers"] == {"note": "xyz", "area": "unsure"}


def test_changing_a_branch_while_editing_asks_the_newly_reached_steps():
    done = run(TextInput("abc"), ButtonInput("area", "unsure"))
    reopened = engine.reopen(EVERY_KIND, done.state, "area")
    changed = engine.advance(EVERY_KIND, reopened.state, ButtonInput("area", "outcome"), CTX)
    assert not changed.finished
    assert changed.state["step"] == "tags"


def test_reopening_an_unanswered_step_is_refused():
    done = run(TextInput("abc"), ButtonInput("area", "unsure"))
    assert engine.reopen(EVERY_KIND, done.state, "tags").rejected == Message("error.button_expired")


def test_close_edit_restores_the_finished_run():
    done = run(TextInput("abc"), ButtonInput("area", "unsure"))
    reopened = engine.reopen(EVERY_KIND, done.state, "note")
    assert engine.close_edit(reopened.state) == {**done.state}


@pytest.mark.parametrize("flow_id", ["three_points", "data_review", "leader_prep", "audit_form"])
def test_every_shipped_preparation_flow_ends_with_a_summary(flow_id):
    from flows.i18n import Catalogue
    from flows.registry import FlowRegistry

    flow = FlowRegistry.load(Catalogue.load())[flow_id]
    outcome = engine.start(flow)
    while not outcome.finished:
        step = flow.step(outcome.state["step"])
        if step.optional:
            event = SkipInput(step.id)
        elif step.option_ids():
            event = ButtonInput(step.id, step.option_ids()[-1])
        else:
            event = TextInput("Et svar på mindst fem tegn")
        outcome = engine.advance(flow, outcome.state, event, CTX)
        assert outcome.rejected is None
    assert isinstance(outcome.replies[-1], Summary)
