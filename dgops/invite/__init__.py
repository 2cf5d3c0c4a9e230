"""Invitations: activation codes, official letters and e-mails to every enrolled agency.

``plan_invitations`` says who is still to be invited (in batches) and what is wrong before
anything leaves; ``invite_batch`` issues the codes, renders the letters in memory and sends
them, one batch at a time, safe to re-run after any failure; ``invitation_summary`` counts
where the cycle stands. See ``docs/invitations.md``.
"""

from __future__ import annotations

from dgops.invite.plan import (
    DEFAULT_BATCH_SIZE,
    MAX_BATCHES,
    InvitePlan,
    InviteProblem,
    make_batches,
    plan_invitations,
)
from dgops.invite.render import LetterRenderer
from dgops.invite.run import GROUP_SIZE, BatchReport, InviteError, ensure_accounts, invite_batch
from dgops.invite.summary import (
    STATUS_TH,
    FailedInvitation,
    InvitationSummary,
    invitation_summary,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "GROUP_SIZE",
    "MAX_BATCHES",
    "STATUS_TH",
    "BatchReport",
    "FailedInvitation",
    "InvitationSummary",
    "InviteError",
    "InvitePlan",
    "InviteProblem",
    "LetterRenderer",
    "ensure_accounts",
    "invitation_summary",
    "invite_batch",
    "make_batches",
    "plan_invitations",
]
