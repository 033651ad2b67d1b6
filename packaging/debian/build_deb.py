"""Build ``rpiq_<version>_<arch>.deb`` from the PyInstaller bundle (``make deb``).

Layout of the package:

- ``/opt/rpiq/``: the onedir bundle (``rpiq``, ``rpiq-gui``, ``_internal/``);
- ``/usr/bin/rpiq`` and ``/usr/bin/rpiq-gui``: relative symlinks into it (the
  bootloader follows them to find ``_internal/``; relative, so ``dpkg -x``
  into any root still runs);
- the desktop file, AppStream metainfo, hicolor icons and copyright file in
  their standard places. No maintainer scripts: Debian's triggers refresh the
  icon cache and the desktop database.

PyInstaller copies the system libraries it finds (libX11, libxcb-*,
OpenSSL, GnuTLS, Kerberos, CUPS, ...) into the bundle. In a .deb those
private copies would never get Debian's security updates, so every one that
is byte-identical to a file of an installed Debian package is removed from
``_internal/`` and that package becomes a dependency instead. What stays
private: libpython (the bundle's own Python), PySide6's Qt and ICU, shiboken.
``Depends`` is then computed by ``dpkg-shlibdeps`` over every ELF file in the
package (versioned by the symbols files), exactly as a Debian source package
would get it.

Usage: python packaging/debian/build_deb.py --bundle dist/rpiq --out dist
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
APP_ID = "invalid.rpiq.Workstation"
PACKAGE = "rpiq"
INSTALL_DIR = Path("opt/rpiq")
MAINTAINER = "RPIQ Workstation developers <dev@rpiq.invalid>"
#: Libraries that must stay in the bundle even if Debian has a file of that name.
KEEP_PRIVATE = ("libpython", "libpyside6", "libshiboken6")
ELF_MAGIC = b"\x7fELF"

CONTROL = """\
Package: {package}
Version: {version}
Architecture: {arch}
Maintainer: {maintainer}
Installed-Size: {installed_size}
Depends: {depends}
Section: science
Priority: optional
Description: RPIQ Workstation - DICOM Relevant Patient Information Query
 Sends DICOM Relevant Patient Information Queries (PS3.4 Annex Q) to a PACS
 or archive and shows the answer: allergies, pregnancy status, implants and
 the other rows of the General, Breast Imaging and Cardiac templates, with a
 conformance report. Includes an embedded RPI SCP and the rpiq command.
 .
 Self-contained: the Python runtime, Qt and pydicom/pynetdicom are bundled
 under /opt/rpiq.
"""

COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: rpiq
Comment: /opt/rpiq bundles CPython (PSF License), Qt 6 and PySide6 (LGPL-3.0),
 pydicom and pynetdicom (MIT), superqt and qtpy (BSD-3-Clause / MIT) and
 platformdirs (MIT); their license files are under /opt/rpiq/_internal.

Files: *
Copyright: RPIQ Workstation developers
License: MIT
"""


