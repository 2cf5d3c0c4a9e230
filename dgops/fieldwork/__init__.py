"""Fieldwork: tracking the responses and reminding the agencies that have not answered.

Tracking (read side): response rates by group, each agency's progress, daily snapshots, the
trend against last year, a projection to the deadline and the groups that are behind. Every
function takes the caller's session and a cycle year (BE or CE) and returns a DataFrame or a
small frozen dataclass; only :func:`take_snapshot` writes.

Reminders: the policy's rounds on Thai working days, escalation, operators' controls, the phone
follow-up list and the managers' digest — all e-mail through the exactly-once mail ledger (kind
``reminder``, round = the policy round). See ``docs/fieldwork.md``.
"""

from __future__ import annotations

from dgops.fieldwork.calls import CALL_COLUMNS, call_list, write_call_list
from dgops.fieldwork.digest import MANAGERS_CODE, Digest, build_digest, send_digest
from dgops.fieldwork.models import FieldworkSnapshot, HoldMode, ReminderHold
from dgops.fieldwork.ops import extend_deadline, release_hold, set_hold
from dgops.fieldwork.policy import (
    FieldworkPolicy,
    Manager,
    PolicyError,
    ReminderRound,
    load_policy,
    policy_dir,
)
from dgops.fieldwork.projection import (
    Projection,
    behind_groups,
    expected_share,
    project_rate,
    targets_for,
)
from dgops.fieldwork.queries import (
    ALL_FIELD,
    ALL_VALUE,
    GROUP_FIELDS,
    RESPONDED,
    STATUSES,
    agency_progress,
    awaiting_checks,
    cycle_of,
    effective_deadlines,
    fieldwork_cycle,
    fieldwork_year,
    load_sql,
    response_rates,
)
from dgops.fieldwork.schedule import (
    KIND,
    MANUAL_ROUND_BASE,
    QUEUE_COLUMNS,
    PlannedReminder,
    audience_for,
    due_date,
    reminder_queue,
    select_due,
    send_moment,
    template_for,
)
from dgops.fieldwork.send import (
    ReminderError,
    ReminderRunReport,
    build_message,
    deliver,
    run_reminders,
    send_now,
    within_office_hours,
)
from dgops.fieldwork.snapshot import previous_trend, snapshot_rows, take_snapshot, trend

__all__ = [
    "ALL_FIELD",
    "ALL_VALUE",
    "CALL_COLUMNS",
    "GROUP_FIELDS",
    "KIND",
    "MANAGERS_CODE",
    "MANUAL_ROUND_BASE",
    "QUEUE_COLUMNS",
    "RESPONDED",
    "STATUSES",
    "Digest",
    "FieldworkPolicy",
    "FieldworkSnapshot",
    "HoldMode",
    "Manager",
    "PlannedReminder",
    "PolicyError",
    "Projection",
    "ReminderError",
    "ReminderHold",
    "ReminderRound",
    "ReminderRunReport",
    "agency_progress",
    "audience_for",
    "awaiting_checks",
    "behind_groups",
    "build_digest",
    "build_message",
    "call_list",
    "cycle_of",
    "deliver",
    "due_date",
    "effective_deadlines",
    "expected_share",
    "extend_deadline",
    "fieldwork_cycle",
    "fieldwork_year",
    "load_policy",
    "load_sql",
    "policy_dir",
    "previous_trend",
    "project_rate",
    "release_hold",
    "reminder_queue",
    "response_rates",
    "run_reminders",
    "select_due",
    "send_digest",
    "send_moment",
    "send_now",
    "set_hold",
    "snapshot_rows",
    "take_snapshot",
    "targets_for",
    "template_for",
    "trend",
    "within_office_hours",
    "write_call_list",
]
