"""What a piece of memtray loads: a program run in a fresh interpreter, and the modules it left loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.laptops import REPO


def loaded_after(program: str, packages: tuple[str, ...]) -> list[str]:
    """The modules of ``packages`` (top-level names) loaded once ``program`` ran, sorted; the program must succeed."""
    report = (
        "\nimport json, sys\n"
        f"print(json.dumps(sorted(name for name in sys.modules if name.split('.')[0] in {packages!r})))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", program + report], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded
