"""Deep links: t.me links that open the bot with a payload (invitations, adding to a group)."""

from __future__ import annotations

from telegram import Bot

GROUP_START_PAYLOAD = "link"
"""t.me/<bot>?startgroup=link adds the bot to a group and sends /start link there."""


def start_link(bot: Bot, token: str) -> str:
    """Opens the private chat and sends /start <token> (an invitation or an owner link)."""
    return f"https://t.me/{bot.username}?start={token}"


def group_link(bot: Bot) -> str:
    return f"https://t.me/{bot.username}?startgroup={GROUP_START_PAYLOAD}"


def private_chat(bot: Bot) -> str:
    return f"https://t.me/{bot.username}"
