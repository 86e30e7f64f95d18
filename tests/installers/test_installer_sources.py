"""Checks of the installer sources that cannot be built on this machine (Windows, macOS) and of the
shared build pieces: syntax (shellcheck, a PowerShell parser, plistlib, PyYAML), the structure Inno
Setup and GitHub Actions need, and the icons generated from the SVG source.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import plistlib
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import yaml

ROOT = Path(__file__).resolve().parents[2]
ISS = ROOT / "installers" / "windows" / "memtray.iss"
BUILD_PS1 = ROOT / "installers" / "windows" / "build.ps1"
WORKFLOW = ROOT / ".github" / "workflows" / "build.yml"
SHELL_SCRIPTS = [
    ROOT / "scripts" / "build_linux.sh",
    ROOT / "installers" / "macos" / "build_dmg.sh",
    ROOT / "installers" / "macos" / "sign_and_notarize.sh",
]


def _load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"memtray_build_{name}", ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- Inno Setup -------------------------------------------------------------------------------


def _iss_defines(text: str) -> dict[str, str]:
    return dict(re.findall(r'^\s*#define\s+(\w+)\s+"([^"]*)"', text, flags=re.MULTILINE))


def _iss_sections(text: str) -> dict[str, list[str]]:
    """Section name -> its lines, with comments, blank lines and preprocessor lines dropped and {#X} expanded
    (AppVersion as build.ps1 passes it with /DAppVersion=)."""
    defines = {**_iss_defines(text), "AppVersion": "9.8.7"}
    sections: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        line = re.sub(r"\{#(\w+)\}", lambda match: defines[match[1]], line)
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = header[1]
            sections[current] = []
        else:
            assert current is not None, f"line outside a section: {line}"
            sections[current].append(line)
    return sections


def _iss_entry(line: str) -> dict[str, str]:
    """``Name: "x"; Flags: a b`` -> {"Name": "x", "Flags": "a b"} (quotes doubled inside a value)."""
    entry = {}
    for match in re.finditer(r'(\w+):\s*("(?:[^"]|"")*"|[^;]*)(?:;|$)', line):
        value = match[2].strip()
        if value.startswith('"') and value.endswith('"'):
            value = value[1:-1].replace('""', '"')
        entry[match[1]] = value
    return entry


def test_inno_script_is_a_per_user_install_with_start_menu_autostart_and_mutex() -> None:
    from memtray.autostart import RUN_KEY, VALUE_NAME
    from memtray.ui import single_instance

    sections = _iss_sections(ISS.read_text(encoding="utf-8"))
    assert {"Setup", "Languages", "Tasks", "Files", "Icons", "Registry", "Run"} <= set(sections)
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"].startswith("{localappdata}")
    assert re.fullmatch(r"\{\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["AppMutex"] == single_instance.WINDOWS_MUTEX_NAME
    assert "CreateMutexW" in Path(single_instance.__file__).read_text(encoding="utf-8")
    assert setup["SetupIconFile"].replace("\\", "/") == "../../resources/memtray.ico"

    tasks = [_iss_entry(line) for line in sections["Tasks"]]
    assert [task["Description"] for task in tasks] == ["Start memtray when I sign in"]
    assert not any("checkedonce" in task.get("Flags", "") or "unchecked" in task.get("Flags", "") for task in tasks)

    icons = [_iss_entry(line) for line in sections["Icons"]]
    assert any(icon["Name"].startswith("{autoprograms}") and icon["Filename"] == "{app}\\memtray.exe" for icon in icons)

    registry = [_iss_entry(line) for line in sections["Registry"]]
    assert all(entry["Root"] == "HKCU" and entry["Subkey"] == RUN_KEY for entry in registry)
    assert all(entry["ValueName"] == VALUE_NAME and "uninsdeletevalue" in entry["Flags"] for entry in registry)
    autostart = [entry for entry in registry if entry.get("Tasks") == tasks[0]["Name"]]
    assert len(autostart) == 1 and autostart[0]["ValueData"] == '"{app}\\memtray.exe"'

    files = [_iss_entry(line) for line in sections["Files"]]
    assert [entry["DestDir"] for entry in files] == ["{app}"]


def test_inno_uninstaller_never_deletes_user_data() -> None:
    sections = _iss_sections(ISS.read_text(encoding="utf-8"))
    assert not {"UninstallDelete", "UninstallRun", "InstallDelete", "Code"} & set(sections)
    data_folders = re.compile(r"\{(userappdata|localappdata|commonappdata|userdocs|userprofile)\}", re.IGNORECASE)
    mentions = [line for lines in sections.values() for line in lines if data_folders.search(line)]
    assert mentions == ["DefaultDirName={localappdata}\\Programs\\memtray"]


def test_inno_script_needs_the_version_from_the_build_script() -> None:
    text = ISS.read_text(encoding="utf-8")
    assert re.search(r"#ifndef AppVersion\s+#error", text)
    ps1 = BUILD_PS1.read_text(encoding="utf-8")
    assert '"/DAppVersion=$Version"' in ps1
    assert "project_info.py" in ps1


# --- PowerShell, shell, plists -------------------------------------------------------------------


def test_build_ps1_parses_as_powershell() -> None:
    import tree_sitter_powershell
    from tree_sitter import Language, Parser

    parser = Parser(Language(tree_sitter_powershell.language()))
    tree = parser.parse(BUILD_PS1.read_bytes())
    errors = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            errors.append((node.start_point, node.text))
        stack.extend(node.children)
    assert not tree.root_node.has_error, errors
    assert parser.parse(b"if ($a -eq 1 { Write-Host }").root_node.has_error, "the parser must reject broken code"


def test_shell_scripts_pass_bash_n_and_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    for script in SHELL_SCRIPTS:
        syntax = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
        assert syntax.returncode == 0, syntax.stderr
        assert script.stat().st_mode & 0o111, f"{script.name} is not executable"
    lint = subprocess.run([shellcheck, *map(str, SHELL_SCRIPTS)], capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_sign_and_notarize_skips_cleanly_without_credentials(tmp_path) -> None:
    app = tmp_path / "memtray.app"
    app.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    script = ROOT / "installers" / "macos" / "sign_and_notarize.sh"
    result = subprocess.run(
        ["bash", str(script), "app", str(app)], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "MACOS_SIGN_IDENTITY is not set; skipping" in result.stdout
    wrong = subprocess.run(["bash", str(script), "zip", str(app)], capture_output=True, text=True, env=env, check=False)
    assert wrong.returncode == 2


def test_entitlements_plist_is_valid() -> None:
    with (ROOT / "installers" / "macos" / "entitlements.plist").open("rb") as file:
        entitlements = plistlib.load(file)
    assert entitlements == {
        "com.apple.security.cs.allow-unsigned-executable-memory": True,
        "com.apple.security.cs.disable-library-validation": True,
    }


def _spec_call_keywords(function: str) -> dict[str, ast.expr]:
    tree = ast.parse((ROOT / "build.spec").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function:
            return {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
    raise AssertionError(f"build.spec has no {function}(...) call")


def test_spec_macos_bundle_is_a_menu_bar_app_with_a_valid_info_plist() -> None:
    bundle = _spec_call_keywords("BUNDLE")
    info = ast.literal_eval(
        ast.unparse(bundle["info_plist"]).replace("VERSION", repr(_load_script("project_info").version()))
    )
    assert info["LSUIElement"] is True
    assert plistlib.loads(plistlib.dumps(info)) == info
    assert ast.literal_eval(bundle["name"]) == "memtray.app"
    exe = _spec_call_keywords("EXE")
    assert ast.literal_eval(exe["console"]) is False
    assert "exclude_binaries" in exe  # onedir: the binaries go to COLLECT, not into the executable


def test_desktop_entry_is_valid() -> None:
    desktop = ROOT / "installers" / "linux" / "memtray.desktop"
    result = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    entry = dict(line.split("=", 1) for line in desktop.read_text(encoding="utf-8").splitlines() if "=" in line)
    assert entry["Exec"] == "/opt/memtray/memtray"
    assert entry["Icon"] == "memtray"


# --- GitHub workflow ------------------------------------------------------------------------------


def test_workflow_builds_tests_uploads_and_releases() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))
    assert triggers["push"]["tags"] == ["v*"]
    jobs = workflow["jobs"]
    assert {"linux", "windows", "macos", "release"} <= set(jobs)

    def runs(job: str) -> str:
        return "\n".join(step.get("run", "") for step in jobs[job]["steps"])

    def uploads(job: str) -> list[str]:
        return [
            step["with"]["path"] for step in jobs[job]["steps"] if step.get("uses", "").startswith("actions/upload")
        ]

    assert jobs["linux"]["runs-on"] == "ubuntu-22.04"
    assert "bash scripts/build_linux.sh" in runs("linux")
    assert "pytest tests/installers" in runs("linux")
    assert any("*.deb" in path and "*.tar.gz" in path for path in uploads("linux"))
    for job, tests, build in (
        ("linux", "bash scripts/test.sh", "build_linux.sh"),
        ("windows", "python -m pytest tests/", "build.ps1"),
        ("macos", "python -m pytest tests/", "build_dmg.sh"),
    ):
        assert -1 < runs(job).find(tests) < runs(job).find(build), f"the {job} job tests before it builds"

    assert jobs["windows"]["runs-on"] == "windows-latest"
    assert "installers/windows/build.ps1" in runs("windows")
    assert "-SkipSelfTest" not in runs("windows")
    assert any("-setup.exe" in path for path in uploads("windows"))

    matrix = jobs["macos"]["strategy"]["matrix"]["include"]
    assert {entry["arch"] for entry in matrix} == {"arm64", "x86_64"}
    assert "installers/macos/build_dmg.sh" in runs("macos")
    assert "self-test --out" in runs("macos")
    assert any("*.dmg" in path for path in uploads("macos"))
    signing = next(step for step in jobs["macos"]["steps"] if "build_dmg.sh" in step.get("run", ""))
    assert {"MACOS_SIGN_IDENTITY", "APPLE_ID", "APPLE_TEAM_ID", "APPLE_APP_PASSWORD"} <= set(signing["env"])

    release = jobs["release"]
    assert release["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert set(release["needs"]) == {"linux", "windows", "macos"}
    assert release["permissions"]["contents"] == "write"
    assert "gh release create" in runs("release")


# --- icons ----------------------------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_make_icons_writes_ico_icns_and_pngs_qt_can_read(tmp_path) -> None:
    make_icons = _load_script("make_icons")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_icons.py"), "--out", str(tmp_path)],
        check=True,
        env=env,
        timeout=120,
    )
    names = {path.name for path in tmp_path.iterdir()}
    assert {"memtray.ico", "memtray.icns", "memtray.svg", "memtray-256.png"} <= names
    for size in make_icons.PNG_SIZES:
        assert _png_size((tmp_path / f"memtray-{size}.png").read_bytes()) == (size, size)

    ico = (tmp_path / "memtray.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, len(make_icons.ICO_SIZES))
    for index, size in enumerate(make_icons.ICO_SIZES):
        width, _, _, _, _, bits, length, offset = struct.unpack("<BBBBHHII", ico[6 + 16 * index : 22 + 16 * index])
        assert width == (0 if size == 256 else size) and bits == 32
        assert _png_size(ico[offset : offset + length]) == (size, size)

    icns = (tmp_path / "memtray.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    position, seen = 8, {}
    while position < len(icns):
        kind_bytes, length = icns[position : position + 4], struct.unpack(">I", icns[position + 4 : position + 8])[0]
        seen[kind_bytes] = _png_size(icns[position + 8 : position + length])
        position += length
    assert seen == {kind: (size, size) for kind, size in make_icons.ICNS_TYPES}

    read_back = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from PySide6.QtGui import QImageReader as R; "
            "print(R(sys.argv[1]).imageCount(), R(sys.argv[2]).read().isNull())",
            str(tmp_path / "memtray.ico"),
            str(tmp_path / "memtray.icns"),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=60,
    )
    assert read_back.stdout.split() == [str(len(make_icons.ICO_SIZES)), "False"]


def test_project_info_reads_version_and_build_requirements() -> None:
    project_info = _load_script("project_info")
    assert project_info.version() == __import__("memtray").__version__
    requirements = project_info.requirements()
    assert any(req.lower().startswith("pyside6-essentials") for req in requirements)
    assert any(req.lower().startswith("pyinstaller") for req in requirements)
    assert any(req.lower().startswith("boto3") for req in requirements)
