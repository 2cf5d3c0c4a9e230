"""What to send: one message per (cycle, agency, kind, round), and its SendGrid payload."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sendgrid.helpers.mail import (
    Attachment as SgAttachment,
)
from sendgrid.helpers.mail import (
    Category,
    Cc,
    ClickTracking,
    CustomArg,
    Disposition,
    FileContent,
    FileName,
    FileType,
    From,
    HtmlContent,
    Mail,
    MailSettings,
    OpenTracking,
    Personalization,
    PlainTextContent,
    ReplyTo,
    SandBoxMode,
    SubscriptionTracking,
    To,
    TrackingSettings,
)

from dgops.mail.config import MailConfig
from dgops.mail.templates import RenderedEmail
from dgops.registry.models import Contact, ContactRole

# Names of the custom args every message carries (no personal data: ids and codes only).
ARG_CYCLE = "dgops_cycle"
ARG_AGENCY = "dgops_agency"
ARG_KIND = "dgops_kind"
ARG_ROUND = "dgops_round"
ARG_MESSAGE_ID = "dgops_message_id"
ARG_MESSAGE_KEY = "dgops_key"
"""The unique custom arg reconciliation searches for in Email Activity."""


@dataclass(frozen=True)
class Recipient:
    """One contact of an agency in one role."""

    email: str
    role: ContactRole
    name: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file sent with the e-mail (the official letter PDF)."""

    filename: str
    content: bytes = field(repr=False)
    mime: str = "application/pdf"


@dataclass(frozen=True)
class OutgoingMessage:
    """One e-mail to one agency. ``(cycle_id, agency_id, kind, round)`` is sent exactly once."""

    cycle_id: int
    agency_id: int
    agency_code: str
    kind: str
    recipients: tuple[Recipient, ...]
    context: Mapping[str, Any] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    round: int = 1
    cycle_label: str = ""
    """What the ``dgops_cycle`` custom arg says (the Buddhist-era year); default the cycle id."""
    categories: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[int, int, str, int]:
        return (self.cycle_id, self.agency_id, self.kind, self.round)


@dataclass(frozen=True)
class Addressing:
    """Who the message goes to after routing by role and removing duplicates."""

    to: tuple[Recipient, ...]
    cc: tuple[Recipient, ...]

    def as_json(self) -> dict[str, list[dict[str, str]]]:
        return {
            "to": [{"email": r.email, "name": r.name, "role": r.role.value} for r in self.to],
            "cc": [{"email": r.email, "name": r.name, "role": r.role.value} for r in self.cc],
        }


def route(message: OutgoingMessage, config: MailConfig) -> Addressing:
    """``to``: the roles in ``config.to_roles`` (head's office, CIO); ``cc``: ``cc_roles``.

    An address appears once (SendGrid rejects duplicates across to and cc). When no contact
    has a ``to`` role, the ``cc`` contacts are promoted so the agency still gets the mail.
    """
    seen: set[str] = set()

    def pick(roles: Iterable[ContactRole]) -> list[Recipient]:
        out = []
        for role in roles:
            for r in message.recipients:
                addr = r.email.strip().lower()
                if r.role == role and addr and addr not in seen:
                    seen.add(addr)
                    out.append(r)
        return out

    to = pick(config.to_roles)
    cc = pick(config.cc_roles)
    if not to:
        to, cc = cc[:1], cc[1:]
    return Addressing(to=tuple(to), cc=tuple(cc))


def recipients_from_contacts(contacts: Iterable[Contact]) -> tuple[Recipient, ...]:
    """The recipients of an agency from its registry contacts (those with an e-mail)."""
    return tuple(
        Recipient(email=c.email.strip(), role=c.role, name=(c.name or "").strip())
        for c in contacts
        if c.email and c.email.strip()
    )


def custom_args(message: OutgoingMessage, ledger_id: int, message_key: str) -> dict[str, str]:
    """The custom args of a message: identifiers only, all strings (SendGrid's rule)."""
    return {
        ARG_CYCLE: message.cycle_label or str(message.cycle_id),
        ARG_AGENCY: message.agency_code,
        ARG_KIND: message.kind,
        ARG_ROUND: str(message.round),
        ARG_MESSAGE_ID: str(ledger_id),
        ARG_MESSAGE_KEY: message_key,
    }


def tracking_settings(kind: str, config: MailConfig) -> TrackingSettings:
    """Tracking set explicitly, whatever the account's defaults say.

    Click tracking is always off: it rewrites every link through SendGrid's redirect host, so
    a reset link would no longer be the portal's address, and a mail scanner following it
    would be counted as the agency. Open tracking (a pixel) only for kinds that carry no
    credentials, when ``config.open_tracking``. Subscription tracking (an unsubscribe footer)
    never: these are official mails, not a newsletter.
    """
    settings = TrackingSettings()
    settings.click_tracking = ClickTracking(False, False)
    opens = config.open_tracking and kind not in config.credential_kinds
    settings.open_tracking = OpenTracking(opens)
    settings.subscription_tracking = SubscriptionTracking(False)
    return settings


def build_payload(
    message: OutgoingMessage,
    addressing: Addressing,
    rendered: RenderedEmail,
    config: MailConfig,
    *,
    ledger_id: int,
    message_key: str,
) -> dict[str, Any]:
    """The ``POST /v3/mail/send`` body, built with the sendgrid helpers."""
    mail = Mail()
    mail.from_email = From(config.from_email, config.from_name or None)
    mail.subject = rendered.subject
    personalization = Personalization()
    for r in addressing.to:
        personalization.add_to(To(r.email, r.name or None))
    for r in addressing.cc:
        personalization.add_cc(Cc(r.email, r.name or None))
    mail.add_personalization(personalization)
    mail.add_content(PlainTextContent(rendered.text))
    mail.add_content(HtmlContent(rendered.html))
    for a in message.attachments:
        mail.add_attachment(
            SgAttachment(
                FileContent(base64.b64encode(a.content).decode("ascii")),
                FileName(a.filename),
                FileType(a.mime),
                Disposition("attachment"),
            )
        )
    for k, v in custom_args(message, ledger_id, message_key).items():
        mail.add_custom_arg(CustomArg(k, v))
    # The helper inserts each category at the front: add them in reverse to keep the order.
    for c in reversed(list(dict.fromkeys((*config.categories, message.kind, *message.categories)))):
        mail.add_category(Category(c))
    if config.reply_to:
        mail.reply_to = ReplyTo(config.reply_to)
    mail.tracking_settings = tracking_settings(message.kind, config)
    if config.sandbox:
        settings = MailSettings()
        settings.sandbox_mode = SandBoxMode(True)
        mail.mail_settings = settings
    payload: dict[str, Any] = mail.get()
    return payload
