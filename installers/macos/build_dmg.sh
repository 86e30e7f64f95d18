#!/usr/bin/env bash
# Build the memtray disk image for macOS from a fresh clone, in one command:
#
#     bash installers/macos/build_dmg.sh
#
# Steps: a build venv (build/venv, reused when present) with memtray's dependencies and PyInstaller;
# the icons; the app bundle dist/memtray.app (menu-bar only: LSUIElement); signing when
# MACOS_SIGN_IDENTITY is set (see sign_and_notarize.sh); and dist/memtray-VERSION-macos-ARCH.dmg
# with the app and a shortcut to /Applications, signed and notarized when the Apple variables are set.
#
# Needs: macOS 11+, python3 >= 3.11 (PYTHON picks another), Xcode command line tools (hdiutil, codesign).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
VENV="${MEMTRAY_BUILD_VENV:-$ROOT/build/venv}"

step() { printf '\n==> %s\n' "$*"; }

step "Build venv: $VENV"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
REQUIREMENTS=()
while IFS= read -r requirement; do
    REQUIREMENTS+=("$requirement")
done < <("$PY" scripts/project_info.py requirements)
"$PY" -m pip install --disable-pip-version-check --quiet "${REQUIREMENTS[@]}"
VERSION="$("$PY" scripts/project_info.py version)"
ARCH="$(uname -m)"
echo "memtray $VERSION for macOS $ARCH"

step "Icons"
"$PY" scripts/make_icons.py

step "PyInstaller app bundle"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller build.spec
APP="dist/memtray.app"
"$APP/Contents/MacOS/memtray" --version

step "Signing the app"
bash installers/macos/sign_and_notarize.sh app "$APP"

step "Disk image"
STAGE="build/dmg"
rm -rf "$STAGE"
mkdir -p "$STAGE"
ditto "$APP" "$STAGE/memtray.app"
ln -s /Applications "$STAGE/Applications"
DMG="dist/memtray-$VERSION-macos-$ARCH.dmg"
# hdiutil now and then fails with "Resource busy" on build machines; a second try succeeds.
for attempt in 1 2 3; do
    if hdiutil create -volname "memtray $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"; then
        break
    fi
    if [ "$attempt" -eq 3 ]; then
        echo "build_dmg: hdiutil could not create $DMG" >&2
        exit 1
    fi
    sleep 5
done

step "Signing and notarizing the disk image"
bash installers/macos/sign_and_notarize.sh dmg "$DMG"

echo "disk image $DMG  $(du -h "$DMG" | cut -f1)"
