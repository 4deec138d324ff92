"""Repositories: every read and write the bot makes, grouped by what they are about."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.inbox import InboxRepository
from storage.repositories.agreements import AgreementRepository
from storage.repositories.datasets import DatasetRepository
from storage.repositories.dialogues import DialogueRepository
from storage.repositories.invites import InviteRepository
from storage.repositories.meetings import MeetingRepository
from storage.repositories.people import PeopleRepository
from storage.repositories.privacy import PrivacyRepository
from storage.repositories.reminders import ReminderRepository
from storage.repositories.runs import RunRepository
from storage.repositories.themes import ThemeRepository


@dataclass(frozen=True)
class Repositories:
    people: PeopleRepository
    meetings: MeetingRepository
    invites: InviteRepository
    runs: RunRepository
    datasets: DatasetRepository
    dialogues: DialogueRepository
    themes: ThemeRepository
    agreements: AgreementRepository
    reminders: ReminderRepository
    inbox: InboxRepository
    privacy: PrivacyRepository

    @classmethod
    def on(cls, engine: AsyncEngine) -> Repositories:
        people = PeopleRepository(engine)
        runs = RunRepository(engine)
        return cls(
            people=people,
            meetings=MeetingRepository(engine),
            invites=InviteRepository(engine),
            runs=runs,
            datasets=DatasetRepository(engine),
            dialogues=DialogueRepository(engine),
            themes=ThemeRepository(engine),
            agreements=AgreementRepository(engine),
            reminders=ReminderRepository(engine),
            inbox=InboxRepository(engine),
            privacy=PrivacyRepository(engine, people, runs),
        )
