"""Fixtures for the packaging tests: the built bundle and a Python-free runner.

The bundle is looked up in ``$RPIQ_DIST`` (``make package-test`` sets it) or
``<repo>/dist``. When it is absent the tests are skipped, so ``make test``
stays green without a build; ``RPIQ_REQUIRE_PACKAGE=1`` (set by the make
targets) turns the skip into a failure.

Every command runs with a minimal environment (no venv on PATH, no
PYTHONPATH, a fresh HOME and RPIQ_HOME, offscreen Qt). As root, it also runs in
a private mount namespace where every Python installation of this machine
(the interpreter that runs pytest, its venv, /usr/lib/python3*) is hidden
under an empty tmpfs: the bundle must bring everything it needs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

ROOT = Path(__file__).resolve().parents[2]
REQUIRE_ENV = "RPIQ_REQUIRE_PACKAGE"
DIST_ENV = "RPIQ_DIST"
HIDE_SCRIPT = (
    'while [ "$1" != "--" ]; do mount -t tmpfs -o ro,mode=0755 none "$1" '
    '|| exit 125; shift; done; shift; exec "$@"'
)


def dist_dir() -> Path:
    """Where ``make package`` / ``make deb`` put their outputs."""
    return Path(os.environ.get(DIST_ENV) or ROOT / "dist").resolve()


def missing(what: str) -> None:
    """Skip (or, under ``make package-test``, fail): ``what`` was not built."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{what} not found: run `make package` / `make deb` first")
    pytest.skip(f"{what} not built (make package / make deb)")


def python_dirs(keep: Path) -> list[Path]:
    """This machine's Python installations, except any that contains ``keep``."""
    candidates = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix)}
    for base in (Path("/usr/lib"), Path("/usr/local/lib")):
        candidates.update(base.glob("python3*"))
    found = []
    for path in sorted(candidates):
        real = path.resolve()
        if real.is_dir() and not keep.resolve().is_relative_to(real):
            found.append(real)
    return found


@dataclass
class Runner:
    """Runs commands as a user of the installed bundle would, without Python."""

    home: Path
    hidden: list[Path]

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.home),
            "RPIQ_HOME": str(self.home / "rpiq-home"),
            "LANG": "C.UTF-8",
            "QT_QPA_PLATFORM": "offscreen",
        }
        if "DISPLAY" in extra:
            del env["QT_QPA_PLATFORM"]  # a real X server: Qt picks xcb
        env.update(extra)
        return env

    def command(self, argv: Sequence[str]) -> list[str]:
        if not self.hidden:
            return list(argv)
        hide = [str(path) for path in self.hidden]
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                HIDE_SCRIPT, "sh", *hide, "--", *argv]  # fmt: skip

    def run(
        self, *argv: str, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            self.command(argv),
            env=self.env(**(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode != 125, f"could not hide Python: {done.stderr}"
        return done

    def popen(self, *argv: str, **extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(argv),
            env=self.env(**extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def _can_hide() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def make_runner(tmp_path: Path, keep: Path) -> Runner:
    """A runner for programs under ``keep`` (never hidden)."""
    home = tmp_path / "home"
    home.mkdir()
    return Runner(home=home, hidden=python_dirs(keep) if _can_hide() else [])


@pytest.fixture(scope="module")
def x_display() -> Iterator[str]:
    """A private Xvfb server's DISPLAY (skipped without Xvfb): the xcb path."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb (xvfb) is not installed")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1400x900x24",
         "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    try:
        if not number:
            pytest.skip("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def bundle() -> Path:
    """``dist/rpiq``, the onedir bundle; skipped when it was not built."""
    path = dist_dir() / "rpiq"
    if not (path / "rpiq").is_file():
        missing(f"the bundle {path}")
    return path


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    """A Python-free runner for the bundle under ``dist``."""
    return make_runner(tmp_path, dist_dir())
