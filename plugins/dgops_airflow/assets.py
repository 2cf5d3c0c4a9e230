"""The survey year's Assets: what one DAG produces and the next one waits for.

registry imported → invitations; invitations sent → fieldwork; responses submitted → quality;
quality verified → results (scoring, recommendations, letters); results released → publication.
A DAG lists the asset it produces as a task ``outlets`` and the one it waits for as its
``schedule``; each DAG can still be triggered by hand with its Params. The asset event's
``extra`` carries ``cycle_year`` so the next DAG acts on the same year.
"""

from __future__ import annotations

from airflow.sdk import Asset

REGISTRY_IMPORTED = Asset("dgops://registry/imported", group="dgops")
INVITATIONS_SENT = Asset("dgops://invitations/sent", group="dgops")
RESPONSES_SUBMITTED = Asset("dgops://responses/submitted", group="dgops")
QUALITY_VERIFIED = Asset("dgops://quality/verified", group="dgops")
RESULTS_RELEASED = Asset("dgops://results/released", group="dgops")

__all__ = [
    "INVITATIONS_SENT",
    "QUALITY_VERIFIED",
    "REGISTRY_IMPORTED",
    "RESPONSES_SUBMITTED",
    "RESULTS_RELEASED",
]
