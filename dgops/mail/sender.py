"""Sending a batch exactly once per (cycle, agency, kind, round), with retries and reconciliation.

The protocol, per message:

1. the ledger row exists (created ``pending`` if new); ``accepted`` rows are skipped;
2. a row found in ``sending`` is uncertain — a crash may have happened after SendGrid took it —
   and is reconciled through Email Activity before anything else (see :func:`reconcile`);
3. ``pending`` → ``sending`` is committed **before** the API call;
4. a 202 makes it ``accepted`` with the X-Message-Id; 429/5xx put it back to ``pending`` and
   retry with backoff; a permanent 4xx makes it ``failed`` with the reason; a timeout or a
   dropped connection leaves it ``sending`` and is reconciled at once.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from dgops.db import Database
from dgops.mail.config import MailConfig
from dgops.mail.ledger import (
    LedgerRow,
    as_utc,
    claim,
    ensure_rows,
    rows_in_status,
    transition,
)
from dgops.mail.message import ARG_MESSAGE_KEY, OutgoingMessage, build_payload
from dgops.mail.models import SendStatus
from dgops.mail.preflight import Prepared, Problem, prepare, suppressed_addresses
from dgops.mail.transport import (
    ActivityUnavailable,
    MailTransport,
    NotSent,
    RateLimited,
    Rejected,
    ServerError,
    TransportError,
    TransportFactory,
    Uncertain,
    sendgrid_transport,
)

Clock = Callable[[], float]
"""Wall-clock time in epoch seconds (``time.time``)."""
Sleep = Callable[[float], None]
StepHook = Callable[[str, int], None]
"""Called with (step, ledger id) at ``claimed`` (sending committed, before the API call),
``http_returned`` (202 received, before the ledger write) and ``accepted``. Tests raise from
it to simulate a crash at that point."""

ACTOR = "dgops-mail"


class Outcome:
    """What happened to one message in one run."""

    ACCEPTED = "accepted"
    ALREADY_ACCEPTED = "already_accepted"
    RECONCILED = "reconciled"
    FAILED = "failed"
    HELD = "held"
    DEFERRED = "deferred"
    UNCERTAIN = "uncertain"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class MessageResult:
    """The outcome of one message in one run."""

    ledger_id: int
    agency_id: int
    agency_code: str
    kind: str
    round: int
    outcome: str
    detail: str = ""


@dataclass
class SendReport:
    """What a run did: one result per message that passed preflight, and the problems."""

    results: list[MessageResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r.outcome for r in self.results))

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)


def _utc(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


@dataclass
class _Runtime:
    db: Database
    config: MailConfig
    transport_factory: TransportFactory
    clock: Clock
    sleep: Sleep
    rng: random.Random
    on_step: StepHook
    actor: str
    _local: threading.local = field(default_factory=threading.local)
    _rng_lock: threading.Lock = field(default_factory=threading.Lock)

    def transport(self) -> MailTransport:
        t: MailTransport | None = getattr(self._local, "transport", None)
        if t is None:
            t = self.transport_factory(self.config)
            self._local.transport = t
        return t

    def now(self) -> dt.datetime:
        return _utc(self.clock())

    def jitter(self, upper: float) -> float:
        with self._rng_lock:
            return self.rng.uniform(0, upper)

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform(0, min(cap, base·2^attempt))."""
        c = self.config
        return self.jitter(min(c.backoff_cap, c.backoff_base * 2**attempt))

    def rate_wait(self, err: RateLimited, attempt: int) -> float:
        """Until ``X-RateLimit-Reset`` (plus a little jitter), else the usual backoff."""
        if err.reset_at is None:
            return self.backoff(attempt)
        wait_s = max(0.0, err.reset_at - self.clock())
        return min(self.config.backoff_cap, wait_s + self.jitter(self.config.backoff_base))


