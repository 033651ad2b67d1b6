"""Temp files made ahead for stores (rpiq.core.archive.temppool)."""

from __future__ import annotations

import gc
import logging
import threading
import time
from typing import IO, TYPE_CHECKING

from tests.core.test_archive_store import instance
from tests.tempfiles import unfinished

from rpiq.core.archive import Archive
from rpiq.core.archive.storage import InstanceFiles
from rpiq.core.archive.temppool import POOL_SIZE, PREFIX, TempPool

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def writing(data: bytes) -> Callable[[IO[bytes]], None]:
    def write(handle: IO[bytes]) -> None:
        handle.write(data)

    return write


def pool_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{PREFIX}*"))


def filler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "rpiq-archive-temp-pool"]


def test_stores_write_into_files_made_ahead(tmp_path):
    files = InstanceFiles(tmp_path / "a")
    files.prepare()
    files.write_temp("1.2.3", writing(b"first")).unlink()
    assert wait_until(lambda: len(pool_files(files.tmp)) >= POOL_SIZE)
    made_ahead = set(pool_files(files.tmp))
    used = files.write_temp("1.2.4", writing(b"second"))
    assert used in made_ahead
    assert used.read_bytes() == b"second"  # written over, nothing left before
    files.close()


def test_a_file_removed_from_the_pool_is_replaced_by_a_new_one(tmp_path):
    files = InstanceFiles(tmp_path / "a")
    files.prepare()
    files.write_temp("1.2.3", writing(b"x")).unlink()
    assert wait_until(lambda: len(pool_files(files.tmp)) >= POOL_SIZE)
    for path in pool_files(files.tmp):
        path.unlink()  # e.g. a cleaner of another process
    written = files.write_temp("1.2.5", writing(b"still stored"))
    assert written.read_bytes() == b"still stored"
    files.close()


def test_close_removes_the_ready_files_and_stops_the_filler(tmp_path):
    before = set(filler_threads())
    pool = TempPool(tmp_path, ".tmp")
    taken = pool.take()  # starts the filler (and may already get a file)
    if taken is not None:
        taken.unlink()
    (filler,) = set(filler_threads()) - before
    assert wait_until(lambda: len(pool_files(tmp_path)) >= POOL_SIZE)
    pool.close()
    filler.join(timeout=5)
    assert not filler.is_alive()
    assert pool_files(tmp_path) == []  # incl. one it was offering when closed
    assert pool.take() is None


def test_a_dropped_archive_stops_its_filler(tmp_path):
    before = set(filler_threads())
    archive = Archive(tmp_path / "a")
    archive.store(instance())
    (filler,) = set(filler_threads()) - before
    tmp = archive.root / "tmp"
    assert wait_until(lambda: len(pool_files(tmp)) >= POOL_SIZE)
    del archive
    gc.collect()
    filler.join(timeout=5)
    assert not filler.is_alive()
    assert pool_files(tmp) == []


def test_pool_files_of_a_dead_process_go_silently_when_the_archive_opens(
    tmp_path, caplog
):
    root = tmp_path / "a"
    Archive(root)
    stale = root / "tmp" / f"{PREFIX}999999999.0.7.tmp"
    stale.touch()
    with caplog.at_level(logging.WARNING):
        archive = Archive(root)
    assert not stale.exists()
    assert "unfinished" not in caplog.text  # an empty placeholder, not an instance
    assert unfinished(archive.root / "tmp") == []
