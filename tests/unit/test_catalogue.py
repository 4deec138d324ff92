"""The message catalogue: same keys and placeholders in both languages, escaping, plurals."""

from __future__ import annotations

import pytest

from bot.core import format
from flows.i18n import LANGUAGES, Catalogue, Trusted, placeholders


def test_danish_and_english_have_the_same_keys_and_placeholders(catalogue):
    assert catalogue.keys("da") == catalogue.keys("en")
    for key in catalogue.keys("da"):
        assert placeholders(catalogue.template(key, "da")) == placeholders(
            catalogue.template(key, "en")
        ), key


def test_parameters_are_html_escaped_but_trusted_text_is_not(catalogue):
    text = catalogue.text("status.missing", "da", names="<Bo> & Co")
    assert text == "Ikke færdige: &lt;Bo&gt; &amp; Co"
    assert catalogue.text("common.plain", "da", value=Trusted("<b>ok</b>")) == "<b>ok</b>"


def test_a_key_missing_in_english_falls_back_to_danish(caplog):
    catalogue = Catalogue({"da": {"x.y": "dansk"}, "en": {}})
    assert catalogue.text("x.y", "en") == "dansk"
    assert "missing in en" in caplog.text


def test_plural_forms_follow_babel_rules():
    catalogue = Catalogue(
        {lang: {"n.people": {"one": "{count} person", "other": "{count} personer"}}
         for lang in LANGUAGES},
        plural_rule=format.plural_form,
    )  # fmt: skip
    assert catalogue.text("n.people", "da", count=1) == "1 person"
    assert catalogue.text("n.people", "da", count=3) == "3 personer"


def test_an_unquoted_yes_key_is_refused(tmp_path):
    for language in LANGUAGES:
        (tmp_path / f"{language}.yaml").write_text("common:\n  yes: Ja\n", encoding="utf-8")
    with pytest.raises(ValueError, match="quoted"):
        Catalogue.load(tmp_path)


def test_dates_and_numbers_are_formatted_per_language():
    from datetime import UTC, datetime

    moment = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # the first morning of summer time
    assert format.when(moment, "da", "Europe/Copenhagen") == "søndag 29. marts 2026 kl. 10:00"
    assert format.when(moment, "en", "Europe/Copenhagen") == "Sunday 29 March 2026 at 10:00"
    assert format.number(12.5, "da") == "12,5"
    assert format.number(12.5, "en") == "12.5"
