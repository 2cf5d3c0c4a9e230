"""One batch of invitations: reconcile, issue codes, render letters, send — safe to re-run.

The order is what makes a re-run safe:

1. uncertain ledger rows (``sending``) of the batch are reconciled first; an agency whose
   e-mail may have gone out keeps its code (no reissue) until reconciliation says SendGrid
   never received it;
2. agencies already ``accepted`` are done; ``held``/``failed`` ones wait for an operator;
3. for the rest, codes are (re)issued and letter numbers allocated in **one committed
   transaction** — a code is committed before its e-mail leaves, and a code whose e-mail never
   went out is simply replaced by the next run;
4. letters are rendered in memory and sent with :func:`dgops.mail.send_batch` (exactly once per
   agency through the send ledger).

Steps 3 and 4 run for a group of agencies at a time (``group_size``), each group committed
before its e-mails leave; while one group renders and sends, the next group's codes are hashed
in background threads (argon2id is the slow part), so the cores keep hashing.

Plaintext codes live only in the :class:`~dgops.credentials.ActivationCode` objects of this
call; the report carries counts only.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.credentials import (
    CodePipeline,
    CredentialPolicy,
    IssuedCredential,
    issue_credentials,
)
from dgops.credentials.models import ActivationCodeRow, PortalAccount
from dgops.cycles import get_cycle
from dgops.cycles.models import SurveyCycle
from dgops.db import Database
from dgops.invite.plan import (
    check_agencies,
    ledger_states,
    load_agencies,
    probe_message,
    today_bangkok,
)
from dgops.invite.render import LetterRenderer
from dgops.letters import (
    INVITATION,
    IssuerSettings,
    LetterContext,
    LetterKey,
    allocate_numbers,
    build_invitation_context,
    build_invitation_contexts,
    load_issuer,
)
from dgops.mail import (
    Attachment,
    MailConfig,
    OutgoingMessage,
    TransportFactory,
    reconcile,
    send_batch,
)
from dgops.registry.models import Agency
from dgops.settings import Settings

StepHook = Callable[[str, int], None]
"""Called with (step, id): ``issued`` (codes committed, nothing rendered; id = cycle id),
``rendered`` (letters in memory, nothing sent; id = cycle id), then the mail sender's steps
with the ledger id (``claimed``, ``http_returned``, ``accepted``). Tests raise from it to
simulate a crash at that point."""

ACTOR = "dgops-invite"
GROUP_SIZE = 25
"""Agencies per pipelined group in a batch: small enough that hashing the next group overlaps
most of a batch's rendering and sending, large enough that each group's transaction and send
call cost little."""


class InviteError(RuntimeError):
    """A batch could not be produced; the message never carries a code."""


@dataclass
class BatchReport:
    """What one batch did: counts and timings only (no codes, no personal data).

    ``counts`` keys: ``agencies`` (in the batch), ``blocked`` (pre-send problems),
    ``already_accepted``, ``held``, ``failed`` (waiting for an operator), ``uncertain`` (may
    have been sent; left for a later reconciliation), ``reconciled`` (found sent), ``issued``
    (codes issued), ``reissued`` (of them, replacing a code whose e-mail never went out),
    ``letters``, ``accepted`` (sent now), ``deferred`` (to retry on the next run).
    """

    cycle_year: int
    dry_run: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    sample_pdf: bytes | None = field(default=None, repr=False)
    """Dry run only: the sample letter (placeholder code, placeholder number)."""

    def as_dict(self) -> dict[str, Any]:
        """Plain counts and timings, fit for XCom and logs."""
        return {
            "cycle_year": self.cycle_year,
            "dry_run": self.dry_run,
            "counts": {k: int(v) for k, v in sorted(self.counts.items())},
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def _scrub(text: str, codes: Sequence[IssuedCredential]) -> str:
    for c in codes:
        text = text.replace(c.code.reveal(), "****-****-****")
    return text


def _live_code_agencies(session: Session, cycle_id: int, agency_ids: Sequence[int]) -> set[int]:
    """Agencies of the cycle whose account holds an unrevoked, unused code."""
    rows = session.execute(
        select(PortalAccount.agency_id)
        .join(ActivationCodeRow, ActivationCodeRow.account_id == PortalAccount.id)
        .where(
            PortalAccount.cycle_id == cycle_id,
            PortalAccount.agency_id.in_(list(agency_ids)),
            ActivationCodeRow.revoked_at.is_(None),
            ActivationCodeRow.used_at.is_(None),
        )
    )
    return {int(r[0]) for r in rows}


def ensure_accounts(
    session: Session,
    cycle_year: int,
    agency_ids: Sequence[int],
    *,
    issuer: IssuerSettings | None = None,
    policy: CredentialPolicy | None = None,
) -> dict[str, int]:
    """The non-secret half of the credentials, in the caller's transaction: a portal account
    (username) and an invitation letter number for each agency; no activation code.

    ``issue_credentials`` makes a username and a code together; this creates the account
    rows it then finds and keeps, so the later step only adds codes. Idempotent.
    """
    from dgops.credentials import make_username

    policy = policy or CredentialPolicy()
    issuer = issuer or load_issuer()
    cycle = get_cycle(session, cycle_year)
    agencies = load_agencies(session, cycle, agency_ids)
    have = set(
        session.scalars(
            select(PortalAccount.agency_id).where(
                PortalAccount.cycle_id == cycle.id,
                PortalAccount.agency_id.in_([a.id for a in agencies]),
            )
        )
    )
    for a in agencies:
        if a.id not in have:
            session.add(
                PortalAccount(
                    cycle_id=cycle.id,
                    agency_id=a.id,
                    username=make_username(cycle, a, policy.username_prefix),
                    failed_attempts=0,
                )
            )
    session.flush()
    numbers = allocate_numbers(
        session,
        issuer.number_unit,
        cycle.year_be,
        [LetterKey(cycle.id, a.id, INVITATION) for a in agencies],
    )
    return {"accounts_created": len(agencies) - len(have), "letter_numbers": len(numbers)}


def _message(
    cycle: SurveyCycle,
    agency: Agency,
    context: LetterContext,
    pdf: bytes,
    settings: Settings,
) -> OutgoingMessage:
    base = probe_message(
        cycle,
        agency,
        settings,
        salutation=context.salutation,
        letter_number=context.number,
        contact_email=context.issuer.email,
        contact_phone=context.issuer.phone,
    )
    return OutgoingMessage(
        cycle_id=base.cycle_id,
        agency_id=base.agency_id,
        agency_code=base.agency_code,
        kind=base.kind,
        round=base.round,
        cycle_label=base.cycle_label,
        recipients=base.recipients,
        context=base.context,
        attachments=(Attachment(f"{context.file_stem}.pdf", pdf),),
    )


def invite_batch(
    db: Database,
    settings: Settings,
    mail_config: MailConfig,
    cycle_year: int,
    agency_ids: Sequence[int],
    *,
    dry_run: bool = False,
    letter_workers: int = 1,
    renderer: LetterRenderer | None = None,
    issuer: IssuerSettings | None = None,
    policy: CredentialPolicy | None = None,
    actor: str = ACTOR,
    send_workers: int = 4,
    group_size: int = GROUP_SIZE,
    codes: CodePipeline | None = None,
    letter_date: Any = None,
    on_step: StepHook | None = None,
    transport_factory: TransportFactory | None = None,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
    rng: random.Random | None = None,
) -> BatchReport:
    """Invite one batch of agencies (ids) of ``cycle_year``; safe to re-run after any failure.

    Each step is its own ``db.begin()`` transaction (see the module docstring for the order
    of things and why it makes a re-run safe). ``dry_run`` checks the batch and renders
    one sample letter (placeholder code and number) and issues and sends nothing.
    ``renderer`` shares a letter process pool between batches (else ``letter_workers``).
    Steps 2–4 run ``group_size`` agencies at a time, each group committed before its e-mails
    leave, the next group's codes hashing meanwhile (:class:`~dgops.credentials.CodePipeline`;
    pass ``codes`` to share one between batches, else one is made for this call).
    ``on_step``, ``transport_factory``, ``clock``, ``sleep`` and ``rng`` are for tests.
    """
    issuer = issuer or load_issuer()
    hook = on_step or (lambda _step, _id: None)
    report = BatchReport(cycle_year=cycle_year, dry_run=dry_run)
    report.counts["agencies"] = len(agency_ids)
    started = time.perf_counter()

    # Checks only: this transaction writes nothing.
    with db.begin() as session:
        cycle = get_cycle(session, cycle_year)
        cycle_id = cycle.id
        agencies = load_agencies(session, cycle, agency_ids)
        report.counts["not_enrolled"] = len(set(agency_ids) - {a.id for a in agencies})
        problems = check_agencies(session, cycle, agencies, mail_config, settings)
        blocked = {p.agency_id for p in problems if p.blocking}
        report.counts["blocked"] = len(blocked)
        agencies = [a for a in agencies if a.id not in blocked]
        if dry_run:
            report.counts["would_consider"] = len(agencies)
            if agencies:
                sample = build_invitation_context(
                    session, cycle, agencies[0], None, issuer, date=letter_date
                )
                report.sample_pdf = (renderer or LetterRenderer()).render([sample])[0]
                report.counts["sample_letters"] = 1
            report.seconds["total"] = time.perf_counter() - started
            return report

    # 1. Settle uncertain rows before deciding anything about codes.
    if agencies:
        states = _states(db, cycle_id, agencies)
        if "sending" in states.values():
            settled = reconcile(
                db,
                mail_config,
                cycle_id=cycle_id,
                transport_factory=transport_factory,
                clock=clock,
                actor=actor,
            )
            report.counts["reconciled"] = sum(1 for _, o, _d in settled if o == "reconciled")
            states = _states(db, cycle_id, agencies)
        tally = Counter(states.values())
        report.counts["already_accepted"] = tally["accepted"]
        report.counts["held"] = tally["held"]
        report.counts["failed"] = tally["failed"]
        report.counts["uncertain"] = tally["sending"]
        agencies = [a for a in agencies if states[a.id] in ("none", "pending")]
    report.seconds["reconcile"] = time.perf_counter() - started
    if not agencies:
        report.seconds["total"] = time.perf_counter() - started
        return report

    # 2–4, a group of agencies at a time: the codes of the next group are hashed in background
    # threads while this group's letters render and its e-mails go out (argon2id dominates).
    policy = policy or CredentialPolicy()
    size = max(1, group_size)
    groups = [agencies[i : i + size] for i in range(0, len(agencies), size)]
    for key in ("issue", "render", "send"):
        report.seconds[key] = 0.0
    own_codes = codes is None
    pipeline = codes or CodePipeline(policy.activation_profile, workers=policy.hash_workers)
    try:
        pipeline.prepare(len(groups[0]) - pipeline.pending)
        for number, group in enumerate(groups):
            following = groups[number + 1] if number + 1 < len(groups) else []
            _invite_group(
                db,
                settings,
                mail_config,
                cycle_year,
                group,
                codes=pipeline,
                prepare_next=len(following),
                report=report,
                issuer=issuer,
                policy=policy,
                actor=actor,
                renderer=renderer,
                letter_workers=letter_workers,
                send_workers=send_workers,
                letter_date=letter_date,
                hook=hook,
                transport_factory=transport_factory,
                clock=clock,
                sleep=sleep,
                rng=rng,
            )
    finally:
        if own_codes:
            pipeline.close()
    report.seconds["total"] = time.perf_counter() - started
    return report


def _invite_group(
    db: Database,
    settings: Settings,
    mail_config: MailConfig,
    cycle_year: int,
    agencies: Sequence[Agency],
    *,
    codes: CodePipeline,
    prepare_next: int,
    report: BatchReport,
    issuer: IssuerSettings,
    policy: CredentialPolicy,
    actor: str,
    renderer: LetterRenderer | None,
    letter_workers: int,
    send_workers: int,
    letter_date: Any,
    hook: StepHook,
    transport_factory: TransportFactory | None,
    clock: Callable[[], float] | None,
    sleep: Callable[[float], None] | None,
    rng: random.Random | None,
) -> None:
    # 2. Codes and letter numbers: one committed transaction.
    t = time.perf_counter()
    issued: list[IssuedCredential] = []
    with db.begin() as session:
        cycle = get_cycle(session, cycle_year)
        cycle_id = cycle.id
        agencies = load_agencies(session, cycle, [a.id for a in agencies])
        live = _live_code_agencies(session, cycle.id, [a.id for a in agencies])
        for again, group in ((False, [a for a in agencies if a.id not in live]),
                             (True, [a for a in agencies if a.id in live])):  # fmt: skip
            if group:
                issued += issue_credentials(
                    session, cycle, group, actor=actor, policy=policy, reissue=again, codes=codes
                ).issued
        # The next group's codes hash (background threads) while this group's letter contexts
        # are built, committed, rendered and sent.
        codes.prepare(prepare_next)
        try:
            contexts = build_invitation_contexts(
                session, cycle, agencies, issued, issuer, date=letter_date or today_bangkok()
            )
        except Exception as exc:
            # Leaving the block rolls the codes back: none of them was ever committed.
            raise InviteError(_scrub(f"letter contexts failed: {exc}", issued)) from None
    # Committed: every code exists before its letter is rendered or its e-mail leaves. The
    # cycle and the agencies (contacts loaded with them) stay readable after the commit.
    report.counts["issued"] += len(issued)
    report.counts["reissued"] += len(live)
    by_id = {a.id: a for a in agencies}
    hook("issued", cycle_id)
    report.seconds["issue"] += time.perf_counter() - t

    # 3. Letters in memory (never a file: each one carries a plaintext code).
    t = time.perf_counter()
    own = renderer is None
    pool = renderer or LetterRenderer(letter_workers)
    try:
        pdfs = pool.render(contexts)
    except Exception as exc:
        raise InviteError(_scrub(f"rendering letters failed: {exc}", issued)) from None
    finally:
        if own:
            pool.close()
    report.counts["letters"] += len(pdfs)
    report.seconds["render"] += time.perf_counter() - t
    messages = [
        _message(cycle, by_id[c.agency_id], ctx, pdf, settings)
        for c, ctx, pdf in zip(issued, contexts, pdfs, strict=True)
    ]
    del pdfs, contexts
    hook("rendered", cycle_id)

    # 4. Send, exactly once per agency through the ledger.
    t = time.perf_counter()
    sent = send_batch(
        db,
        mail_config,
        messages,
        workers=send_workers,
        transport_factory=transport_factory,
        clock=clock,
        sleep=sleep,
        rng=rng,
        on_step=hook,
        actor=actor,
    )
    del messages, issued
    report.seconds["send"] += time.perf_counter() - t
    for outcome, n in sent.counts.items():
        report.counts[outcome] += n
    report.counts["blocked"] += sum(1 for p in sent.problems if p.blocking)


def _states(db: Database, cycle_id: int, agencies: Sequence[Agency]) -> dict[int, str]:
    with db.begin() as session:
        return ledger_states(session, cycle_id, [a.id for a in agencies])
