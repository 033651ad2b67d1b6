"""The .deb installs, runs the self-test and uninstalls cleanly (``make deb-test``).

As root in CI (``CI=true``, or ``RPIQ_DEB_INSTALL=1``) the package is really
installed with ``dpkg -i`` (which also proves its Depends are installed) and
purged; otherwise it is unpacked with ``dpkg -x`` into a temporary root, which
is removed afterwards. Skipped when no ``dist/rpiq_*.deb`` was built.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tests.packaging.conftest import dist_dir, make_runner, missing

import rpiq

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

APP_ID = "invalid.rpiq.Workstation"
#: What the package must put where (paths relative to the root).
EXPECTED_FILES = (
    "opt/rpiq/rpiq",
    "opt/rpiq/rpiq-gui",
    "usr/bin/rpiq",
    "usr/bin/rpiq-gui",
    f"usr/share/applications/{APP_ID}.desktop",
    f"usr/share/metainfo/{APP_ID}.metainfo.xml",
    f"usr/share/icons/hicolor/48x48/apps/{APP_ID}.png",
    f"usr/share/icons/hicolor/256x256/apps/{APP_ID}.png",
    f"usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
    "usr/share/doc/rpiq/copyright",
)


@pytest.fixture(scope="module")
def deb() -> Path:
    """The newest ``dist/rpiq_*_<arch>.deb``."""
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not available")
    found = sorted(dist_dir().glob("rpiq_*.deb"), key=lambda p: p.stat().st_mtime)
    if not found:
        missing(f"a .deb in {dist_dir()}")
    return found[-1]


def _field(deb: Path, name: str) -> str:
    out = subprocess.run(
        ["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def _depends(deb: Path) -> set[str]:
    """Package names in Depends (first of each alternative, no versions)."""
    names = set()
    for clause in _field(deb, "Depends").split(","):
        first = clause.split("|")[0]
        names.add(re.sub(r"\(.*?\)|:any", "", first).strip())
    return names


def _real_install() -> bool:
    wanted = os.environ.get("CI") == "true" or os.environ.get("RPIQ_DEB_INSTALL") == "1"
    return wanted and os.geteuid() == 0


@pytest.fixture(scope="module")
def installed(deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The root the package is installed into: ``/`` (dpkg -i) or a temp dir."""
    if _real_install():
        done = subprocess.run(
            ["dpkg", "-i", str(deb)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"dpkg -i failed: {done.stdout}{done.stderr}"
        yield Path("/")
        purge = subprocess.run(
            ["dpkg", "--purge", "rpiq"], capture_output=True, text=True, check=False
        )
        assert purge.returncode == 0, purge.stderr
        assert not Path("/opt/rpiq").exists()
        assert not Path("/usr/bin/rpiq").exists()
        return
    root = tmp_path_factory.mktemp("debroot")
    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    yield root
    shutil.rmtree(root)
    assert not root.exists()


def test_control_fields_name_the_version_and_system_libraries(deb: Path) -> None:
    version = _field(deb, "Version")
    assert version.replace("~", "") == rpiq.__version__.replace(".dev", "dev")
    assert deb.name == f"rpiq_{version}_{_field(deb, 'Architecture')}.deb"
    depends = _depends(deb)
    # The libraries Qt's xcb platform plugin loads must come from Debian.
    for package in ("libc6", "libxcb-cursor0", "libxkbcommon-x11-0", "libfontconfig1"):
        assert package in depends, sorted(depends)


def test_installed_commands_run_and_pass_the_self_test(
    installed: Path, tmp_path: Path
) -> None:
    for path in EXPECTED_FILES:
        assert (installed / path).exists(), path
    runner = make_runner(tmp_path, installed / "opt" / "rpiq")
    rpiq_cmd = str(installed / "usr" / "bin" / "rpiq")
    version = runner.run(rpiq_cmd, "--version")
    assert version.stdout.strip() == f"rpiq {rpiq.__version__}", version.stderr
    done = runner.run(rpiq_cmd, "gui", "--self-test")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "self-test: 3/3 queries OK" in done.stdout


def test_installed_gui_opens_its_window_on_an_x_server(
    installed: Path, tmp_path: Path, x_display: str
) -> None:
    # xcb and the X libraries come from the Depends packages, not the bundle.
    runner = make_runner(tmp_path, installed / "opt" / "rpiq")
    done = runner.run(
        str(installed / "usr" / "bin" / "rpiq-gui"),
        env={
            "DISPLAY": x_display,
            "RPIQ_QUIT_AFTER": "0",
            "RPIQ_STARTUP_T0": repr(time.time()),
        },
    )
    assert done.returncode == 0, done.stderr
    assert "rpiq-startup: window shown" in done.stderr, done.stderr


def _needed(path: Path) -> list[str]:
    out = subprocess.run(
        ["objdump", "-p", str(path)], capture_output=True, text=True, check=False
    )
    return re.findall(r"^\s*NEEDED\s+(\S+)", out.stdout, re.MULTILINE)


def test_every_system_library_linked_comes_from_a_dependency(
    deb: Path, installed: Path
) -> None:
    if shutil.which("objdump") is None:
        pytest.skip("objdump (binutils) is not available")
    opt = installed / "opt" / "rpiq"
    elves = [p for p in opt.rglob("*.so*") if p.is_file() and not p.is_symlink()] + [
        opt / "rpiq"
    ]
    private = {p.name for p in opt.rglob("*.so*")}
    lib_path = ":".join(sorted({str(p.parent) for p in elves}))
    system: dict[str, set[str]] = {}
    for elf in elves:
        out = subprocess.run(
            ["ldd", str(elf)],
            capture_output=True,
            text=True,
            check=False,
            env={"LD_LIBRARY_PATH": lib_path, "PATH": "/usr/bin:/bin"},
        ).stdout
        resolved = dict(re.findall(r"^\s*(\S+) => (\S+)", out, re.MULTILINE))
        # The dynamic loader is listed by path alone.
        for loader in re.findall(r"^\s*(/\S+) \(0x", out, re.MULTILINE):
            resolved[os.path.basename(loader)] = loader
        for name in _needed(elf):
            if name in private:
                continue
            assert resolved.get(name, "not") != "not", f"{elf.name}: {name} not found"
            system.setdefault(os.path.realpath(resolved[name]), set()).add(elf.name)
    # dpkg records a file under /lib or /usr/lib (merged /usr): ask for both.
    aliases = {lib: _aliases(lib) for lib in system}
    owners = subprocess.run(
        ["dpkg-query", "-S", *sorted(set().union(*aliases.values()))],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    owned = re.findall(r"^([^:,\s]+)[^ ]*: (\S+)$", owners, re.MULTILINE)
    packages = set()
    for lib, names in aliases.items():
        mine = {package for package, path in owned if path in names}
        assert mine, f"{lib} (needed by {sorted(system[lib])}) belongs to no package"
        packages |= mine
    assert packages <= _depends(deb), sorted(packages - _depends(deb))


def _aliases(path: str) -> set[str]:
    """``path`` under both /lib and /usr/lib."""
    bare = path.removeprefix("/usr")
    return {bare, f"/usr{bare}"}
