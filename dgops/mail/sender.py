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
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from math import ceil

from dgops.db import Database
from dgops.mail.config import MailConfig
from dgops.mail.ledger import (
    LedgerRow,
    addresses_of,
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
    ACTIVITY_LIMIT,
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
    retry_after: float | None = None
    """Seconds until Email Activity may be asked again, when its rate limit stopped a lookup."""
    decide_after: float | None = None
    """Seconds until the youngest uncertain message of this batch can be decided."""

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
    _pace_lock: threading.Lock = field(default_factory=threading.Lock)
    _next_send: float = 0.0
    _next_activity: float = 0.0

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

    def age(self, row: LedgerRow) -> float:
        """Seconds since the row's attempt started (infinite when unknown)."""
        if row.sending_at is None:
            return float("inf")
        return self.clock() - as_utc(row.sending_at).timestamp()

    def _slot(self, attr: str, interval: float) -> None:
        # Reserve the next free moment under the lock, sleep outside it: workers queue up
        # behind each other at ``interval`` without holding the lock while they wait.
        if interval <= 0:
            return
        with self._pace_lock:
            now = self.clock()
            at = max(now, getattr(self, attr))
            setattr(self, attr, at + interval)
        if at > now:
            self.sleep(at - now)

    def send_slot(self) -> None:
        """Wait for this request's turn under ``config.rate_per_second``."""
        rate = self.config.rate_per_second
        self._slot("_next_send", 1.0 / rate if rate > 0 else 0.0)

    def activity_slot(self) -> None:
        """Wait for this Email Activity request's turn under ``config.activity_per_minute``."""
        per_minute = self.config.activity_per_minute
        self._slot("_next_activity", 60.0 / per_minute if per_minute > 0 else 0.0)

    def rate_limit_wait(self, err: RateLimited) -> float:
        """Seconds until ``X-RateLimit-Reset`` (at least one second when it is not given)."""
        if err.reset_at is None:
            return max(1.0, self.config.backoff_base)
        return max(0.0, err.reset_at - self.clock()) + self.jitter(
            min(1.0, self.config.backoff_base)
        )

    def rate_wait(self, err: RateLimited, attempt: int) -> float:
        """Until ``X-RateLimit-Reset`` (plus a little jitter), else the usual backoff."""
        if err.reset_at is None:
            return self.backoff(attempt)
        wait_s = max(0.0, err.reset_at - self.clock())
        return min(self.config.backoff_cap, wait_s + self.jitter(self.config.backoff_base))


@dataclass
class ReconcileReport:
    """What reconciliation decided: exactly one outcome per ledger row, and how long to wait.

    ``retry_after``: Email Activity refused more requests (429) for longer than the run may
    wait; ask again after that many seconds. ``decide_after``: the youngest message still
    undecided can be decided after that many seconds (the uncertainty window).
    """

    results: dict[int, tuple[str, str]] = field(default_factory=dict)
    retry_after: float | None = None
    decide_after: float | None = None

    def settle(self, row_id: int, outcome: str, detail: str = "") -> None:
        # Keyed by ledger id: a message is never counted twice, however many Activity rows
        # (one per recipient) or queries it took.
        self.results[row_id] = (outcome, detail)

    def wait_at_least(self, attr: str, seconds: float) -> None:
        current = getattr(self, attr)
        setattr(self, attr, seconds if current is None else max(current, seconds))

    @property
    def counts(self) -> dict[str, int]:
        """Messages per outcome (``pending``: SendGrid never got it; it will be sent again)."""
        return dict(Counter(_public(o) for o, _ in self.results.values()))

    def lines(self) -> list[tuple[int, str, str]]:
        """(ledger id, outcome, detail) in ledger order."""
        return [(i, _public(o), d) for i, (o, d) in sorted(self.results.items())]

    def __iter__(self) -> Iterator[tuple[int, str, str]]:
        return iter(self.lines())

    def __len__(self) -> int:
        return len(self.results)


_RESEND = "resend"
"""Internal outcome: SendGrid never received the attempt; the row is ``pending`` again."""


def _public(outcome: str) -> str:
    return SendStatus.PENDING.value if outcome == _RESEND else outcome


def _batches(rows: Sequence[LedgerRow], size: int) -> list[list[LedgerRow]]:
    """Groups of at most ``size`` rows whose addresses do not overlap.

    Email Activity lists rows by recipient, without custom args: inside one query an
    address must point to a single ledger row, so each result can be attributed.
    """
    batches: list[tuple[list[LedgerRow], set[str]]] = []
    for row in rows:
        addrs = set(row.addresses)
        for batch, used in batches:
            if len(batch) < size and addrs and not (addrs & used):
                batch.append(row)
                used |= addrs
                break
        else:
            batches.append(([row], set(addrs)))
    return [b for b, _ in batches]


def _reconcile_rows(
    rt: _Runtime, rows: Sequence[LedgerRow], *, owned: Collection[int] = ()
) -> ReconcileReport:
    """Decide uncertain (``sending``) rows through Email Activity, in bulk.

    ``owned``: rows whose attempt this run made (so not in flight elsewhere). Found →
    ``accepted``; not listed and older than ``activity_lag`` → ``pending``; Activity
    unavailable → ``held``; too recent, rate-limited or query failed → left ``sending``.
    """
    report = ReconcileReport()
    config = rt.config
    askable: list[LedgerRow] = []
    for row in {r.id: r for r in rows}.values():
        age = rt.age(row)
        if row.id not in owned and age < config.reconcile_after:
            report.settle(
                row.id, Outcome.UNCERTAIN, "sending started recently; may still be in flight"
            )
            report.wait_at_least("decide_after", config.reconcile_after - age)
        else:
            askable.append(row)
    queue = _batches(askable, config.activity_batch)
    waited = 0.0
    while queue:
        batch = queue.pop(0)
        try:
            rt.activity_slot()
            found = rt.transport().find_by_custom_args(
                ARG_MESSAGE_KEY, [r.message_key for r in batch]
            )
        except ActivityUnavailable as exc:
            for row in [*batch, *(r for b in queue for r in b)]:
                _hold(rt, report, row, str(exc))
            return report
        except RateLimited as exc:
            wait_s = rt.rate_limit_wait(exc)
            if waited + wait_s <= config.activity_max_wait:
                waited += wait_s
                rt.sleep(wait_s)
                queue.insert(0, batch)
                continue
            detail = f"Email Activity จำกัดจำนวนคำขอ: สั่ง reconcile ใหม่ในอีก {ceil(wait_s)} วินาที"
            for row in [*batch, *(r for b in queue for r in b)]:
                report.settle(row.id, Outcome.UNCERTAIN, detail)
            report.wait_at_least("retry_after", wait_s)
            return report
        except TransportError as exc:
            for row in batch:
                report.settle(row.id, Outcome.UNCERTAIN, f"Email Activity query failed: {exc}")
            continue
        by_address = {a: r for r in batch for a in r.addresses}
        hits: dict[int, str] = {}
        unattributed = False
        for item in found:
            owner = by_address.get(item.to_email.strip().lower())
            if owner is None and len(batch) == 1:
                owner = batch[0]
            if owner is None:
                unattributed = True
                continue
            hits.setdefault(owner.id, item.msg_id.split(".", 1)[0])
        if len(batch) > 1 and (unattributed or len(found) >= ACTIVITY_LIMIT):
            # Some rows could not be told apart (or the answer was cut off): ask one by one.
            queue.extend([r] for r in batch if r.id not in hits)
            batch = [r for r in batch if r.id in hits]
        for row in batch:
            if row.id in hits:
                _settle_found(rt, report, row, hits[row.id])
            else:
                _settle_missing(rt, report, row)
    return report


def _hold(rt: _Runtime, report: ReconcileReport, row: LedgerRow, why: str) -> None:
    detail = f"ไม่แน่ใจว่าส่งแล้วหรือไม่ และตรวจสอบกับ SendGrid ไม่ได้ ({why}) — รอผู้ดูแลตัดสินใจ"
    ok = transition(
        rt.db,
        row.id,
        from_status=SendStatus.SENDING,
        attempts=row.attempts,
        to_status=SendStatus.HELD,
        now=rt.now(),
        audit=(rt.actor, "mail_hold"),
        error=detail,
    )
    report.settle(row.id, *((Outcome.HELD, detail) if ok else (Outcome.CONFLICT, "row changed")))


def _settle_found(rt: _Runtime, report: ReconcileReport, row: LedgerRow, sg_id: str) -> None:
    now = rt.now()
    ok = transition(
        rt.db,
        row.id,
        from_status=SendStatus.SENDING,
        attempts=row.attempts,
        to_status=SendStatus.ACCEPTED,
        now=now,
        audit=(rt.actor, "mail_reconciled_accepted"),
        sg_message_id=sg_id,
        accepted_at=now,
        error="",
        error_code=None,
    )
    report.settle(
        row.id, *((Outcome.RECONCILED, sg_id) if ok else (Outcome.CONFLICT, "row changed"))
    )


def _settle_missing(rt: _Runtime, report: ReconcileReport, row: LedgerRow) -> None:
    age = rt.age(row)
    if age < rt.config.activity_lag:
        report.settle(
            row.id, Outcome.UNCERTAIN, "not (yet) in Email Activity; too recent to conclude"
        )
        report.wait_at_least("decide_after", rt.config.activity_lag - age)
        return
    ok = transition(
        rt.db,
        row.id,
        from_status=SendStatus.SENDING,
        attempts=row.attempts,
        to_status=SendStatus.PENDING,
        now=rt.now(),
        audit=(rt.actor, "mail_reconciled_not_received"),
        error="SendGrid did not receive the previous attempt (Email Activity); may resend",
    )
    report.settle(row.id, *((_RESEND, "") if ok else (Outcome.CONFLICT, "row changed")))


def _deliver(rt: _Runtime, p: Prepared, row: LedgerRow, settled: ReconcileReport) -> MessageResult:
    m = p.message

    def result(outcome: str, detail: str = "") -> MessageResult:
        return MessageResult(row.id, m.agency_id, m.agency_code, m.kind, m.round, outcome, detail)

    status, attempts = row.status, row.attempts
    if status == SendStatus.ACCEPTED:
        return result(Outcome.ALREADY_ACCEPTED)
    if status in (SendStatus.FAILED, SendStatus.HELD):
        return result(status.value, "waits for an operator (dgops mail release)")
    if status == SendStatus.SENDING:
        # Decided in bulk before the pool started (see send_batch).
        outcome, detail = settled.results[row.id]
        if outcome != _RESEND:
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
            rt.send_slot()
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
            mine = LedgerRow(
                row.id,
                row.message_key,
                SendStatus.SENDING,
                attempts,
                sending_at,
                addresses_of(recipients),
            )
            outcome, detail = _reconcile_rows(rt, [mine], owned={row.id}).results[row.id]
            if outcome != _RESEND:
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
    # Rows another run left uncertain are looked up together (Email Activity allows only a
    # few requests a minute), before any worker starts.
    settled = _reconcile_rows(rt, [r for r in rows.values() if r.status == SendStatus.SENDING])
    report.retry_after, report.decide_after = settled.retry_after, settled.decide_after
    jobs = [
        (lambda p=p, row=rows[p.message.key]: _deliver(rt, p, row, settled))  # type: ignore[misc]
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
    sleep: Sleep | None = None,
    actor: str = ACTOR,
) -> ReconcileReport:
    """Settle every ``sending`` row (of a cycle) through Email Activity, in bulk.

    Found → ``accepted``; not received → ``pending`` (the next send run sends it); Activity
    unavailable → ``held``; sent too recently to tell, or Activity rate-limited for longer
    than ``config.activity_max_wait`` → left ``sending`` (the report says how long to wait).
    """
    rt = _runtime(db, config, transport_factory, clock, sleep, None, None, actor)
    with db.begin() as session:
        rows = rows_in_status(session, SendStatus.SENDING, cycle_id=cycle_id)
    return _reconcile_rows(rt, rows)
