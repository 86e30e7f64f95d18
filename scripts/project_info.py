"""Facts from pyproject.toml for the build scripts, so no script parses TOML by hand.

python scripts/project_info.py version        -> 0.1.0
python scripts/project_info.py requirements   -> what a build venv needs, one per line
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
# The frozen app carries every hub kind, so the S3 extra is built in; "build" brings PyInstaller.
BUILD_EXTRAS = ("s3", "build")


def project() -> dict[str, Any]:
    with PYPROJECT.open("rb") as file:
        return dict(tomllib.load(file)["project"])


def version() -> str:
    return str(project()["version"])


def requirements() -> list[str]:
    data = project()
    extras = data.get("optional-dependencies", {})
    return [*data["dependencies"], *(req for extra in BUILD_EXTRAS for req in extras[extra])]


def main(argv: list[str]) -> int:
    if argv == ["version"]:
        print(version())
        return 0
    if argv == ["requirements"]:
        print("\n".join(requirements()))
        return 0
    print("usage: project_info.py version|requirements", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
