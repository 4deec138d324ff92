"""Team data: the leader's indicator file (CSV/XLSX) becomes charts; /pack sends them."""

from __future__ import annotations

from telegram.ext import filters

from bot.core.capability import Capability
from bot.data.importing import on_document
from bot.data.pack import on_pack, send_pack

CAPABILITY = Capability(
    name="data",
    private_commands={"pack": on_pack},
    messages=((filters.ChatType.PRIVATE & filters.Document.ALL, on_document),),
    menu=("pack",),
)

__all__ = ["CAPABILITY", "send_pack"]
