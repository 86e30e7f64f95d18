#!/usr/bin/env bash
# Installs what memtray needs on a fresh Debian/Ubuntu machine into ./.venv (idempotent).
# Usage: bash scripts/bootstrap.sh [runtime|test|build]
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-runtime}"

runtime_packages=(python3 python3-venv python3-pip libegl1 libgl1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  libfontconfig1 libdbus-1-3 fonts-dejavu-core)
test_packages=(xvfb trayer gnome-keyring dbus dbus-x11 xdotool x11-utils imagemagick apache2 apache2-utils rclone
  procps desktop-file-utils e2fsprogs git postgresql syncthing)
build_packages=(binutils dpkg-dev libxcb1 libwayland-client0 libwayland-cursor0 libwayland-egl1)

wanted=("${runtime_packages[@]}")
[ "$profile" = test ] && wanted+=("${test_packages[@]}" "${build_packages[@]}")
[ "$profile" = build ] && wanted+=("${build_packages[@]}" "${test_packages[@]}")

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

python_bin="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
case "$profile" in
  runtime) .venv/bin/python -m pip install -q -e . ;;
  test) .venv/bin/python -m pip install -q -e ".[test,s3,postgres]" ;;
  build) .venv/bin/python -m pip install -q -e ".[build,test,s3,postgres]" ;;
esac
