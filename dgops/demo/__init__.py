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

__all__ = [
    "SCALES",
    "RegistryCounts",
    "count_records",
    "generate_registry",
    "write_demo_registry",
]
