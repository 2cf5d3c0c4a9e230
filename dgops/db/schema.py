"""Every table of the survey database, across the domain sub-packages.

Domains that own tables keep their models in their own module on the shared
:class:`dgops.db.models.Base`; importing this module registers them all on ``Base.metadata``
(Alembic's autogenerate and the schema tests rely on it).
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from dgops.db.models import Base

MODEL_MODULES: tuple[str, ...] = (
    "dgops.db.models",
    "dgops.cycles.models",
    "dgops.registry.models",
    "dgops.results.models",
    "dgops.credentials.models",
    "dgops.letters.models",
    "dgops.mail.models",
    "dgops.responses.models",
    "dgops.web.models",
    "dgops.quality.models",
    "dgops.fieldwork.models",
    "dgops.publish.models",
)


def load_all_models() -> MetaData:
    """Import every model module and return the complete metadata."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata
