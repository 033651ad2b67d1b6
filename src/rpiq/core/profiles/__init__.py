"""AE connection profiles: validation and a JSON store with a schema version.

:class:`AEProfile` says how to reach one RPI SCP; :class:`ProfileStore` keeps
them in ``profiles.json`` under the config dir (see :mod:`.store` for the
loading policy that never loses a user's broken file).
"""

from rpiq.core.profiles.fields import (
    AE_TITLE_MAX,
    FIELD_LABELS,
    MAX_PDU_MAX,
    MAX_PDU_MIN,
    PORT_MAX,
    SCHEMA_VERSION,
)
from rpiq.core.profiles.model import AEProfile, TlsSettings
from rpiq.core.profiles.store import LoadResult, ProfileStore

__all__ = [
    "AE_TITLE_MAX",
    "FIELD_LABELS",
    "MAX_PDU_MAX",
    "MAX_PDU_MIN",
    "PORT_MAX",
    "SCHEMA_VERSION",
    "AEProfile",
    "LoadResult",
    "ProfileStore",
    "TlsSettings",
]
