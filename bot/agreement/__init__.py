"""The agreement (aftalepapir): written in private by the leader or referent during Prepare
action, confirmed, posted in the group. Seams: it opens when the live meeting publishes
`PhaseEntered`; a confirmed agreement is handed to follow-up (`FollowUpPlanner.agreement`)
and stored with the next meeting that `next_meeting.plan_next_meeting` plans."""

from __future__ import annotations

from bot.agreement import confirming, draft, writing
from bot.core.capability import Capability
from bot.core.services import Services
from bot.meeting.events import PhaseEntered


async def start(svc: Services) -> None:
    async def invite(entered: PhaseEntered) -> None:
        await writing.post_invitation(svc, entered)

    svc.events.subscribe(PhaseEntered, invite)
    await confirming.share_left_agreements(svc)


CAPABILITY = Capability(
    name="agreement",
    buttons={
        draft.AGREEMENT: writing.on_write,
        draft.ACTION_ADD: writing.on_add_action,
        draft.OWNER: writing.on_owner,
        draft.FOLLOW_UP: writing.on_follow_up,
        draft.ACTION_REMOVE: writing.on_remove_action,
        draft.CHANGE_FOLLOW_UP: writing.on_change_follow_up,
        draft.OUTSIDE: writing.on_outside,
        draft.AGREEMENT_CONFIRM: confirming.on_confirm,
    },
    finish_hooks={
        draft.AGREEMENT_FLOW: writing.fields_written,
        draft.ACTION_FLOW: writing.action_written,
        writing.OUTSIDE_FLOW: writing.outside_named,
    },
    edit_rules=(draft.confirmed_refusal,),
    suggestions={draft.AGREEMENT_FLOW: draft.last_agreements_answer},
    startup=start,
)
