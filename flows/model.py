"""Flow definitions as data: the pydantic models that flows/definitions/*.yaml are loaded into.

A flow is a list of steps, each asking one question of one kind. The loader checks the graph
(every `goto` exists, every step is reachable) and the limits Telegram puts on button payloads;
message keys are checked against the catalogue by `flows.registry`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cached_property
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

FINISH = "finish"
"""Reserved step id: a rule that goes here ends the flow."""

MAX_ID_LENGTH = 20
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_TEXT_LENGTH = 3000
"""Upper bound for any free-text answer, well under Telegram's 4096 so a summary still fits."""


class StepKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    MULTI = "multi"
    SCALE = "scale"
    YES_NO = "yes_no"
    DATETIME = "datetime"
    NUMBER = "number"


YES_NO_OPTIONS = ("yes", "no")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_id(value: str) -> str:
    if len(value) > MAX_ID_LENGTH or not ID_PATTERN.match(value):
        raise ValueError(f"{value!r} must be snake_case ASCII of at most {MAX_ID_LENGTH} chars")
    return value


class Condition(_Strict):
    """Matches when the answer to `step` (default: the step just answered) equals `answer`."""

    answer: str | int | bool
    step: str | None = None


class Rule(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    when: Condition | None = Field(default=None, alias="if")
    goto: str


class Scale(_Strict):
    min: int = 1
    max: int = 5


class Step(_Strict):
    id: str
    kind: StepKind
    prompt: str
    hint: str | None = None
    optional: bool = False
    min_length: int = 1
    max_length: int = 1000
    options: tuple[str, ...] = ()
    scale: Scale = Scale()
    min_value: float | None = None
    max_value: float | None = None
    future_only: bool = False
    within_days: int | None = Field(default=None, ge=1, le=3660)
    """For datetime steps: at most this many days ahead (a year typed as 9999 is refused)."""
    before: str | None = None
    """For datetime steps: the answer must lie before the answer of this earlier step."""
    next: str | tuple[Rule, ...] = FINISH

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        return _check_id(value)

    @field_validator("options")
    @classmethod
    def _check_options(cls, options: tuple[str, ...]) -> tuple[str, ...]:
        for option in options:
            _check_id(option)
        if len(set(options)) != len(options):
            raise ValueError("option ids must be unique")
        return options

    @model_validator(mode="after")
    def _check_kind(self) -> Step:
        if self.kind in (StepKind.CHOICE, StepKind.MULTI) and len(self.options) < 2:
            raise ValueError(f"step {self.id}: a {self.kind} step needs at least two options")
        if self.kind not in (StepKind.CHOICE, StepKind.MULTI) and self.options:
            raise ValueError(f"step {self.id}: only choice steps have options")
        if not 1 <= self.min_length <= self.max_length <= MAX_TEXT_LENGTH:
            raise ValueError(f"step {self.id}: need 1 <= min_length <= max_length <= 3000")
        if self.scale.min >= self.scale.max or self.scale.max - self.scale.min > 9:
            raise ValueError(f"step {self.id}: a scale needs 2 to 10 points")
        if self.before is not None and self.kind is not StepKind.DATETIME:
            raise ValueError(f"step {self.id}: `before` applies to datetime steps only")
        if self.within_days is not None and self.kind is not StepKind.DATETIME:
            raise ValueError(f"step {self.id}: `within_days` applies to datetime steps only")
        return self

    def option_ids(self) -> tuple[str, ...]:
        """The ids a button press on this step may carry."""
        if self.kind is StepKind.SCALE:
            return tuple(str(n) for n in range(self.scale.min, self.scale.max + 1))
        if self.kind is StepKind.YES_NO:
            return YES_NO_OPTIONS
        return self.options

    def targets(self) -> list[str]:
        if isinstance(self.next, str):
            return [self.next]
        return [rule.goto for rule in self.next]


class Migration(_Strict):
    """How a run started on `from_version` continues on the next version (as goflow migrates
    its flows): answers and the open question follow renamed steps; answers to removed steps
    drop out of the run (their rows stay stored)."""

    from_version: int = Field(ge=1)
    renamed: dict[str, str] = Field(default_factory=dict)
    """Old step id -> new step id."""
    removed: tuple[str, ...] = ()


class Flow(_Strict):
    id: str
    version: int = Field(ge=1)
    audience: Literal["person", "meeting"] = "person"
    title: str
    intro: str | None = None
    show_all_first: bool = False
    """Audit forms: list every question in the intro before asking them one by one."""
    on_finish: str | None = None
    """What the person reads when the flow is done; None when its finish hook says it."""
    show_summary: bool = True
    """Show the answers with edit buttons at the end (preparation); off for command flows."""
    start: str
    steps: tuple[Step, ...]
    migrations: tuple[Migration, ...] = ()
    """One per earlier version, so a run half-way through an older version is never stranded."""

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        return _check_id(value)

    @model_validator(mode="after")
    def _check_graph(self) -> Flow:
        ids = [step.id for step in self.steps]
        if len(set(ids)) != len(ids):
            raise ValueError(f"flow {self.id}: step ids must be unique")
        if FINISH in ids:
            raise ValueError(f"flow {self.id}: `{FINISH}` is reserved")
        known = {*ids, FINISH}
        if self.start not in ids:
            raise ValueError(f"flow {self.id}: start step {self.start!r} does not exist")
        for step in self.steps:
            for target in step.targets():
                if target not in known:
                    raise ValueError(f"flow {self.id}: step {step.id} goes to unknown {target!r}")
            if isinstance(step.next, tuple):
                if not step.next or step.next[-1].when is not None:
                    raise ValueError(f"flow {self.id}: the last rule of {step.id} needs no `if`")
                if any(rule.when is None for rule in step.next[:-1]):
                    raise ValueError(
                        f"flow {self.id}: only the last rule of {step.id} may omit `if`"
                    )
            if step.before is not None and step.before not in ids:
                raise ValueError(
                    f"flow {self.id}: step {step.id} is before unknown {step.before!r}"
                )
        reachable = self._reachable()
        unreachable = [step_id for step_id in ids if step_id not in reachable]
        if unreachable:
            raise ValueError(f"flow {self.id}: steps cannot be reached: {unreachable}")
        self._check_migrations(set(ids))
        return self

    def _check_migrations(self, ids: set[str]) -> None:
        versions = sorted(m.from_version for m in self.migrations)
        if versions != list(range(1, self.version)):
            raise ValueError(
                f"flow {self.id}: version {self.version} needs one migration from each earlier "
                f"version (1 to {self.version - 1}); found {versions}"
            )
        if not self.migrations:
            return
        latest = max(self.migrations, key=lambda m: m.from_version)
        unknown = sorted(set(latest.renamed.values()) - ids)
        if unknown:
            raise ValueError(f"flow {self.id}: steps renamed to unknown ids {unknown}")
        kept = sorted(set(latest.removed) & ids)
        if kept:
            raise ValueError(f"flow {self.id}: removed steps {kept} are still in the flow")

    def _reachable(self) -> set[str]:
        seen: set[str] = set()
        todo = [self.start]
        by_id = {step.id: step for step in self.steps}
        while todo:
            step_id = todo.pop()
            if step_id in seen or step_id == FINISH:
                continue
            seen.add(step_id)
            todo.extend(by_id[step_id].targets())
        return seen

    @cached_property
    def step_index(self) -> dict[str, tuple[int, Step]]:
        """Step id -> (1-based position, step). Built once: every answer looks steps up.

        A cached_property lands in the instance dict, which is far cheaper to read than a
        pydantic private attribute on this hot path."""
        return {step.id: (index, step) for index, step in enumerate(self.steps, start=1)}

    def step(self, step_id: str) -> Step:
        return self.step_index[step_id][1]

    def has_step(self, step_id: str) -> bool:
        return step_id in self.step_index

    def position(self, step_id: str) -> int:
        """1-based place of the step in the definition ("question 2 of 5")."""
        return self.step_index[step_id][0]

    def message_keys(self) -> set[str]:
        """Every catalogue key this flow refers to, so the registry can check both languages."""
        keys = {self.title, *([self.on_finish] if self.on_finish else [])}
        if self.intro:
            keys.add(self.intro)
        for step in self.steps:
            keys.add(step.prompt)
            if step.hint:
                keys.add(step.hint)
            keys.update(f"{step.prompt.rsplit('.', 1)[0]}.option.{o}" for o in step.options)
        return keys


def option_label_key(step: Step, option: str) -> str:
    """Catalogue key of a choice option's label: `<prompt's parent>.option.<option>`."""
    return f"{step.prompt.rsplit('.', 1)[0]}.option.{option}"
