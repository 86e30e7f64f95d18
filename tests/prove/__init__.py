"""Evidence that the sync core holds up: random schedules, crashes, a faulty hub.

- test_convergence.py: hypothesis-chosen schedules on 2-4 in-process laptops, plus seeded schedules
  through the real CLI; everyone converges and no edit memtray saw is lost.
- test_crash_trials.py / crash_trials.py: ``memtray sync`` processes killed with SIGKILL at random moments.
- test_faulty_hub.py / faulty_hub.py: a real folder hub that fails like real disks and cloud drives.
- test_regressions.py: every bug these found, pinned by its smallest test.

CI runs small, seeded counts. Locally, ``MEMTRAY_PROVE_SCALE=N`` multiplies examples, seeds and trials
(and lets hypothesis explore beyond its fixed CI examples); ``MEMTRAY_CRASH_TRIALS=N`` sets the crash
trials in the test; ``python -m tests.prove.crash_trials --trials 50`` runs the full crash study.
"""
