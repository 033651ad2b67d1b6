"""Demo mode of the workstation (``rpiq gui --demo``), Qt-free.

A new user starts the app and can query at once: the local archive is seeded
with the synthetic demo patients of :mod:`rpiq.core.archive.demo` when it is
empty, the embedded SCP listens on a free loopback port, and a profile named
:data:`DEMO_PROFILE_NAME` points at it. :data:`DEMO_PATIENT_ID` has a stored
TID 9007 document, so the default General query finds a tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rpiq.core.archive import Archive
from rpiq.core.archive.demo import DEMO_PATIENTS, seed_demo
from rpiq.core.paths import AppPaths
from rpiq.core.profiles import AEProfile
from rpiq.core.scp import ScpSettings

if TYPE_CHECKING:
    from pathlib import Path

    from rpiq.core.profiles import ProfileStore

__all__ = [
    "DEMO_AE_TITLE",
    "DEMO_PATIENT_ID",
    "DEMO_PROFILE_NAME",
    "OpenedArchive",
    "demo_profile",
    "demo_scp_settings",
    "open_archive",
    "save_demo_profile",
]

DEMO_PROFILE_NAME = "Local archive (demo)"
DEMO_AE_TITLE = "RPIQ-ARCHIVE"
DEMO_CALLING_AE = "RPIQ"
DEMO_HOST = "127.0.0.1"
#: The first demo patient: its TID 9007 document answers the default query.
DEMO_PATIENT_ID = DEMO_PATIENTS[0].patient_id


@dataclass(frozen=True, slots=True)
class OpenedArchive:
    """An opened archive, and how many demo instances were stored into it."""

    archive: Archive
    seeded: int = 0


def open_archive(
    root: Path | None = None, *, seed_demo_if_empty: bool = False
) -> OpenedArchive:
    """Open (create) the archive; with ``seed_demo_if_empty``, seed an empty one.

    Parameters
    ----------
    root : Path, optional
        The archive folder (default: the user's, ``RPIQ_HOME`` aware).
    seed_demo_if_empty : bool
        Store the demo instances when the archive holds no instance yet; an
        archive with anything in it is never touched.

    Raises
    ------
    ArchiveError
        The archive cannot be opened or written.
    """
    archive = Archive(root if root is not None else AppPaths.default().archive_dir)
    if not seed_demo_if_empty or archive.counts()[1] > 0:
        return OpenedArchive(archive)
    return OpenedArchive(archive, len(seed_demo(archive)))


def demo_scp_settings() -> ScpSettings:
    """The demo SCP: loopback only, any free port (port 0)."""
    return ScpSettings(ae_title=DEMO_AE_TITLE, host=DEMO_HOST, port=0)


def demo_profile(host: str, port: int, ae_title: str = DEMO_AE_TITLE) -> AEProfile:
    """The profile that queries the demo SCP bound at ``host:port``."""
    return AEProfile(
        name=DEMO_PROFILE_NAME,
        called_ae=ae_title,
        host=host,
        port=port,
        calling_ae=DEMO_CALLING_AE,
        connect_timeout=5.0,
    ).validate()


def save_demo_profile(
    store: ProfileStore, host: str, port: int, ae_title: str = DEMO_AE_TITLE
) -> AEProfile:
    """Create or update the demo profile in ``store`` and save the store.

    Raises
    ------
    ProfileError
        The store cannot be written.
    """
    profile = demo_profile(host, port, ae_title)
    store.add(profile, replace=True)
    store.save()
    return profile
