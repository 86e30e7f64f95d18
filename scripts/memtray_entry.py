"""Entry point of the frozen memtray app: the same ``memtray`` command the CLI offers.

PyInstaller runs this file as ``__main__`` inside the bundle (see build.spec).
"""

from __future__ import annotations

import multiprocessing

from memtray.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    raise SystemExit(main())
