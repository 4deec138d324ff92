"""A whole data dialogue in a Telegram group: link, four steps, dot vote, agreement, minutes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from storage.records import ActionReview
from storage.schema import (
    actions,
    agreements,
    dialogues,
    meeting_timers,
    meetings,
    memberships,
    themes,
    votes,
)
from tests.support.steps import answer_three_points, plan_meeting

GROUP_ID = -1001234
MEETING_START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 10:00 in Copenhagen


async def _people(world):
    mette = world.person(101, "Mette", last_name="Holm")
    participant_token, referent_token = await plan_meeting(mette)
    jonas, aisha, lars, sofie = (
        world.person(user_id, name)
        for user_id, name in ((202, "Jonas"), (203, "Aisha"), (204, "Lars"), (205, "Sofie"))
    )
    for person in (jonas, aisha, lars, sofie):
        await person.sends(f"/start {participant_token}")
    rikke = world.person(301, "Rikke")
    await rikke.sends(f"/start {referent_token}")
    return mette, rikke, jonas, aisha, lars, sofie


def _group_message(world, text_start: str) -> int:
    """The id of the newest bot message in the group whose text starts with `text_start`."""
    for message in reversed(world.api.chat_messages(GROUP_ID)):
        if message.from_bot and world.telegram.message_text(
            GROUP_ID, message.message_id
        ).startswith(text_start):
            return message.message_id
    raise AssertionError(f"no group message starts with {text_start!r}")


async def _count(world, table, *conditions) -> int:
    async with world.services.engine.connect() as conn:
        query = select(func.count()).select_from(table)
        for condition in conditions:
            query = query.where(condition)
        return (await conn.execute(query)).scalar_one()


async def test_a_whole_meeting_from_linking_the_group_to_the_minutes(world, da):
    mette, rikke, jonas, aisha, lars, sofie = await _people(world)
    await answer_three_points(jonas)
    await answer_three_points(aisha)
    group = world.group(GROUP_ID, "Team Fritid")
    telegram = world.telegram

    # Linking: only a leader or referent can; the bot says which meeting the group is for.
    await jonas.sends_in_group(group, "/linkmeeting")
    assert jonas.last_text() == da("link.no_meetings")  # a refusal is told in private
    await mette.sends_in_group(group, "/linkmeeting")
    assert telegram.chat_texts(GROUP_ID)[-1] == (
        "Gruppen hører nu til Status på fritidsindsatsen (Team Fritid), "
        "torsdag 3. december 2026 kl. 10:00. Skriv /startmeeting, når I går i gang."
    )

    # 1. Since last time: the team's first dialogue, so nothing to follow up.
    world.clock.now = MEETING_START
    await mette.sends_in_group(group, "/startmeeting")
    panel_id = _group_message(world, "Status på fritidsindsatsen – datadialog")
    panel = telegram.message_text(GROUP_ID, panel_id)
    assert "▶ 1. Siden sidst\n◦ 2. Udforsk" in panel
    assert "Fase 1 af 5 · 10 min · slutter ca. kl. 10:10" in panel
    texts = telegram.chat_texts(GROUP_ID)
    assert texts[-2].startswith("1. Siden sidst · 10 min\nVi sætter rammen")
    assert "Støttespørgsmål\n• Hvad aftalte vi" in texts[-2]
    assert texts[-1] == da("since.none")

    await jonas.taps_in_group(group, "Næste ▶")
    assert jonas.alerts()[-1] == da("dialogue.only_drivers")

    # The leader is warned privately 2 minutes before the timebox ends, and when it is over.
    world.clock.advance(minutes=8)
    assert await world.fire_due_timers() == 1
    assert mette.last_text() == (
        "⏳ 2 minutter tilbage af Siden sidst (10 min) på Status på fritidsindsatsen."
    )
    world.clock.advance(minutes=2)
    await world.fire_due_timers()
    assert mette.last_text().startswith("⌛ Tiden for Siden sidst (10 min)")

    # 2. Explore: themes come privately, from prepared points, or as replies; no names shown.
    await mette.taps_in_group(group, "Næste ▶")
    assert "✓ 1. Siden sidst\n▶ 2. Udforsk" in telegram.message_text(GROUP_ID, panel_id)
    themes_id = _group_message(world, "Temaer (0)")

    await jonas.taps_in_group(group, "➕ Tilføj tema")
    assert jonas.alerts()[-1] == "Se vores private chat."
    assert jonas.texts()[-2].endswith(da("theme.text.hint"))
    assert jonas.last_text() == da("explore.suggestions")
    await jonas.sends("Unge over 18 falder fra efter tre måneder")

    await aisha.taps_in_group(group, "➕ Tilføj tema")
    await aisha.taps("Flere af Aishas borgere er kommet i fri…")
    assert (
        aisha.last_text() == "✓ Tilføjet som tema: Flere af Aishas borgere er kommet i fritidsjob."
    )

    await lars.sends_in_group(group, "Fremmødet stiger om vinteren", reply_to=themes_id)
    assert telegram.chat_texts(GROUP_ID)[-1] == da("explore.added_from_reply")

    await mette.taps_in_group(group, "➕ Tilføj tema")
    assert mette.alerts()[-1] == da("explore.leader_last")

    await sofie.taps_in_group(group, "➕ Tilføj tema")
    await sofie.sends("Unge over 18 falder fra efter 3 mdr.")
    assert mette.texts()[-1] == da("explore.leader_prompt")  # everyone has had their say
    await mette.taps("➕ Tilføj tema")
    await mette.sends("Vi har ingen aftenaktiviteter")

    await rikke.taps_in_group(group, "Flet dubletter")
    await rikke.taps("4. Unge over 18 falder fra efter 3 mdr.")
    await rikke.taps("1. Unge over 18 falder fra efter tre måned…")
    assert rikke.last_text() == (
        "»Unge over 18 falder fra efter 3 mdr.« er flettet ind i "
        "»Unge over 18 falder fra efter tre måneder«."
    )

    world.clock.advance(seconds=3)
    await world.fire_due_timers()
    theme_list = telegram.message_text(GROUP_ID, themes_id)
    assert theme_list.startswith(
        "Temaer (4)\n1. Unge over 18 falder fra efter tre måneder\n"
        "2. Flere af Aishas borgere er kommet i fritidsjob.\n3. Fremmødet stiger om vinteren\n"
        "4. Vi har ingen aftenaktiviteter"
    )
    assert not any(name in theme_list for name in ("Jonas", "Lars", "Sofie", "Mette"))

    # 3. Interpret: dot voting, with a restart in the middle that keeps every dot.
    await mette.taps_in_group(group, "Næste ▶")
    ballot_id = _group_message(world, "Prioritér med prikker")
    assert "0 af 4 har stemt" in telegram.message_text(GROUP_ID, ballot_id)
    first, second, third, fourth = (
        "➕ 1. Unge over 18 falder fra efter tre m…",
        "➕ 2. Flere af Aishas borgere er kommet i…",
        "➕ 3. Fremmødet stiger om vinteren",
        "➕ 4. Vi har ingen aftenaktiviteter",
    )
    for label in (first, first, second):
        await jonas.taps_in_group(group, label)
    assert (
        jonas.alerts()[-1] == "Prik på: Flere af Aishas borgere er kommet i fritidsjob. (0 tilbage)"
    )
    await jonas.taps_in_group(group, third)
    assert jonas.alerts()[-1] == da("vote.no_dots", dots=3)
    await mette.taps_in_group(group, first)
    assert mette.alerts()[-1] == "Som mødeleder stemmer du ikke med."

    for label in (second, second, fourth):
        await aisha.taps_in_group(group, label)
    await aisha.taps_in_group(group, "↩ Tag en prik tilbage")
    assert aisha.alerts()[-1] == "Prikken på »Vi har ingen aftenaktiviteter« er taget tilbage."
    await aisha.taps_in_group(group, first)
    await aisha.taps_in_group(group, "Mine prikker")
    assert aisha.alerts()[-1] == "Dine prikker: 1× 1, 2× 2 (tema-nummer). 0 tilbage."

    await world.restart()
    assert await _count(world, votes) == 6

    for label in (third, third, fourth):
        await lars.taps_in_group(group, label)
    for label in (first, second, fourth):
        await sofie.taps_in_group(group, label)
    world.clock.advance(seconds=3)
    await world.fire_due_timers()
    assert "4 af 4 har stemt" in telegram.message_text(GROUP_ID, ballot_id)

    stale_vote = next(
        b["callback_data"]
        for b in world.api.messages[(GROUP_ID, ballot_id)].buttons()
        if b["text"] == third
    )
    await jonas.taps_in_group(group, "🔒 Luk afstemningen (mødeleder)")
    assert jonas.alerts()[-1] == da("vote.leader_closes")
    await mette.taps_in_group(group, "🔒 Luk afstemningen (mødeleder)")
    assert telegram.message_text(GROUP_ID, ballot_id).endswith(da("vote.closed_note"))
    chart = [m for m in world.api.chat_messages(GROUP_ID) if m.photo][-1]
    assert chart.photo[:8] == b"\x89PNG\r\n\x1a\n"
    assert telegram.message_text(GROUP_ID, chart.message_id) == (
        "Sådan læses figuren: hver søjle er et tema, længden er antal prikker. 4 personer satte "
        "12 prikker. 2 temaer deler førstepladsen med 4 prikker hver."
    )
    assert (
        telegram.chat_texts(GROUP_ID)[-1] == "2 temaer står lige. Mødelederen vælger fokusområdet:"
    )
    await lars.forges_tap(stale_vote, message_id=ballot_id, chat_id=GROUP_ID)  # an old screen
    assert lars.alerts()[-1] == da("vote.closed")
    await jonas.taps_in_group(group, "2. Flere af Aishas borgere er kommet i…")
    assert jonas.alerts()[-1] == da("vote.leader_breaks_ties")
    await mette.taps_in_group(group, "2. Flere af Aishas borgere er kommet i…")
    chosen_id = _group_message(world, "Valgt fokusområde:")
    await rikke.sends_in_group(
        group, "Vi bruger ikke jobmentor nok; <b>samarbejde</b> med jobcentret", reply_to=chosen_id
    )
    assert telegram.message_text(GROUP_ID, chosen_id) == (
        "Valgt fokusområde: Flere af Aishas borgere er kommet i fritidsjob.\n\n"
        "Forklaringer og kerneelementer: Vi bruger ikke jobmentor nok; <b>samarbejde</b> "
        "med jobcentret"
    )
    assert await _count(world, votes) == 12

    # 4. Prepare action and the agreement, written by the referent in private.
    await mette.taps_in_group(group, "Næste ▶")
    world.clock.advance(seconds=3)
    await world.fire_due_timers()
    await mette.taps_in_group(group, "Næste ▶")
    assert "▶ 5. Aftale" in telegram.message_text(GROUP_ID, panel_id)
    await mette.taps_in_group(group, "Afslut mødet ✓")
    assert mette.alerts()[-1] == da("dialogue.agreement_first")

    await rikke.taps_in_group(group, "✍ Skriv aftalen")
    for answer in (
        "Flere unge over 18 bliver i et fritidsjob",
        "Halvdelen af de unge har et fritidsjob",
        "12",
        "Andel i fritidsjob pr. kvartal stiger",
        "4.3.2027 10:00",
    ):
        await rikke.sends(answer)
    await rikke.taps("Hver 14. dag")
    assert rikke.texts()[-2] == da("agreement.first_action")  # the first action follows at once
    assert rikke.last_text().startswith("Spørgsmål 1 af 3\nHvad skal gøres?")
    await rikke.sends("Jobmentor tager kontakt til alle unge over 18 hver måned")
    assert rikke.last_buttons() == ["Om 2 uger", "Om en måned", "Til næste dialog", "En anden dato"]
    await rikke.taps("En anden dato")
    await rikke.sends("1.12.2026 10:00")
    assert rikke.texts()[-2].startswith("tirsdag 1. december 2026 kl. 10:00 er allerede passeret")
    await rikke.sends("15.1.2027 12:00")
    assert rikke.last_buttons()[-1] == "En uden for gruppen"
    await rikke.taps("Jonas")
    assert any(
        t == "Opfølgning: Mette Holm, som leder mødet. Vælg en anden med »Opfølgning 1« i udkastet."
        for t in rikke.texts()[-4:]
    )
    assert rikke.last_text().startswith("Udkast til aftale – Status på fritidsindsatsen")
    assert "5. Næste dialog: torsdag 4. marts 2027 kl. 10:00" in rikke.last_text()
    await rikke.taps("Opfølgning 1")  # the owner is not offered as their own follow-up person
    assert "Jonas" not in rikke.last_buttons()
    await rikke.taps("Mette Holm")

    await rikke.taps("➕ Tilføj handling")
    await rikke.sends("Aftale med SSP om fælles aftenaktivitet")
    await rikke.taps("En anden dato")
    await rikke.sends("1.2.2027 12:00")
    await rikke.taps("En uden for gruppen")
    await rikke.sends("Birgit Berg")
    draft = rikke.last_text()
    assert "1. Jobmentor tager kontakt" in draft
    assert (
        "Ansvarlig: Jonas · Opfølgning: Mette Holm · Frist: fredag 15. januar 2027 kl. 12:00"
        in draft
    )
    assert "Ansvarlig: Birgit Berg (uden for gruppen) · Opfølgning: Mette Holm" in draft

    await rikke.taps("Ret 3")
    await rikke.sends("18")
    assert "3. Tidshorisont: 18 måneder" in rikke.last_text()
    await rikke.taps("✅ Bekræft og del i gruppen")

    posted = "\n\n".join(telegram.chat_texts(GROUP_ID)[-3:])
    assert "Aftale – Status på fritidsindsatsen\nMål til næste dialog: Flere unge over 18" in posted
    assert "Mål om 18 måneder: Halvdelen af de unge har et fritidsjob" in posted
    assert "2. Aftale med SSP om fælles aftenaktivitet\n   Ansvarlig: Birgit Berg" in posted
    assert any(t.startswith("Du er ansvarlig for en handling") for t in jonas.texts())
    assert any(t.startswith("Du følger op på en handling") for t in mette.texts())
    link_text = next(t for t in reversed(rikke.texts()) if "?start=" in t)
    owner_token = link_text.split("?start=")[1].split()[0]

    # The closing round: each participant and the referent are asked what they take with them.
    assert jonas.last_text().startswith("Spørgsmål 1 af 1\nHvad tager du med dig fra mødet?")
    await jonas.sends("At vi skal spørge de unge selv")
    assert jonas.last_text() == da("takeaway.thanks")

    # The owner outside the group accepts the link; nobody else can use it after.
    birgit = world.person(401, "Birgit", last_name="Berg")
    await birgit.sends(f"/start {owner_token}")
    assert birgit.last_text().startswith("Du er nu ansvarlig for en handling fra Team Fritid")
    assert (
        mette.last_text()
        == "Birgit Berg har taget imod handlingen »Aftale med SSP om fælles aftenaktivitet«."
    )
    await lars.sends(f"/start {owner_token}")
    assert lars.last_text() == da("invite.used_up")

    await mette.taps_in_group(group, "Afslut mødet ✓")
    assert telegram.chat_texts(GROUP_ID)[-1].startswith(
        "Mødet Status på fritidsindsatsen er afsluttet"
    )
    world.clock.advance(seconds=3)
    await world.fire_due_timers()
    assert "Mødet er slut" in telegram.message_text(GROUP_ID, panel_id)

    # Minutes: Markdown and Word; the actions as Excel and as a CSV with Danish letters.
    await mette.sends_in_group(group, "/minutes")
    documents = [m for m in world.api.chat_messages(GROUP_ID) if m.document][-4:]
    markdown_file, csv_file = documents[0], documents[-1]
    name, content = markdown_file.document
    assert name == "referat-team-fritid-2026-12-03.md"
    minutes = content.decode()
    assert minutes.startswith("# Referat: Status på fritidsindsatsen\n")
    assert (
        "- Mødeleder: Mette Holm\n- Referent: Rikke\n- Deltagere: Aisha, Jonas, Lars, Sofie"
        in minutes
    )
    assert "2 af 4 deltagere forberedte sig." in minutes
    assert "| 1 | Unge over 18 falder fra efter tre måneder | 4 | 3 |" in minutes
    assert "Valgt fokusområde: Flere af Aishas borgere er kommet i fritidsjob." in minutes
    assert (
        "Forklaringer og kerneelementer: Vi bruger ikke jobmentor nok; "
        "&lt;b&gt;samarbejde&lt;/b&gt;" in minutes
    )
    assert "- Mål om 18 måneder: Halvdelen af de unge har et fritidsjob" in minutes
    assert "- At vi skal spørge de unge selv" in minutes
    name, content = csv_file.document
    assert name == "handlinger-team-fritid-2026-12-03.csv"
    assert content.startswith("\ufeff".encode())
    rows = content.decode("utf-8-sig").splitlines()
    assert rows[0] == (
        "Nr.;Handling;Ansvarlig;Opfølgning;Frist;Status;Status meldt;Seneste note;Note skrevet"
    )
    assert rows[2] == (
        "2;Aftale med SSP om fælles aftenaktivitet;Birgit Berg;Mette Holm;2027-02-01 12:00;"
        "Ikke meldt endnu;;;"
    )

    # Stored: the agreement, its actions with owners, and the next meeting with the same people.
    async with world.services.engine.connect() as conn:
        agreement = (await conn.execute(select(agreements))).mappings().one()
        assert agreement["horizon_months"] == 18
        stored = (await conn.execute(select(actions).order_by(actions.c.id))).mappings().all()
        assert [(a["status"], a["owner_id"] is not None) for a in stored] == [("agreed", True)] * 2
        next_meeting = (
            (
                await conn.execute(
                    select(meetings).where(meetings.c.id == agreement["next_meeting_id"])
                )
            )
            .mappings()
            .one()
        )
        assert next_meeting["starts_at"] == datetime(2027, 3, 4, 9, 0, tzinfo=UTC)
        roles = (
            await conn.execute(
                select(memberships.c.role, func.count())
                .where(memberships.c.meeting_id == next_meeting["id"])
                .group_by(memberships.c.role)
            )
        ).all()
        assert dict(roles) == {"leader": 1, "referent": 1, "participant": 4}
        linked = (
            await conn.execute(
                select(dialogues.c.group_chat_id, dialogues.c.phase).order_by(
                    dialogues.c.meeting_id
                )
            )
        ).all()
        assert linked == [(GROUP_ID, "finished"), (GROUP_ID, "not_started")]
    assert await _count(world, themes, themes.c.merged_into.is_not(None)) == 1
    assert await _count(world, meeting_timers, meeting_timers.c.done_at.is_(None)) == 0

    # Next time: Since last time shows each action with its newest follow-up answer, and the
    # group records outcome, decision and learning.
    first_action = stored[0]["id"]
    await world.services.repos.agreements.record_update(
        first_action, "blocked", "Jobcentret svarer ikke", None, world.clock()
    )
    world.clock.now = datetime(2027, 3, 4, 9, 0, tzinfo=UTC)
    await mette.sends_in_group(group, "/startmeeting")
    texts = telegram.chat_texts(GROUP_ID)
    assert texts[-3].startswith("Siden sidst: 2 handlinger fra sidste aftale.")
    assert texts[-2] == (
        "1. Jobmentor tager kontakt til alle unge over 18 hver måned\n"
        "Ansvarlig: Jonas · Opfølgning: Mette Holm\n"
        "Frist: fredag 15. januar 2027 kl. 12:00\n"
        "Seneste status: Blokeret (torsdag 3. december 2026 kl. 10:10): Jobcentret svarer ikke\n"
        "Læring: –"
    )
    assert "Ansvarlig: Birgit Berg" in texts[-1]
    assert "Seneste status: ingen opfølgning registreret endnu" in texts[-1]
    review_id = _group_message(world, "1. Jobmentor")
    await rikke.taps_in_group(group, "Delvist", message_id=review_id)
    await mette.taps_in_group(group, "Justér", message_id=review_id)
    await jonas.taps_in_group(group, "Drop", message_id=review_id)
    assert jonas.alerts()[-1] == da("dialogue.only_drivers")
    await rikke.sends_in_group(group, "Kontakten skal gå gennem én fast person", reply_to=review_id)
    review = telegram.message_text(GROUP_ID, review_id)
    assert review.endswith("Læring: Kontakten skal gå gennem én fast person")
    buttons = [b["text"] for b in world.api.messages[(GROUP_ID, review_id)].buttons()]
    assert buttons == ["Nået", "✓ Delvist", "Ikke nået", "Fortsæt", "✓ Justér", "Drop"]
    past = await world.services.repos.agreements.past_actions(next_meeting["id"])
    assert past[0].review == ActionReview(
        "partly", "adjust", "Kontakten skal gå gennem én fast person"
    )
    assert past[1].review is None
