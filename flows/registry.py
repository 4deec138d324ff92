"""Loads every flow definition and checks it against the catalogue and Telegram's limits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml

from flows.i18n import LANGUAGES, Catalogue
from flows.model import Flow

DEFINITIONS_DIR = Path(__file__).parent / "definitions"

MAX_CALLBACK_DATA_BYTES = 64
LONGEST_RUN_ID = "9" * 12
"""Callback data carries a run id; budget for twelve digits (a trillion runs)."""


class FlowRegistry(Mapping[str, Flow]):
    """All shipped flows by id."""

    def __init__(self, flows: Mapping[str, Flow]) -> None:
        self._flows = dict(flows)

    @classmethod
    def load(cls, catalogue: Catalogue, directory: Path = DEFINITIONS_DIR) -> FlowRegistry:
        flows = {}
        for path in sorted(directory.glob("*.yaml")):
            with path.open(encoding="utf-8") as handle:
                flow = Flow.model_validate(yaml.safe_load(handle))
            if flow.id != path.stem:
                raise ValueError(f"{path.name}: flow id {flow.id!r} must match the file name")
            check_flow(flow, catalogue)
            flows[flow.id] = flow
        return cls(flows)

    def __getitem__(self, flow_id: str) -> Flow:
        return self._flows[flow_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._flows)

    def __len__(self) -> int:
        return len(self._flows)


def check_flow(flow: Flow, catalogue: Catalogue) -> None:
    """Refuse a flow whose texts are missing in a language or whose buttons would not fit."""
    for language in LANGUAGES:
        missing = sorted(flow.message_keys() - catalogue.keys(language))
        if missing:
            raise ValueError(f"flow {flow.id}: keys missing in {language}.yaml: {missing}")
    for step in flow.steps:
        for option in step.option_ids() or ("",):
            data = answer_callback_data(LONGEST_RUN_ID, step.id, option)
            if len(data.encode()) > MAX_CALLBACK_DATA_BYTES:
                raise ValueError(f"flow {flow.id}: buttons of {step.id} exceed 64 bytes")


def answer_callback_data(run_id: int | str, step_id: str, option: str) -> str:
    """The payload of an answer button. Kept here so the loader can check its length."""
    return f"a:{run_id}:{step_id}:{option}"
