"""The minutes' text as files: Markdown and Word (.docx).

The content comes in as plain blocks (headings, paragraphs, bullet lists, tables) made by
bot/meeting/minutes.py; this module only decides how each block looks in each format.
python-docx is imported when a Word file is written, not when the bot starts.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docx.document import Document

WORD_LANGUAGES = {"da": "da-DK", "en": "en-GB"}
"""Word's proofing language, so a Danish text is not underlined as misspelt English."""
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters an XML document cannot hold: one of them and Word refuses the whole file."""


@dataclass(frozen=True)
class Heading:
    text: str
    level: int
    """1 is the document's title, 2 a section."""


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Items:
    """A bullet list."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Paragraph | Items | Table


def markdown(blocks: Sequence[Block]) -> str:
    """Blocks separated by blank lines, so no two of them run together when rendered.

    Text is HTML-escaped: Markdown passes raw HTML through, and a participant's `<script>`
    must stay text in whatever shows the file.
    """
    return "\n\n".join(_markdown_block(block) for block in blocks) + "\n"


def _markdown_block(block: Block) -> str:
    match block:
        case Heading(text, level):
            return f"{'#' * level} {_md(text)}"
        case Paragraph(text, bold):
            return f"**{_md(text)}**" if bold else _md(text)
        case Items(items):
            return "\n".join(f"- {_md(item)}" for item in items)
        case Table(header, rows):
            lines = [_md_row(header), "|" + "---|" * len(header)]
            return "\n".join(lines + [_md_row(row) for row in rows])


def _md(text: str) -> str:
    return html.escape(" ".join(text.split()), quote=False)


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_md(cell).replace("|", "\\|") for cell in cells) + " |"


def word(blocks: Sequence[Block], *, title: str, language: str) -> bytes:
    """A .docx with Word's own heading, list and table styles, so it pastes into a case system
    as headings, lists and a table rather than as marked-up text."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document()
    document.core_properties.title = xml_safe(title)
    document.core_properties.language = WORD_LANGUAGES.get(language, "da-DK")
    defaults = document.styles.element.find(qn("w:docDefaults"))
    proofing = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    proofing.set(qn("w:val"), WORD_LANGUAGES.get(language, "da-DK"))
    for block in blocks:
        match block:
            case Heading(text, level):
                document.add_heading(xml_safe(text), level=0 if level == 1 else level - 1)
            case Paragraph(text, bold):
                document.add_paragraph().add_run(xml_safe(text)).bold = bold
            case Items(items):
                for item in items:
                    document.add_paragraph(xml_safe(item), style="List Bullet")
            case Table(header, rows):
                _word_table(document, header, rows)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _word_table(document: Document, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].add_run(xml_safe(text)).bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = xml_safe(text)


def xml_safe(text: str) -> str:
    """Without the control characters XML cannot hold (Word and Excel files are XML)."""
    return _NOT_IN_XML.sub("", text)
