"""One-way seams between capabilities: the one that acts publishes, the others subscribe.

An event is a plain frozen dataclass defined by the capability that publishes it. Subscribers
import that class (so the arrow points from subscriber to publisher) and are wired in the
composition root; handlers run in subscription order and are awaited before `publish` returns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

E = TypeVar("E")
Subscriber = Callable[[Any], Awaitable[None]]


class Events:
    def __init__(self) -> None:
        self._subscribers: defaultdict[type, list[Subscriber]] = defaultdict(list)

    def subscribe(self, kind: type[E], handler: Callable[[E], Awaitable[None]]) -> None:
        self._subscribers[kind].append(handler)

    async def publish(self, event: object) -> None:
        for handler in self._subscribers[type(event)]:
            await handler(event)
