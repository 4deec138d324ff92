"""Flow versions mean something: a shipped step id never changes within a version, a new
version carries a migration from each older one, and migrating moves answers and the open step."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from flows import engine
from flows.i18n import Catalogue
from flows.model import Flow
from flows.registry import DEFINITIONS_DIR, FlowRegistry

SHIPPED = Path(__file__).resolve().parents[2] / "flows" / "shipped_steps.json"


def test_shipped_flows_keep_their_step_ids_within_a_version():
    """Renaming a step without a new version would strand people half-way through it."""
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    registry = FlowRegistry.load(Catalogue.load())
    now = {
        f.id: {"version": f.version, "steps": [s.id for s in f.steps]} for f in registry.values()
    }
    changed = sorted(
        flow_id
        for flow_id, record in now.items()
        if flow_id not in shipped
        or record["version"] < shipped[flow_id]["version"]
        or (record["version"] == shipped[flow_id]["version"] and record != shipped[flow_id])
    )
    assert changed == [], (
        f"{changed}: steps changed within a version. Bump `version`, add a migration from the "
        f"old version, and record the new steps in flows/shipped_steps.json:\n"
        + json.dumps({flow_id: now[flow_id] for flow_id in changed}, indent=2)
    )


def _three_points(**changes: object) -> dict:
    data = yaml.safe_load((DEFINITIONS_DIR / "three_points.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def renamed_three_points() -> Flow:
    """Version 2 of three_points: `positive` is now `bright_spot`, `improve` is `to_improve`."""
    data = _three_points(
        version=2,
        start="bright_spot",
        migrations=[
            {"from_version": 1, "renamed": {"positive": "bright_spot", "improve": "to_improve"}}
        ],
    )
    data["steps"][0].update(id="bright_spot", next="to_improve")
    data["steps"][1]["id"] = "to_improve"
    return Flow.model_validate(data)


def test_a_new_version_without_a_migration_is_refused():
    data = _three_points(version=2)
    with pytest.raises(ValidationError, match="needs one migration from each earlier version"):
        Flow.model_validate(data)


def test_a_migration_to_a_step_that_does_not_exist_is_refused():
    data = _three_points(version=2, migrations=[{"from_version": 1, "renamed": {"improve": "x"}}])
    with pytest.raises(ValidationError, match="renamed to unknown ids"):
        Flow.model_validate(data)


def test_migrating_moves_answers_and_the_open_step_to_the_new_ids():
    old = Flow.model_validate(_three_points())
    state = engine.start(old).state
    ctx = engine.StepContext(now=datetime.now(UTC), time_zone="UTC")
    state = engine.advance(old, state, engine.TextInput("Flere i fritidsjob."), ctx).state
    assert (state["step"], state["version"]) == ("improve", 1)

    new = renamed_three_points()
    migrated = engine.migrate(new, state)
    assert migrated.state["step"] == "to_improve"
    assert migrated.state["answers"] == {"bright_spot": "Flere i fritidsjob."}
    assert migrated.state["version"] == 2
    assert migrated.renamed == {"positive": "bright_spot", "improve": "to_improve"}
    assert json.loads(json.dumps(migrated.state)) == migrated.state
    after = engine.advance(new, migrated.state, engine.TextInput("Fremmødet falder."), ctx)
    assert after.answer == engine.Answer("to_improve", "Fremmødet falder.")
    assert after.state["step"] == "data_question"


def test_a_run_standing_on_a_removed_step_goes_on_at_the_first_unanswered_one():
    data = _three_points(version=2, migrations=[{"from_version": 1, "removed": ["improve"]}])
    data["steps"][0]["next"] = "data_question"
    del data["steps"][1]
    new = Flow.model_validate(data)
    state = {
        "flow": "three_points", "version": 1, "step": "improve", "status": "active",
        "answers": {"positive": "Flere i fritidsjob."}, "selection": [],
    }  # fmt: skip
    migrated = engine.migrate(new, state)
    assert migrated.state["step"] == "data_question"
    assert migrated.removed == ()
    further = {**state, "answers": {"positive": "a", "improve": "b"}, "step": "data_question"}
    moved = engine.migrate(new, further)
    assert (moved.removed, moved.state["answers"]) == (("improve",), {"positive": "a"})
    assert moved.state["step"] == "data_question"


def test_a_run_is_moved_to_the_first_question_its_new_path_has_not_asked():
    """agreement_action version 1 asked owner_kind before the deadline; version 2 asks `when`
    instead. A run standing on the deadline goes back to `when`, not on to finish without it."""
    flow = FlowRegistry.load(Catalogue.load())["agreement_action"]
    state = {
        "flow": "agreement_action", "version": 1, "step": "deadline", "status": "active",
        "answers": {"description": "Ring til jobcentret", "owner_kind": "member"},
        "selection": [],
    }  # fmt: skip
    migrated = engine.migrate(flow, state)
    assert (migrated.state["step"], migrated.state["status"]) == ("when", "active")
    assert migrated.removed == ("owner_kind",)
    complete = {**state, "answers": {**state["answers"], "when": "one_month"}}
    done = engine.migrate(flow, complete)
    assert (done.state["step"], done.state["status"]) == (None, "finished")


def test_a_run_newer_than_its_flow_is_left_as_it_is():
    flow = Flow.model_validate(_three_points())
    newer = {**engine.start(flow).state, "version": 2}
    assert not engine.needs_migration(flow, newer)
