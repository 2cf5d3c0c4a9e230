"""Fieldwork reminders: the policy's rounds on Thai working days, escalation, operators'
controls, the phone follow-up list and the managers' digest — all e-mail through the
exactly-once mail ledger (kind ``reminder``, round = the policy round). See ``docs/fieldwork.md``.
"""

from __future__ import annotations

from dgops.reminders.calendar import ThaiCalendar, thai_holidays
from dgops.reminders.calls import CALL_COLUMNS, call_list, write_call_list
from dgops.reminders.digest import MANAGERS_CODE, Digest, build_digest, send_digest
from dgops.reminders.models import HoldMode, ReminderHold
from dgops.reminders.ops import extend_deadline, release_hold, set_hold
from dgops.reminders.schedule import (
    KIND,
    MANUAL_ROUND_BASE,
    QUEUE_COLUMNS,
    PlannedReminder,
    audience_for,
    due_date,
    reminder_queue,
    select_due,
    template_for,
)
from dgops.reminders.send import (
    ReminderError,
    ReminderRunReport,
    build_message,
    deliver,
    run_reminders,
    send_now,
    within_office_hours,
)

__all__ = [
    "CALL_COLUMNS",
    "KIND",
    "MANAGERS_CODE",
    "MANUAL_ROUND_BASE",
    "QUEUE_COLUMNS",
    "Digest",
    "HoldMode",
    "PlannedReminder",
    "ReminderError",
    "ReminderHold",
    "ReminderRunReport",
    "ThaiCalendar",
    "audience_for",
    "build_digest",
    "build_message",
    "call_list",
    "deliver",
    "due_date",
    "extend_deadline",
    "release_hold",
    "reminder_queue",
    "run_reminders",
    "select_due",
    "send_digest",
    "send_now",
    "set_hold",
    "template_for",
    "thai_holidays",
    "within_office_hours",
    "write_call_list",
]
