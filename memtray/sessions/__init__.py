"""Agent sessions follow the person to their other laptops (opt-in, per agent; issue 14).

Nothing here changes how memtray syncs: sessions travel as files of one more vault folder, "Agent sessions",
whose place on every laptop is a staging folder in memtray's own data folder (never the agent's folder). Its
files are append-only *chunks* that are never edited (see chunks.py): each holds the records a transcript gained
since the previous chunk, so a 20 MB transcript that grew by 2 KB costs one 2 KB file on the hub.

- Before each sync, ``export`` turns what grew in this laptop's transcripts into new chunks (secrets redacted or
  the chunk held, see redact.py), and ``retention`` deletes this laptop's chunks of sessions that went quiet long
  ago.
- After each sync, ``merge`` writes the other laptops' records into this laptop's own project folders: union by
  record id, paths of the sending laptop's project rewritten to this laptop's (rewrite.py), and only into a file
  the agent is not writing at that moment.

``bridge.SessionBridge`` is what the sync calls.
"""

from memtray.sessions.bridge import SessionBridge

__all__ = ["SessionBridge"]
