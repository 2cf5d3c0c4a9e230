"""E-mail for every stage of the survey year, through SendGrid, exactly once per message.

Build a :class:`MailConfig`, describe each e-mail as an :class:`OutgoingMessage`, check them
with :func:`preflight` and send them with :func:`send_batch`, which takes the
:class:`dgops.db.Database` because it commits each ledger change in its own transaction. The
send ledger (table ``mail_message``) makes a re-run after any crash safe; see ``docs/mail.md``.
"""

from __future__ import annotations

from dgops.mail.config import MailConfig
from dgops.mail.events import IngestResult, ingest_events
from dgops.mail.message import (
    Attachment,
    OutgoingMessage,
    Recipient,
    build_payload,
    recipients_from_contacts,
    route,
)
from dgops.mail.models import (
    CorrectionStatus,
    DeliveryStatus,
    MailCorrection,
    MailEvent,
    MailMessage,
    MailRecipient,
    SendStatus,
)
from dgops.mail.ops import (
    CorrectionLine,
    MailOpsError,
    MailStatus,
    MessageLine,
    list_corrections,
    mail_status,
    release,
    resolve_correction,
)
from dgops.mail.preflight import Problem, preflight
from dgops.mail.sender import (
    MessageResult,
    Outcome,
    ReconcileReport,
    SendReport,
    reconcile,
    send_batch,
)
from dgops.mail.templates import RenderedEmail, TemplateError, render_email
from dgops.mail.transport import (
    MailTransport,
    SendGridTransport,
    TransportFactory,
    sendgrid_transport,
)
from dgops.mail.webhook import create_webhook_app, create_webhook_router

__all__ = [
    "Attachment",
    "CorrectionLine",
    "CorrectionStatus",
    "DeliveryStatus",
    "IngestResult",
    "MailConfig",
    "MailCorrection",
    "MailEvent",
    "MailMessage",
    "MailOpsError",
    "MailRecipient",
    "MailStatus",
    "MailTransport",
    "MessageLine",
    "MessageResult",
    "Outcome",
    "OutgoingMessage",
    "Problem",
    "Recipient",
    "ReconcileReport",
    "RenderedEmail",
    "SendGridTransport",
    "SendReport",
    "SendStatus",
    "TemplateError",
    "TransportFactory",
    "build_payload",
    "create_webhook_app",
    "create_webhook_router",
    "ingest_events",
    "list_corrections",
    "mail_status",
    "preflight",
    "recipients_from_contacts",
    "reconcile",
    "release",
    "render_email",
    "resolve_correction",
    "route",
    "send_batch",
    "sendgrid_transport",
]