def _reconcile_row(rt: _Runtime, row: LedgerRow, *, owned: bool) -> tuple[str, str]:
    """Decide an uncertain (``sending``) row: (outcome, detail).

    ``owned``: this run made the attempt (so it is not in flight elsewhere).
    """
    now = rt.clock()
    age = now - as_utc(row.sending_at).timestamp() if row.sending_at else float("inf")
    if not owned and age < rt.config.reconcile_after:
        return Outcome.UNCERTAIN, "sending started recently; may still be in flight"
    try:
        found = rt.transport().find_by_custom_arg(ARG_MESSAGE_KEY, row.message_key)
    except ActivityUnavailable as exc:
        detail = f"ไม่แน่ใจว่าส่งแล้วหรือไม่ และตรวจสอบกับ SendGrid ไม่ได้ ({exc}) — รอผู้ดูแลตัดสินใจ"
        ok = transition(
            rt.db,
            row.id,
            from_status=SendStatus.SENDING,
            attempts=row.attempts,
            to_status=SendStatus.HELD,
            now=_utc(now),
            audit=(rt.actor, "mail_hold"),
            error=detail,
        )
        return (Outcome.HELD, detail) if ok else (Outcome.CONFLICT, "row changed")
    except TransportError as exc:
        return Outcome.UNCERTAIN, f"Email Activity query failed: {exc}"
    if found:
        sg_id = found[0].msg_id.split(".", 1)[0]
        ok = transition(
            rt.db,
            row.id,
            from_status=SendStatus.SENDING,
            attempts=row.attempts,
            to_status=SendStatus.ACCEPTED,
            now=_utc(now),
            audit=(rt.actor, "mail_reconciled_accepted"),
            sg_message_id=sg_id,
            accepted_at=_utc(now),
            error="",
            error_code=None,
        )
        return (Outcome.RECONCILED, sg_id) if ok else (Outcome.CONFLICT, "row changed")
    if age < rt.config.activity_lag:
        return Outcome.UNCERTAIN, "not (yet) in Email Activity; too recent to conclude"
    ok = transition(
        rt.db,
        row.id,
        from_status=SendStatus.SENDING,
        attempts=row.attempts,
        to_status=SendStatus.PENDING,
        now=_utc(now),
        audit=(rt.actor, "mail_reconciled_not_received"),
        error="SendGrid did not receive the previous attempt (Email Activity); may resend",
    )
    return ("resend", "") if ok else (Outcome.CONFLICT, "row changed")


def _deliver(rt: _Runtime, p: Prepared, row: LedgerRow) -> MessageResult:
    m = p.message

    def result(outcome: str, detail: str = "") -> MessageResult:
        return MessageResult(row.id, m.agency_id, m.agency_code, m.kind, m.round, outcome, detail)

    status, attempts = row.status, row.attempts
    if status == SendStatus.ACCEPTED:
        return result(Outcome.ALREADY_ACCEPTED)
    if status in (SendStatus.FAILED, SendStatus.HELD):
        return result(status.value, "waits for an operator (dgops mail release)")
    if status == SendStatus.SENDING:
        outcome, detail = _reconcile_row(rt, row, owned=False)
        if outcome != "resend":
            return result(outcome, detail)
        status = SendStatus.PENDING

    payload = build_payload(
        m, p.addressing, p.rendered, rt.config, ledger_id=row.id, message_key=row.message_key
    )
    recipients = p.addressing.as_json()
    last_error = ""
    for attempt in range(rt.config.max_attempts):
        claimed = claim(
            rt.db,
            row.id,
            from_status=status,
            attempts=attempts,
            now=rt.now(),
            subject=p.rendered.subject,
            recipients=recipients,
        )
        if claimed is None:
            return result(Outcome.CONFLICT, "the ledger row changed under this run")
        attempts, status = claimed, SendStatus.SENDING
        sending_at = rt.now()
        rt.on_step("claimed", row.id)

        def back_to_pending(error: str, code: int | None, attempts: int = attempts) -> None:
            transition(
                rt.db,
                row.id,
                from_status=SendStatus.SENDING,
                attempts=attempts,
                to_status=SendStatus.PENDING,
                now=rt.now(),
                error=error,
                error_code=code,
            )

        try:
            sg_id = rt.transport().send(payload)
        except RateLimited as exc:
            last_error = str(exc)
            back_to_pending(last_error, 429)
            status = SendStatus.PENDING
            rt.sleep(rt.rate_wait(exc, attempt))
            continue
        except (ServerError, NotSent) as exc:
            last_error = str(exc)
            back_to_pending(last_error, getattr(exc, "status", None))
            status = SendStatus.PENDING
            rt.sleep(rt.backoff(attempt))
            continue
        except Rejected as exc:
            transition(
                rt.db,
                row.id,
                from_status=SendStatus.SENDING,
                attempts=attempts,
                to_status=SendStatus.FAILED,
                now=rt.now(),
                audit=(rt.actor, "mail_failed"),
                error=exc.reason or str(exc),
                error_code=exc.status,
            )
            return result(Outcome.FAILED, str(exc))
        except Uncertain as exc:
            last_error = str(exc)
            rt.sleep(rt.backoff(attempt))
            mine = LedgerRow(row.id, row.message_key, SendStatus.SENDING, attempts, sending_at)
            outcome, detail = _reconcile_row(rt, mine, owned=True)
            if outcome != "resend":
                return result(outcome, detail or last_error)
            status = SendStatus.PENDING
            continue
        rt.on_step("http_returned", row.id)
        ok = transition(
            rt.db,
            row.id,
            from_status=SendStatus.SENDING,
            attempts=attempts,
            to_status=SendStatus.ACCEPTED,
            now=rt.now(),
            sg_message_id=sg_id,
            accepted_at=rt.now(),
            error="",
            error_code=None,
        )
        rt.on_step("accepted", row.id)
        if not ok:
            return result(Outcome.CONFLICT, f"accepted as {sg_id} but the ledger row changed")
        return result(Outcome.ACCEPTED, sg_id)
    return result(
        Outcome.DEFERRED, f"gave up after {rt.config.max_attempts} attempts: {last_error}"
    )


