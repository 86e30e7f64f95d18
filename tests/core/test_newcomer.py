"""The newcomer's path, in real processes: `bash scripts/run.sh` installs once and then starts with no pip call (also
with no package index); with no desktop or before setup, memtray prints commands that work exactly as printed, in
the words the person used to start it (`bash scripts/run.sh`, `memtray`, a path, `python -m memtray`).

run.sh runs in a checkout of its own whose `.venv/bin/python` is this test's Python, except that `python -m pip`
is a stand-in: it records the call, needs the package index like pip (a real HTTP server here, a closed port for
"offline") and puts the `memtray` command in place. Everything else is the real run.sh, bootstrap.sh and memtray.
"""

from __future__ import annotations

import functools
import http.server
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from memtray import __version__
from tests.support.laptops import PASSPHRASE

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="run.sh and the no-desktop check are Linux's"
)
needs_debian = pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="scripts/bootstrap.sh is for Debian")

CHECKOUT = "my memtray"
FAKE_PYTHON = """#!/bin/sh
if [ "$1" = -m ] && [ "$2" = pip ]; then
  printf '%s\\n' "$*" >>{pip_log}
  {python} -c 'import os, urllib.request; urllib.request.urlopen(os.environ["PIP_INDEX_URL"], timeout=30)' || exit 1
  cp {memtray_command} {venv_bin}/memtray
  exit 0
fi
{answer_version}exec {python} "$@"
"""
NEWER_PYTHON = "if [ \"$1\" = -VV ]; then echo 'Python 3.99.0 (a newer Python)'; exit 0; fi\n"
NOT_SET_UP = "memtray is not set up on this laptop yet."
STARTED_AS = "MEMTRAY_COMMAND"


