"""The loader refuses broken flow definitions; every shipped flow loads in both languages."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from flows.i18n import Catalogue
from flows.model import Flow
from flows.registry import FlowRegistry, check_flow


def flow(**changes):
    data = {
        "id": "tiny",
        "version": 1,
        "title": "points.title",
        "on_finish": "points.done",
        "start": "first",
        "steps": [{"id": "first", "kind": "text", "prompt": "points.positive.prompt"}],
    }
    data.update(changes)
    return data


def test_shipped_flows_load():
    registry = FlowRegistry.load(Catalogue.load())
    assert set(registry) == {"three_points", "data_review", "leader_prep", "audit_form",
                             "new_meeting", "add_theme", "agreement", "agreement_action",
                             "takeaway", "followup_note", "postpone", "owner_message",
                             "outside_person"}  # fmt: skip
    assert 6 <= len(registry["audit_form"].steps) <= 10
    assert registry["audit_form"].steps[-2].id == "method_issues"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": "nowhere"}, "start step 'nowhere' does not exist"),
        (
            {"steps": [{"id": "first", "kind": "text", "prompt": "p", "next": "ghost"}]},
            "goes to unknown 'ghost'",
        ),
        (
            {
                "steps": [
                    {"id": "first", "kind": "text", "prompt": "p"},
                    {"id": "orphan", "kind": "text", "prompt": "p"},
                ]
            },
            "cannot be reached: ['orphan']",
        ),
        ({"id": "Not-Snake"}, "snake_case"),
        ({"id": "a_very_long_flow_identifier"}, "at most 20"),
        (
            {"steps": [{"id": "first", "kind": "choice", "prompt": "p", "options": ["x"]}]},
            "at least two options",
        ),
        ({"steps": [{"id": "finish", "kind": "text", "prompt": "p"}], "start": "finish"},
         "reserved"),
        (
            {"steps": [{"id": "first", "kind": "text", "prompt": "p", "next": [
                {"if": {"answer": "x"}, "goto": "finish"}]}]},
            "last rule",
        ),
        ({"steps": [{"id": "first", "kind": "text", "prompt": "p", "colour": "red"}]},
         "Extra inputs"),
    ],
)  # fmt: skip
def test_broken_definitions_are_refused(changes, message):
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Flow.model_validate(flow(**changes))


def test_a_flow_with_a_key_missing_from_the_catalogue_is_refused():
    broken = Flow.model_validate(
        flow(steps=[{"id": "first", "kind": "text", "prompt": "points.nope.prompt"}])
    )
    with pytest.raises(ValueError, match=r"keys missing in da.yaml: \['points.nope.prompt'\]"):
        check_flow(broken, Catalogue.load())


def test_buttons_that_would_exceed_64_bytes_are_refused():
    long_option = "o" * 20
    wide = Flow.model_validate(
        flow(
            id="f" * 20,
            steps=[
                {"id": "s" * 20, "kind": "choice", "prompt": "points.positive.prompt",
                 "options": [long_option, "other"]}
            ],
            start="s" * 20,
        )
    )  # fmt: skip
    catalogue = Catalogue(
        {
            language: {
                "points.title": "t",
                "points.done": "d",
                "points.positive.prompt": "p",
                f"points.positive.option.{long_option}": "l",
                "points.positive.option.other": "o",
            }
            for language in ("da", "en")
        }
    )
    check_flow(wide, catalogue)  # 2 + 12 + 20 + 20 + 3 separators = 57 bytes: fits
    assert len(f"a:{'9' * 12}:{'s' * 20}:{long_option}".encode()) <= 64