def _runtime(
    db: Database,
    config: MailConfig,
    transport_factory: TransportFactory | None,
    clock: Clock | None,
    sleep: Sleep | None,
    rng: random.Random | None,
    on_step: StepHook | None,
    actor: str,
) -> _Runtime:
    return _Runtime(
        db=db,
        config=config,
        transport_factory=transport_factory or sendgrid_transport,
        clock=clock or time.time,
        sleep=sleep or time.sleep,
        rng=rng or random.Random(),
        on_step=on_step or (lambda _step, _id: None),
        actor=actor,
    )


def _run_pool(workers: int, jobs: Sequence[Callable[[], MessageResult]]) -> list[MessageResult]:
    results: list[MessageResult] = []
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="dgops-mail") as pool:
        futures = [pool.submit(job) for job in jobs]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failed = [f for f in done if f.exception() is not None]
        if failed:
            # A crash (or a bug) stops the run: queued messages are not started; the ledger
            # already says where each started one is, and the next run picks up from there.
            pool.shutdown(wait=True, cancel_futures=True)
            exc = failed[0].exception()
            assert exc is not None
            raise exc
        results.extend(f.result() for f in futures)
    return results


def send_batch(
    db: Database,
    config: MailConfig,
    messages: list[OutgoingMessage],
    *,
    workers: int = 4,
    transport_factory: TransportFactory | None = None,
    clock: Clock | None = None,
    sleep: Sleep | None = None,
    rng: random.Random | None = None,
    on_step: StepHook | None = None,
    actor: str = ACTOR,
) -> SendReport:
    """Send ``messages`` exactly once each; safe to re-run after any crash.

    Preflight runs first: messages with blocking problems get no ledger row and are only
    reported. Every ledger change is its own ``db.begin()`` transaction, committed before the
    next step (each worker thread opens its own sessions). ``transport_factory``, ``clock``,
    ``sleep``, ``rng`` and ``on_step`` are for tests.
    """
    rt = _runtime(db, config, transport_factory, clock, sleep, rng, on_step, actor)
    with db.begin() as session:
        suppressed = suppressed_addresses(session)
    prepared, problems = prepare(messages, config, suppressed)
    report = SendReport(problems=problems)
    if not prepared:
        return report
    rows = ensure_rows(db, [p.message.key for p in prepared])
    jobs = [
        (lambda p=p, row=rows[p.message.key]: _deliver(rt, p, row))  # type: ignore[misc]
        for p in prepared
    ]
    report.results = _run_pool(workers, jobs)
    return report


def reconcile(
    db: Database,
    config: MailConfig,
    *,
    cycle_id: int | None = None,
    transport_factory: TransportFactory | None = None,
    clock: Clock | None = None,
    actor: str = ACTOR,
) -> list[tuple[int, str, str]]:
    """Settle every ``sending`` row (of a cycle) through Email Activity: (id, outcome, detail).

    Found → ``accepted``; not received → ``pending`` (the next send run sends it); Activity
    unavailable → ``held``; sent too recently to tell → left ``sending``.
    """
    rt = _runtime(db, config, transport_factory, clock, None, None, None, actor)
    with db.begin() as session:
        rows = rows_in_status(session, SendStatus.SENDING, cycle_id=cycle_id)
    out = []
    for row in rows:
        outcome, detail = _reconcile_row(rt, row, owned=False)
        out.append((row.id, "pending" if outcome == "resend" else outcome, detail))
    return out