def run(*command: str, cwd: Path | None = None) -> str:
    """Run a command; its stdout, or exit with its stderr on failure."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"build_deb: {' '.join(command)} failed ({done.returncode})")
    return done.stdout


def debian_version(version: str) -> str:
    """PEP 440 to Debian ordering: pre-releases sort before the release (``~``)."""
    version = re.sub(r"(?<=\d)\.?(a|b|rc|dev)(?=\d)", r"~\1", version)
    return version.replace("+", "+local.")


def bundle_version(bundle: Path) -> str:
    """The version the bundle itself prints (``rpiq --version``)."""
    out = run(str(bundle / "rpiq"), "--version").strip()
    match = re.fullmatch(r"rpiq (\S+)", out)
    if match is None:
        raise SystemExit(f"build_deb: unexpected --version output {out!r}")
    return match.group(1)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def system_copy(name: str, multiarch: str) -> tuple[Path, str] | None:
    """The Debian-packaged library file named ``name`` and its package."""
    for folder in (f"/usr/lib/{multiarch}", f"/lib/{multiarch}"):
        candidate = Path(folder) / name
        if not candidate.exists():
            continue
        done = subprocess.run(
            ["dpkg-query", "-S", str(candidate)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            return candidate.resolve(), done.stdout.split(":")[0]
    return None


def unbundle_system_libraries(internal: Path, multiarch: str) -> list[str]:
    """Delete private copies of Debian-packaged libraries; their package names."""
    packages: set[str] = set()
    for lib in sorted(internal.glob("lib*.so*")):
        if lib.is_symlink() or not lib.is_file() or lib.name.startswith(KEEP_PRIVATE):
            continue
        found = system_copy(lib.name, multiarch)
        if found is None:
            continue
        path, package = found
        # Only an identical file: anything else was built for the bundle.
        if _sha256(path) == _sha256(lib):
            lib.unlink()
            packages.add(package)
    return sorted(packages)


def elf_files(root: Path) -> list[Path]:
    """Every regular ELF file under ``root``."""
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as fh:
                if fh.read(4) == ELF_MAGIC:
                    found.append(path)
    return found


def shlib_depends(workdir: Path, stage: Path, arch: str) -> str:
    """``dpkg-shlibdeps`` over the staged ELF files: the Depends value."""
    debian = workdir / "debian"
    (debian / "control").write_text(
        f"Source: {PACKAGE}\n\nPackage: {PACKAGE}\nArchitecture: {arch}\n"
    )
    files = elf_files(stage)
    # The bundle's private libraries (Qt, ICU, libpython) resolve inside it.
    lib_dirs = sorted({str(path.parent) for path in files if ".so" in path.name})
    out = run(
        "dpkg-shlibdeps",
        "-O",
        f"-T{debian / 'substvars'}",
        *(f"-l{folder}" for folder in lib_dirs),
        "--ignore-missing-info",
        *(str(path) for path in files),
        cwd=workdir,
    )
    match = re.search(r"^shlibs:Depends=(.*)$", out, re.MULTILINE)
    if match is None:
        raise SystemExit("build_deb: dpkg-shlibdeps printed no shlibs:Depends")
    return match.group(1).strip()


def install_desktop_files(stage: Path) -> None:
    """Desktop entry, AppStream metainfo, hicolor icons, doc/copyright."""
    share = stage / "usr" / "share"
    linux = RESOURCES / "linux"
    icons = RESOURCES / "icons"
    (share / "applications").mkdir(parents=True)
    shutil.copy2(linux / f"{APP_ID}.desktop", share / "applications")
    (share / "metainfo").mkdir(parents=True)
    shutil.copy2(linux / f"{APP_ID}.metainfo.xml", share / "metainfo")
    hicolor = share / "icons" / "hicolor"
    for png in sorted((icons / "png").glob("rpiq-*.png")):
        size = png.stem.split("-")[1]
        target = hicolor / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copy2(png, target / f"{APP_ID}.png")
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copy2(icons / "rpiq.svg", hicolor / "scalable" / "apps" / f"{APP_ID}.svg")
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(COPYRIGHT)


def stage_tree(bundle: Path, stage: Path, multiarch: str) -> list[str]:
    """Lay out the package's files under ``stage``; the unbundled packages."""
    target = stage / INSTALL_DIR
    target.parent.mkdir(parents=True)
    shutil.copytree(bundle, target, symlinks=True)
    unbundled = unbundle_system_libraries(target / "_internal", multiarch)
    bin_dir = stage / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("rpiq", "rpiq-gui"):
        (bin_dir / name).symlink_to(Path("../..") / INSTALL_DIR / name)
    install_desktop_files(stage)
    # dpkg-deb wants 0755 directories and no group/other write bits.
    for path in [stage, *stage.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o7777
        path.chmod((mode | 0o755) & ~0o022 if path.is_dir() else mode & ~0o022)
    return unbundled


def installed_size_kib(stage: Path) -> int:
    """Installed-Size: the staged files in KiB (symlinks count as one)."""
    total = 0
    for path in stage.rglob("*"):
        if path.is_symlink():
            total += 1024
        elif path.is_file():
            total += path.stat().st_size
    return (total + 1023) // 1024


def build(bundle: Path, out: Path) -> Path:
    """Stage, compute Depends, and ``dpkg-deb --build``; the .deb path."""
    if not (bundle / "rpiq").is_file():
        raise SystemExit(f"build_deb: no bundle at {bundle} (run make package)")
    arch = run("dpkg", "--print-architecture").strip()
    multiarch = run("dpkg-architecture", "-qDEB_HOST_MULTIARCH").strip()
    version = debian_version(bundle_version(bundle))
    out.mkdir(parents=True, exist_ok=True)
    deb = out / f"{PACKAGE}_{version}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="rpiq-deb-") as tmp:
        workdir = Path(tmp)
        stage = workdir / "debian" / PACKAGE
        unbundled = stage_tree(bundle, stage, multiarch)
        depends = shlib_depends(workdir, stage, arch)
        (stage / "DEBIAN").mkdir()
        (stage / "DEBIAN" / "control").write_text(
            CONTROL.format(
                package=PACKAGE,
                version=version,
                arch=arch,
                maintainer=MAINTAINER,
                installed_size=installed_size_kib(stage),
                depends=depends,
            )
        )
        deb.unlink(missing_ok=True)
        run("dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(stage), str(deb))
    sys.stdout.write(
        f"{deb}: {deb.stat().st_size / 1e6:.1f} MB; unbundled in favour of "
        f"Debian packages: {', '.join(unbundled) or 'none'}\nDepends: {depends}\n"
    )
    return deb


def main(argv: list[str] | None = None) -> int:
    """Build the package; print its path, size and Depends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "rpiq")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    options = parser.parse_args(argv)
    build(options.bundle.resolve(), options.out.resolve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
