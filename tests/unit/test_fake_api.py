"""The fake Bot API refuses what real Telegram refuses, so passing tests means valid calls."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from bot.fakeapi.server import FAKE_TOKEN, FakeBotApi
from bot.fakeapi.spec import problems_with
from bot.fakeapi.telegram_html import HtmlError, utf16_length, visible_text


@pytest.fixture
async def bot():
    api = FakeBotApi()
    async with Bot(FAKE_TOKEN, request=api, get_updates_request=api) as bot:
        yield bot, api


async def test_valid_calls_are_answered_like_telegram(bot):
    client, api = bot
    sent = await client.send_message(42, "<b>Hej</b> &amp; velkommen", parse_mode="HTML")
    assert sent.text == "Hej & velkommen"
    assert sent.message_id == 1
    assert api.violations == []


@pytest.mark.parametrize(
    ("method", "params", "problem"),
    [
        ("sendMessage", {"chat_id": 1}, "missing required field text"),
        ("sendMessage", {"chat_id": 1, "text": "x", "colour": "red"}, "unknown field colour"),
        ("sendMessage", {"chat_id": "1", "text": 5}, "is not String"),
        ("sendMesage", {}, "unknown method sendMesage"),
        ("sendMessage", {"chat_id": 1, "text": "x" * 4097}, "text is 4097 characters"),
        ("sendMessage", {"chat_id": 1, "text": "<b>x</b>" + "é" * 4096, "parse_mode": "HTML"},
         "text is 4097 characters"),
        ("sendMessage", {"chat_id": 1, "text": "I <3 data", "parse_mode": "HTML"},
         "can't parse entities"),
        ("sendMessage", {"chat_id": 1, "text": "<b>open", "parse_mode": "HTML"},
         "unclosed tag"),
        ("sendMessage", {"chat_id": 1, "text": "<div>x</div>", "parse_mode": "HTML"},
         "unsupported tag"),
        ("sendPhoto", {"chat_id": 1, "caption": "c" * 1025}, "caption is 1025 characters"),
        ("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[
            {"text": "a", "callback_data": "x" * 65}]]}}, "not 1-64 bytes"),
        ("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[
            {"text": "a", "callback_data": "x", "url": "https://example.org"}]]}},
         "exactly one action"),
    ],
)  # fmt: skip
def test_calls_real_telegram_would_refuse_are_reported(method, params, problem):
    files = {"photo"} if method == "sendPhoto" else set()
    problems = problems_with(method, params, files)
    assert any(problem in p for p in problems), problems


async def test_a_refused_call_raises_and_is_collected(bot):
    client, api = bot
    with pytest.raises(BadRequest, match="can't parse entities"):
        await client.send_message(42, "Vi <3 data", parse_mode="HTML")
    assert len(api.violations) == 1


async def test_editing_an_unknown_or_unchanged_message_is_refused(bot):
    client, api = bot
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await client.edit_message_text("x", chat_id=42, message_id=99)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="y")]])
    sent = await client.send_message(42, "Spørgsmål", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await client.edit_message_text("Spørgsmål", chat_id=42, message_id=sent.message_id,
                                       reply_markup=markup)  # fmt: skip
    assert api.violations == []


def test_visible_length_counts_utf16_units_after_parsing():
    assert visible_text("<i>Spørgsmål</i> &lt;1&gt;") == "Spørgsmål <1>"
    assert utf16_length("📊") == 2
    with pytest.raises(HtmlError):
        visible_text("Tom & Jerry")
