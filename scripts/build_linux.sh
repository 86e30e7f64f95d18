#!/usr/bin/env bash
# Build memtray for Linux from a fresh clone, in one command:
#
#     bash scripts/build_linux.sh
#
# Steps: a build venv (build/venv, reused when present) with memtray's dependencies, the S3 extra and
# PyInstaller (scripts/project_info.py lists them from pyproject.toml); the icons
# (scripts/make_icons.py); the PyInstaller bundle (dist/memtray/, one folder); a tarball
# (dist/memtray-VERSION-linux-ARCH.tar.gz); and a Debian package (dist/memtray_VERSION_DEBARCH.deb)
# that installs into /opt/memtray with a menu entry. It ends by printing the sizes against the budget.
#
# Needs: python3 (>= 3.11, with venv and a shared libpython), binutils (strip, objdump), dpkg-deb, tar.
# The bundle needs the glibc of the build machine or newer: build on the oldest distribution to support.
# Environment: PYTHON picks the interpreter (default python3); MEMTRAY_BUILD_VENV the venv folder.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
VENV="${MEMTRAY_BUILD_VENV:-$ROOT/build/venv}"
BUDGET_MB=75

step() { printf '\n==> %s\n' "$*"; }

# The newest glibc symbol version any binary in the bundle asks for: the .deb's libc6 minimum.
glibc_needed() {
    { find "$1" -type f \( -name '*.so' -o -name '*.so.*' -o -perm -u+x \) -exec objdump -T {} + 2>/dev/null || true; } |
        grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -u -V | tail -n 1
}

step "Build venv: $VENV"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
mapfile -t REQUIREMENTS < <("$PY" scripts/project_info.py requirements)
"$PY" -m pip install --disable-pip-version-check --quiet "${REQUIREMENTS[@]}"

VERSION="$("$PY" scripts/project_info.py version)"
ARCH="$(uname -m)"
DEB_ARCH="$(dpkg --print-architecture)"
echo "memtray $VERSION for $ARCH ($DEB_ARCH)"

step "Icons"
"$PY" scripts/make_icons.py

step "PyInstaller bundle"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller build.spec
BUNDLE="dist/memtray"
"$BUNDLE/memtray" --version

step "Tarball"
TARBALL="dist/memtray-$VERSION-linux-$ARCH.tar.gz"
tar --sort=name --owner=0 --group=0 --numeric-owner -C dist -czf "$TARBALL" memtray

step "Debian package"
STAGE="build/deb/memtray"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications"
cp -a "$BUNDLE" "$STAGE/opt/memtray"
ln -s /opt/memtray/memtray "$STAGE/usr/bin/memtray"
install -m 0644 installers/linux/memtray.desktop "$STAGE/usr/share/applications/memtray.desktop"
for size in 16 24 32 48 64 128 256 512; do
    install -D -m 0644 "resources/memtray-$size.png" "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/memtray.png"
done
install -D -m 0644 resources/memtray.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/memtray.svg"
INSTALLED_KB="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
GLIBC_MIN="$(glibc_needed "$BUNDLE")"
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$DEB_ARCH/" -e "s/@INSTALLED_SIZE@/$INSTALLED_KB/" \
    -e "s/@GLIBC_MIN@/$GLIBC_MIN/" installers/linux/control.in > "$STAGE/DEBIAN/control"
DEB="dist/memtray_${VERSION}_${DEB_ARCH}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$STAGE" "$DEB" >/dev/null
dpkg-deb --field "$DEB" Package Version Architecture Installed-Size

step "Sizes (budget: tarball <= $BUDGET_MB MB)"
mb() { awk -v bytes="$1" 'BEGIN { printf "%.1f MB", bytes / 1000000 }'; }
BUNDLE_BYTES="$(du -sb "$BUNDLE" | cut -f1)"
TAR_BYTES="$(stat -c %s "$TARBALL")"
DEB_BYTES="$(stat -c %s "$DEB")"
echo "bundle  $BUNDLE/  $(mb "$BUNDLE_BYTES") unpacked"
echo "tarball $TARBALL  $(mb "$TAR_BYTES")"
echo "deb     $DEB  $(mb "$DEB_BYTES")"
if [ "$TAR_BYTES" -gt $((BUDGET_MB * 1000000)) ]; then
    echo "OVER BUDGET: the tarball is $(mb "$TAR_BYTES"), the budget is $BUDGET_MB MB." >&2
    exit 1
fi
echo "within budget ($(mb "$TAR_BYTES") of $BUDGET_MB MB)"
