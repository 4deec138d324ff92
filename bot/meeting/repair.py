"""Each step of the live meeting is done once, whole. A step stores its new state first and
then acts on it; what a crash left undone (the theme list, the ballot, the vote's results) is
finished from the stored state at start-up, and again when someone types /startmeeting."""

from __future__ import annotations

import logging

from bot.core.services import Services
from bot.meeting import themes, voting
from bot.meeting.events import PhaseEntered
from bot.meeting.live import Live, load
from flows.dialogue import Phase

log = logging.getLogger(__name__)
PANEL_PHASES_WITH_INVITATIONS = (Phase.PREPARE, Phase.AGREEMENT)


async def finish_left_steps(svc: Services) -> int:
    """At start-up: finish every meeting step a crash left half-done; returns how many."""
    repaired = 0
    for dialogue in await svc.repos.dialogues.unfinished_steps():
        live = await load(svc, dialogue.meeting_id)
        if live is not None and await finish_step(svc, live):
            repaired += 1
    if repaired:
        log.warning("finished %d meeting steps a stop had left half-done", repaired)
    return repaired


async def finish_step(svc: Services, live: Live, *, asked: bool = False) -> bool:
    """Finish the step the meeting stands on if its effects are missing; True if it did.
    `asked` (by /startmeeting) also shows again what other capabilities post for the phase."""
    phase, dialogue = Phase(live.dialogue.phase), live.dialogue
    if dialogue.vote_status == "closed" and dialogue.results_posted_at is None:
        await voting.announce_results(svc, live)
        return True
    if phase is Phase.EXPLORE and dialogue.themes_message_id is None:
        await themes.post_list(svc, live)
        return True
    if phase is Phase.INTERPRET and dialogue.ballot_message_id is None:
        await voting.open_ballot(svc, live)
        return True
    if asked and phase in PANEL_PHASES_WITH_INVITATIONS:
        await svc.events.publish(PhaseEntered(live, phase))
    return False