def no_desktop_env(**extra: str) -> dict[str, str]:
    """This environment with no display, memtray's code from this checkout, and no `run.sh` around it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", STARTED_AS)
    }
    return {**env, "PYTHONPATH": str(REPO), **extra}


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/simple/"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def package_index(tmp_path: Path) -> Iterator[str]:
    """A package index that answers, on 127.0.0.1."""
    served = tmp_path / "index"
    (served / "simple").mkdir(parents=True)
    (served / "simple" / "index.html").write_text("<html></html>", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/simple/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@dataclass
class Checkout:
    """A clone with its own run.sh, bootstrap.sh and pyproject.toml, in a folder whose name has a space."""

    root: Path
    index_url: str

    @property
    def pip_log(self) -> Path:
        return self.root.parent / "pip.log"

    def pip_calls(self) -> list[str]:
        return self.pip_log.read_text(encoding="utf-8").splitlines() if self.pip_log.exists() else []

    def write_python(self, answer_version: str = "") -> None:
        venv_bin = self.root / ".venv" / "bin"
        venv_bin.mkdir(parents=True, exist_ok=True)
        memtray_command = self.root.parent / "memtray-command"
        memtray_command.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m memtray "$@"\n', encoding="utf-8")
        memtray_command.chmod(0o755)
        python = venv_bin / "python"
        python.write_text(
            FAKE_PYTHON.format(
                pip_log=shlex.quote(str(self.pip_log)),
                python=shlex.quote(sys.executable),
                memtray_command=shlex.quote(str(memtray_command)),
                venv_bin=shlex.quote(str(venv_bin)),
                answer_version=answer_version,
            ),
            encoding="utf-8",
        )
        python.chmod(0o755)

    def run(self, *args: str, index_url: str | None = None) -> subprocess.CompletedProcess[str]:
        """``bash "my memtray/scripts/run.sh" ARGS`` from the folder that holds the checkout."""
        return subprocess.run(
            ["bash", f"{CHECKOUT}/scripts/run.sh", *args],
            cwd=self.root.parent,
            env=no_desktop_env(PIP_INDEX_URL=index_url or self.index_url),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )


@pytest.fixture
def checkout(tmp_path: Path, package_index: str) -> Checkout:
    root = tmp_path / "clones" / CHECKOUT
    (root / "scripts").mkdir(parents=True)
    for name in ("scripts/run.sh", "scripts/bootstrap.sh", "pyproject.toml"):
        shutil.copy(REPO / name, root / name)
    made = Checkout(root, package_index)
    made.write_python()
    return made


INSTALL_CALLS = ["-m pip install -q --upgrade pip", "-m pip install -q -e ."]


@needs_debian
def test_run_sh_installs_once_then_starts_with_no_pip_call_even_offline(checkout: Checkout) -> None:
    first = checkout.run("--version")
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"memtray {__version__}\n"
    assert checkout.pip_calls() == INSTALL_CALLS

    for _ in range(2):
        again = checkout.run("--version", index_url=closed_port_url())
        assert again.returncode == 0, again.stderr
        assert again.stdout == f"memtray {__version__}\n"
    assert checkout.pip_calls() == INSTALL_CALLS, "nothing changed, so nothing is installed again"


@needs_debian
@pytest.mark.parametrize("change", ["pyproject.toml edited", "a newer Python", "the memtray command gone"])
def test_run_sh_installs_again_when_what_it_installed_from_changed(checkout: Checkout, change: str) -> None:
    assert checkout.run("--version").returncode == 0
    if change == "pyproject.toml edited":
        with (checkout.root / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
            pyproject.write("\n# a new dependency\n")
    elif change == "a newer Python":
        checkout.write_python(answer_version=NEWER_PYTHON)
    else:
        (checkout.root / ".venv" / "bin" / "memtray").unlink()

    again = checkout.run("--version")
    assert again.returncode == 0, again.stderr
    assert checkout.pip_calls() == INSTALL_CALLS * 2
    assert checkout.run("--version", index_url=closed_port_url()).returncode == 0
    assert checkout.pip_calls() == INSTALL_CALLS * 2


@needs_debian
def test_an_install_that_failed_offline_is_not_taken_for_done(checkout: Checkout) -> None:
    assert checkout.run("--version").returncode == 0
    with (checkout.root / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write("\n# a new dependency\n")

    offline = checkout.run("--version", index_url=closed_port_url())
    assert offline.returncode != 0, "the new dependencies could not be installed"
    online = checkout.run("--version")
    assert online.returncode == 0, online.stderr
    assert checkout.pip_calls() == INSTALL_CALLS + INSTALL_CALLS[:1] + INSTALL_CALLS


@dataclass
class Launcher:
    """One way a person starts memtray, and the words memtray should print for it."""

    argv: list[str]
    cwd: Path
    env: dict[str, str]
    words: str

    def start(self, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.argv, "--home", str(home), *args],
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )


def _path_without(folder: Path) -> str:
    return os.pathsep.join(
        entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry and Path(entry).resolve() != folder
    )


@pytest.fixture(params=["python -m memtray", "memtray on PATH", "memtray by its path", "bash scripts/run.sh"])
def launcher(request: pytest.FixtureRequest, tmp_path: Path) -> Launcher:
    env = no_desktop_env(MEMTRAY_PASSPHRASE=PASSPHRASE)
    console_script = Path(sys.executable).parent / "memtray"
    if request.param == "python -m memtray":
        return Launcher([sys.executable, "-m", "memtray"], tmp_path, env, f"{shlex.quote(sys.executable)} -m memtray")
    if request.param == "bash scripts/run.sh":
        if shutil.which("dpkg-query") is None:
            pytest.skip("scripts/bootstrap.sh is for Debian")
        made = request.getfixturevalue("checkout")
        assert made.run("--version").returncode == 0
        run_sh = f"{CHECKOUT}/scripts/run.sh"
        return Launcher(["bash", run_sh], made.root.parent, env, "bash " + run_sh.replace(" ", "\\ "))
    if not console_script.exists():
        pytest.skip("this Python has no memtray command installed")
    venv_bin = console_script.parent.resolve()
    if request.param == "memtray on PATH":
        return Launcher(
            ["memtray"], tmp_path, {**env, "PATH": f"{venv_bin}{os.pathsep}{_path_without(venv_bin)}"}, "memtray"
        )
    return Launcher(
        [str(console_script)], tmp_path, {**env, "PATH": _path_without(venv_bin)}, shlex.quote(str(console_script))
    )


def printed_command(output: str, ending: str) -> str:
    """The command in ``output`` that ends with ``ending`` (after the words that introduce it, if any)."""
    lines = [line for line in output.splitlines() if line.endswith(f" {ending}")]
    assert len(lines) == 1, output
    return lines[0].split(":  ")[-1].strip()


def run_as_printed(command: str, launcher: Launcher) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=launcher.cwd,
        env=launcher.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def watch_as_printed(command: str, launcher: Launcher, out: Path, expected: str) -> None:
    """Run ``command`` (a `sync --watch`) in the shell until it prints ``expected``, then stop it."""
    with out.open("w", encoding="utf-8") as sink:
        watching = subprocess.Popen(
            ["bash", "-c", command],
            cwd=launcher.cwd,
            env=launcher.env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while expected not in out.read_text(encoding="utf-8") and watching.poll() is None:
            assert time.monotonic() < deadline, out.read_text(encoding="utf-8")
            time.sleep(0.1)
        assert expected in out.read_text(encoding="utf-8"), out.read_text(encoding="utf-8")
        assert watching.poll() is None, "sync --watch keeps running"
    finally:
        if watching.poll() is None:
            os.killpg(watching.pid, signal.SIGTERM)
        watching.wait(timeout=60)


def test_with_no_desktop_two_laptops_get_in_sync_with_the_commands_as_printed(
    launcher: Launcher, tmp_path: Path
) -> None:
    hub, memory_a, memory_b = tmp_path / "hub", tmp_path / "memory a", tmp_path / "memory b"
    hub.mkdir()
    memory_a.mkdir()
    (memory_a / "CLAUDE.md").write_text("Use tabs.\n", encoding="utf-8")
    laptop_a, laptop_b = tmp_path / "laptop a", tmp_path / "laptop b"

    new_laptop = launcher.start(laptop_a)
    assert new_laptop.returncode == 2
    first_line = new_laptop.stderr.splitlines()[0]
    assert first_line.startswith("memtray needs a desktop to show its tray icon, and this laptop is not set up yet.")
    init = printed_command(new_laptop.stderr, "init HUB")
    assert init == f"{launcher.words} --home {shlex.quote(str(laptop_a))} init HUB"
    assert run_as_printed(init.removesuffix("HUB") + shlex.quote(str(hub)), launcher).returncode == 0
    a = [sys.executable, "-m", "memtray", "--home", str(laptop_a)]
    subprocess.run([*a, "folder", "add", "memory", str(memory_a)], env=launcher.env, check=True, timeout=300)
    subprocess.run([*a, "sync"], env=launcher.env, check=True, timeout=300)
    setup_code = subprocess.run(
        [*a, "setup-code"], env=launcher.env, check=True, timeout=300, capture_output=True, text=True
    ).stdout.splitlines()[-1]

    join = printed_command(launcher.start(laptop_b).stderr, "join SETUP-CODE")
    joined = run_as_printed(join.removesuffix("SETUP-CODE") + shlex.quote(setup_code), launcher)
    assert joined.returncode == 0, joined.stderr
    b = [sys.executable, "-m", "memtray", "--home", str(laptop_b)]
    subprocess.run([*b, "folder", "map", "memory", str(memory_b)], env=launcher.env, check=True, timeout=300)

    set_up = launcher.start(laptop_b)
    assert set_up.returncode == 2
    assert set_up.stderr.splitlines()[0] == (
        "memtray needs a desktop to show its tray icon. Without one, this command keeps your files in sync until "
        "you stop it:"
    )
    watch = printed_command(set_up.stderr, "sync --watch")
    assert watch == f"{launcher.words} --home {shlex.quote(str(laptop_b))} sync --watch"
    watch_as_printed(watch, launcher, tmp_path / "watch.out", "Synced: 1 received.")
    assert (memory_b / "CLAUDE.md").read_text(encoding="utf-8") == "Use tabs.\n"


@pytest.mark.parametrize(
    "command", [["sync"], ["sync", "--watch"], ["status"], ["devices"], ["setup-code"], ["settings"], ["join", "HUB"]]
)
def test_not_set_up_names_init_and_join_with_what_each_needs(tmp_path: Path, command: list[str]) -> None:
    home, empty_hub = tmp_path / "laptop", tmp_path / "hub-with-no-vault"
    empty_hub.mkdir()
    argv = [str(empty_hub) if word == "HUB" else word for word in command]
    done = subprocess.run(
        [sys.executable, "-m", "memtray", "--home", str(home), *argv],
        env=no_desktop_env(MEMTRAY_PASSPHRASE=PASSPHRASE),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    said = done.stdout + done.stderr
    assert NOT_SET_UP in said or "There is no synced memory in that storage yet." in said, said
    words = f"{shlex.quote(sys.executable)} -m memtray --home {shlex.quote(str(home))}"
    assert printed_command(said, "init HUB") == f"{words} init HUB"
    assert printed_command(said, "join SETUP-CODE") == f"{words} join SETUP-CODE"
    assert "HUB is where the encrypted copy goes: a folder your cloud drive copies, or a memtray hub's" in said
    assert "SETUP-CODE is what the setup-code command prints on a laptop already set up." in said
