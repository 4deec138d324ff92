"""Configuration from environment variables (prefix DATADIALOG_) or a .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import PositiveInt, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DATADIALOG_", env_file=".env", extra="ignore")

    token: SecretStr | None = None
    data_dir: Path = Path("data")
    database_url: str | None = None
    """Default: a SQLite file `datadialog.db` in `data_dir`."""
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    time_zone: str = "Europe/Copenhagen"
    language: Literal["da", "en"] = "da"
    api_base_url: str = "https://api.telegram.org/bot"
    api_base_file_url: str = "https://api.telegram.org/file/bot"
    max_concurrent_updates: int = 64
    """Updates handled at once; each chat's updates still run strictly in order."""
    reminder_rate: float = 30
    """Reminders sent per second at most (Telegram allows about 30); 0 sends unpaced."""
    retain_meetings_days: PositiveInt = 3 * 365
    """A meeting, with its agreement, actions, themes and votes, goes this long after it began."""
    retain_answers_days: PositiveInt = 3 * 365
    """A form's answers go this long after they were last touched."""
    retain_free_text_days: PositiveInt = 180
    """Notes written to follow-up nudges are blanked after this long (the status stays)."""
    retain_logs_days: PositiveInt = 365
    """Reminders that were sent or called off, and fired meeting timers, go after this long."""
    debug_logs: bool = False
    """Unsafe in production: the log then holds message texts, names, Telegram ids and the
    bot token (in the request URLs). For finding a bug on a test bot only."""

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'datadialog.db').as_posix()}"
