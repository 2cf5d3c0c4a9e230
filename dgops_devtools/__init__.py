"""Development tools of dgops: test doubles and local stand-ins for outside services.

Not part of the product: nothing in :mod:`dgops` imports this package, except the demo and the
CLI command that starts the local SendGrid endpoint (``dgops mail sink``).

* :class:`SinkServer` — a local SendGrid-compatible endpoint (mail send, Email Activity, signed
  Event Webhook events, fault injection); ``python -m dgops_devtools.sendgrid_sink``.
* :mod:`dgops_devtools.airflow` — ``AirflowUp`` (`.ci/airflow-up` in a temporary home) and
  ``Api`` (the REST API client) for the scheduler tests and ``python -m bench year``.
"""

from __future__ import annotations

from dgops_devtools.sendgrid_sink import Fault, SinkServer, SinkState, StoredMail, validate_send

__all__ = ["Fault", "SinkServer", "SinkState", "StoredMail", "validate_send"]
