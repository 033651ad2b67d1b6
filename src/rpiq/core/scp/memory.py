"""Bound the SCP process's allocator footprint (glibc malloc arenas).

The SCP runs two threads per association (pynetdicom). glibc gives threads
their own malloc arenas, up to 8 per core, and each arena keeps the pages of
its largest past working set: fuzzing the SCP with 100k malformed requests
grew its RSS by more than 80 MB with flat Python object counts, while with
two arenas it levelled off within the first thousand requests. CPython
allocates almost only while holding the GIL, so more arenas buy no
concurrency, only fragmentation.
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys

ARENAS = 2
_M_ARENA_MAX = -8  # glibc <malloc.h>
_ENV = "MALLOC_ARENA_MAX"


def limit_malloc_arenas(count: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``count``; True when the cap was set.

    Does nothing off glibc Linux, or when ``MALLOC_ARENA_MAX`` is set in the
    environment (the operator's choice wins). Arenas that already exist stay;
    call it early. Idempotent.
    """
    if not sys.platform.startswith("linux") or os.environ.get(_ENV):
        return False
    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, count))
