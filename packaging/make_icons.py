"""Regenerate the application icons from ``resources/icons/rpiq.svg``.

``make icons`` runs this. It renders the SVG with Qt's own SVG renderer
(PySide6 is already a dependency, so no Pillow or cairo is needed) and writes:

- ``resources/icons/png/rpiq-<N>.png`` for the freedesktop hicolor sizes
  (16-512), installed by the .deb under ``/usr/share/icons/hicolor``;
- ``resources/icons/rpiq.ico`` (16-256, PNG-compressed entries, which Windows
  Vista and later read) for the executables and the Inno Setup installer;
- ``resources/icons/rpiq.icns`` (16-1024 with the @2x variants) for the
  macOS .app.

The outputs are committed because the installers need them and the bundle
build should not depend on rendering; re-run this after editing the SVG
(``tests/packaging/test_resources.py`` checks that every size is there).

Usage: python packaging/make_icons.py [--svg FILE] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"

#: freedesktop hicolor sizes shipped as PNG files.
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
#: Sizes inside the .ico; 256 is the largest the format describes.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: ICNS element types and the pixel size each holds (PNG payloads).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)
#: Objects that must outlive one call (the QGuiApplication).
_KEEP: list[object] = []


def render_png(svg: Path, size: int) -> bytes:
    """The SVG rendered into a transparent ``size`` x ``size`` PNG."""
    from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: TID251
    from PySide6.QtSvg import QSvgRenderer  # noqa: TID251

    if QGuiApplication.instance() is None:
        # QPainter on a QImage needs a GUI application; keep it for the process.
        _KEEP.append(QGuiApplication(["make_icons"]))
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot render {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    # Through a file: PySide6's QImage.save(QIODevice, format) rejects every
    # format argument type its own stubs accept.
    with tempfile.TemporaryDirectory(prefix="rpiq-icons-") as tmp:
        path = Path(tmp) / f"{size}.png"
        if not image.save(str(path)):
            raise SystemExit(f"make_icons: cannot encode a {size} px PNG")
        return path.read_bytes()


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are the given PNGs (ICONDIR + ICONDIRENTRY)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries = b""
    payload = b""
    for size in sizes:
        png = pngs[size]
        # Width/height 0 means 256; 32 bits per pixel; PNG data follows.
        edge = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(png), offset)
        payload += png
        offset += len(png)
    return header + entries + payload


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file with one PNG element per :data:`ICNS_TYPES` entry."""
    body = b""
    for kind, size in ICNS_TYPES:
        png = pngs[size]
        body += kind + struct.pack(">I", len(png) + 8) + png
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def generate(svg: Path, out: Path) -> list[Path]:
    """Write every PNG, the .ico and the .icns into ``out``; the paths written."""
    sizes = sorted({*PNG_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    pngs = {size: render_png(svg, size) for size in sizes}
    written: list[Path] = []
    (out / "png").mkdir(parents=True, exist_ok=True)
    for size in PNG_SIZES:
        path = out / "png" / f"rpiq-{size}.png"
        path.write_bytes(pngs[size])
        written.append(path)
    ico = out / "rpiq.ico"
    ico.write_bytes(ico_bytes({size: pngs[size] for size in ICO_SIZES}))
    icns = out / "rpiq.icns"
    icns.write_bytes(icns_bytes(pngs))
    return [*written, ico, icns]


def main(argv: list[str] | None = None) -> int:
    """Regenerate the icons; print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=ICONS / "rpiq.svg")
    parser.add_argument("--out", type=Path, default=ICONS)
    options = parser.parse_args(argv)
    # No display here or in CI: render offscreen unless told otherwise.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for path in generate(options.svg, options.out):
        sys.stdout.write(f"wrote {path} ({path.stat().st_size} bytes)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
