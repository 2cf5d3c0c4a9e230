"""The demo: a realistic registry of Thai agencies and the `make demo` run of a survey year.

Everything here writes only to the demo's own files and database; e-mail addresses are on
domains reserved for examples (RFC 2606), so nothing can reach a real agency.
"""

from __future__ import annotations

from dgops.demo.registry import (
    SCALES,
    RegistryCounts,
    count_records,
    generate_registry,
    write_demo_registry,
)
from dgops.demo.responses import store_demo_responses
from dgops.demo.run import DEMO_YEAR_BE, StepResult, run_demo

__all__ = [
    "DEMO_YEAR_BE",
    "SCALES",
    "RegistryCounts",
    "StepResult",
    "count_records",
    "generate_registry",
    "run_demo",
    "store_demo_responses",
    "write_demo_registry",
]
