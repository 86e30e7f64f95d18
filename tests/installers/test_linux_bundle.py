"""The Linux build for real: ``scripts/build_linux.sh``, then the frozen app, its tarball and its .deb.

The build runs once per test session (about 2-5 minutes); a build in ``dist/`` newer than every
source file is reused. ``MEMTRAY_SKIP_BUNDLE=1`` skips this module on a developer's machine; CI runs it.
The frozen app runs under a real X server with a tray host (Xvfb + trayer) and talks to the real
gnome-keyring that tests/conftest.py starts for the session.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.display import Desktop, screenshot, start_desktop, tray_icon_windows

ROOT = Path(__file__).resolve().parents[2]
BUDGET_BYTES = 75 * 1000 * 1000
BUILD_INPUTS = ("memtray", "scripts", "build.spec", "installers/linux", "pyproject.toml")
TRAY_APPEAR_SECONDS = 30.0

pytestmark = [
    pytest.mark.skipif(os.environ.get("MEMTRAY_SKIP_BUNDLE") == "1", reason="MEMTRAY_SKIP_BUNDLE=1"),
    pytest.mark.timeout(1800),
]


def _project_version() -> str:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "project_info.py"), "version"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@dataclass(frozen=True)
class LinuxBuild:
    version: str
    bundle: Path
    tarball: Path
    deb: Path

    @property
    def executable(self) -> Path:
        return self.bundle / "memtray"


def _newest_input() -> float:
    newest = 0.0
    for name in BUILD_INPUTS:
        path = ROOT / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            if "__pycache__" not in file.parts:
                newest = max(newest, file.stat().st_mtime)
    return newest


def _expected_build() -> LinuxBuild:
    version = _project_version()
    machine = os.uname().machine
    deb_arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout
    return LinuxBuild(
        version=version,
        bundle=ROOT / "dist" / "memtray",
        tarball=ROOT / "dist" / f"memtray-{version}-linux-{machine}.tar.gz",
        deb=ROOT / "dist" / f"memtray_{version}_{deb_arch.strip()}.deb",
    )


def _is_fresh(build: LinuxBuild) -> bool:
    outputs = [build.executable, build.tarball, build.deb]
    if not all(path.exists() for path in outputs):
        return False
    return min(path.stat().st_mtime for path in outputs) > _newest_input()


@pytest.fixture(scope="session")
def linux_build() -> LinuxBuild:
    """Run scripts/build_linux.sh once (unless dist/ already holds a build of the current sources).

    A lock file makes parallel pytest workers wait for one build instead of starting their own.
    """
    (ROOT / "build").mkdir(exist_ok=True)
    with (ROOT / "build" / "bundle-test.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build_once()


def _build_once() -> LinuxBuild:
    build = _expected_build()
    if _is_fresh(build):
        return build
    log_path = ROOT / "build" / "build_linux.log"
    with log_path.open("w", encoding="utf-8") as log:
        result = subprocess.run(
            ["bash", str(ROOT / "scripts" / "build_linux.sh")],
            cwd=ROOT,
            env={**os.environ, "PYTHON": sys.executable},
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    output = log_path.read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0, f"build_linux.sh failed ({result.returncode}):\n{output[-6000:]}"
    print(output[output.rfind("==> Sizes") :])
    return build


@pytest.fixture()
def desktop() -> Iterator[Desktop]:
    started = start_desktop()
    yield started
    started.stop()


def _gui_env(desktop: Desktop) -> dict[str, str]:
    env = {**os.environ, **desktop.env}
    for name in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "MEMTRAY_HOME", "MEMTRAY_PASSPHRASE"):
        env.pop(name, None)
    return env


def test_tarball_fits_the_budget_and_holds_the_bundle(linux_build: LinuxBuild) -> None:
    size = linux_build.tarball.stat().st_size
    assert size <= BUDGET_BYTES, f"tarball is {size / 1e6:.1f} MB, the budget is {BUDGET_BYTES / 1e6:.0f} MB"
    with tarfile.open(linux_build.tarball) as archive:
        members = {member.name: member for member in archive.getmembers()}
    assert members["memtray/memtray"].isfile()
    assert members["memtray/memtray"].mode & 0o111
    assert "memtray/_internal/memtray/resources/app.svg" in members
    assert all(member.uid == 0 and member.gid == 0 for member in members.values())


def test_frozen_self_test_passes_with_tray_and_keychain(linux_build: LinuxBuild, desktop: Desktop, tmp_path) -> None:
    report_path = ROOT / "dist" / "self-test-linux.json"
    report_path.unlink(missing_ok=True)
    result = subprocess.run(
        [str(linux_build.executable), "--home", str(tmp_path / "home"), "self-test", "--out", str(report_path)],
        env=_gui_env(desktop),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(report_path.read_text(encoding="utf-8"))
    print(json.dumps(report, indent=2))
    assert result.returncode == 0, (result.stderr, report)
    assert report["ok"] is True
    checks = report["checks"]
    for name in ("qt", "keychain", "crypto", "svg_icons", "sqlite", "platform", "tray"):
        assert checks[name]["ok"] is True, (name, checks[name])
    assert "SecretService" in checks["keychain"]["reason"]
    assert "'xcb'" in checks["qt"]["reason"]
    assert "frozen app" in checks["platform"]["reason"]


def test_frozen_tray_app_starts_and_docks_its_icon(linux_build: LinuxBuild, desktop: Desktop, tmp_path) -> None:
    app = subprocess.Popen(
        [str(linux_build.executable), "--home", str(tmp_path / "home")],
        env=_gui_env(desktop),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + TRAY_APPEAR_SECONDS
        while not tray_icon_windows(desktop.display) and app.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        icons = tray_icon_windows(desktop.display)
        assert app.poll() is None, app.communicate()[1]
        assert icons, "the frozen app put no icon into trayer's tray"
        screenshot("frozen-app-first-run", desktop.display)
    finally:
        app.terminate()
        app.wait(timeout=20)


def _elf_files(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as file:
                if file.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def _needed(binary: Path) -> list[str]:
    dynamic = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)


def _owning_packages(soname: str) -> set[str]:
    listing = subprocess.run(["dpkg", "-S", f"*/{soname}"], capture_output=True, text=True, check=False).stdout
    packages: set[str] = set()
    for line in listing.splitlines():
        owners, _, path = line.partition(": ")
        if Path(path).name == soname:
            packages.update(owner.split(":")[0].strip() for owner in owners.split(","))
    return packages


def _control_fields(deb: Path) -> dict[str, str]:
    text = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True, check=True).stdout
    return dict(re.findall(r"^([A-Za-z-]+): (.*)$", text, flags=re.MULTILINE))


def test_bundle_carries_only_the_qt_memtray_uses(linux_build: LinuxBuild) -> None:
    qt = linux_build.bundle / "_internal" / "PySide6" / "Qt"
    libraries = {path.name for path in (qt / "lib").iterdir()}
    assert {"libQt6Core.so.6", "libQt6Gui.so.6", "libQt6Widgets.so.6", "libQt6Svg.so.6"} <= libraries
    unwanted = ("Qml", "Quick", "WebEngine", "Pdf", "Multimedia", "3D", "Designer", "EglFS")
    assert not [name for name in libraries if any(part in name for part in unwanted)]
    assert (qt / "plugins" / "platforms" / "libqxcb.so").exists()
    assert (qt / "plugins" / "iconengines" / "libqsvgicon.so").exists()
    assert not (qt / "plugins" / "platformthemes" / "libqgtk3.so").exists()
    assert not list(linux_build.bundle.rglob("libgtk-3.so*"))
    assert {path.name.split("_")[0] for path in (qt / "translations").iterdir()} == {"qtbase"}
    dangling = [path for path in linux_build.bundle.rglob("*") if path.is_symlink() and not path.exists()]
    assert not dangling


def test_every_library_the_bundle_loads_is_inside_it_or_a_declared_dependency(linux_build: LinuxBuild) -> None:
    fields = _control_fields(linux_build.deb)
    depends = {re.split(r"[ (]", item.strip())[0] for item in fields["Depends"].split(",")}
    bundled = {path.name for path in linux_build.bundle.rglob("*")}
    missing: dict[str, set[str]] = {}
    glibc_needed = (0, 0)
    for binary in _elf_files(linux_build.bundle):
        for soname in _needed(binary):
            if soname not in bundled:
                missing.setdefault(soname, set()).add(binary.name)
        symbols = subprocess.run(["objdump", "-T", str(binary)], capture_output=True, text=True, check=True).stdout
        for major, minor in re.findall(r"GLIBC_(\d+)\.(\d+)", symbols):
            glibc_needed = max(glibc_needed, (int(major), int(minor)))
    undeclared = {soname: users for soname, users in missing.items() if not _owning_packages(soname) & depends}
    assert not undeclared, f"libraries neither bundled nor in Depends ({fields['Depends']}): {undeclared}"
    declared = re.search(r"libc6 \(>= (\d+)\.(\d+)\)", fields["Depends"])
    assert declared, fields["Depends"]
    assert glibc_needed <= (int(declared[1]), int(declared[2])), f"the bundle needs glibc {glibc_needed}"


def test_deb_metadata_and_contents(linux_build: LinuxBuild) -> None:
    fields = _control_fields(linux_build.deb)
    assert fields["Package"] == "memtray"
    assert fields["Version"] == linux_build.version
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout
    assert fields["Architecture"] == arch.strip()
    assert int(fields["Installed-Size"]) > 10_000
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(linux_build.deb)], capture_output=True, text=True, check=True
    )
    paths = [line.split()[5] for line in listing.stdout.splitlines()]
    assert "./opt/memtray/memtray" in paths
    assert "./usr/share/applications/memtray.desktop" in paths
    assert "./usr/share/icons/hicolor/256x256/apps/memtray.png" in paths
    assert "./usr/share/icons/hicolor/scalable/apps/memtray.svg" in paths
    assert "/opt/memtray/memtray" in listing.stdout.split("./usr/bin/memtray -> ")[1].splitlines()[0]
    assert all(path.startswith(("./opt/", "./usr/")) or path == "./" for path in paths)


def _run_installed(root: Path, env: dict[str, str]) -> None:
    version = subprocess.run(
        [str(root / "opt/memtray/memtray"), "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"memtray {_project_version()}"
    desktop_file = root / "usr/share/applications/memtray.desktop"
    assert "Exec=/opt/memtray/memtray" in desktop_file.read_text(encoding="utf-8")
    validate = subprocess.run(["desktop-file-validate", str(desktop_file)], capture_output=True, text=True, check=False)
    assert validate.returncode == 0, validate.stdout + validate.stderr


def test_deb_installs_runs_and_uninstalls(linux_build: LinuxBuild, tmp_path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    if os.geteuid() != 0:
        subprocess.run(["dpkg-deb", "-x", str(linux_build.deb), str(tmp_path / "root")], check=True)
        _run_installed(tmp_path / "root", env)
        return
    install = subprocess.run(["dpkg", "-i", str(linux_build.deb)], capture_output=True, text=True, check=False)
    try:
        assert install.returncode == 0, install.stdout + install.stderr
        _run_installed(Path("/"), env)
        help_text = subprocess.run(
            ["memtray", "--help"], capture_output=True, text=True, env=env, timeout=60, check=False
        )
        assert help_text.returncode == 0, help_text.stderr
        assert "self-test" in help_text.stdout
        assert shutil.which("memtray") == "/usr/bin/memtray"
    finally:
        remove = subprocess.run(["dpkg", "-r", "memtray"], capture_output=True, text=True, check=False)
    assert remove.returncode == 0, remove.stdout + remove.stderr
    assert not Path("/opt/memtray").exists()
    assert not Path("/usr/share/applications/memtray.desktop").exists()
