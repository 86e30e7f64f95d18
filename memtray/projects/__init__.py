"""Which project a folder is, the same on every laptop: by repository, else by its place in the home folder.

Claude Code keeps a project's memory in ``~/.claude/projects/<dir>/memory/`` where ``<dir>`` is the project's
absolute path with every character that is not an ASCII letter or digit replaced by ``-``. That name differs from
laptop to laptop, so the vault stores project memory under a *project identity* instead and each laptop maps it
back to its own folder. This package only reads files (it never runs git) and never writes anything.

Modules and their public names (helper C2 codes against these):

- identity.py: ``ProjectIdentity(kind, value, subdir="")`` — frozen. ``kind`` is ``"git"`` (value: normalised
  remote ``host/owner/name``), ``"home"`` (value: POSIX path relative to the home folder, ``""`` = the home folder
  itself) or ``"claude"`` (value: Claude's folder name). ``subdir``: POSIX path inside the repository, ``""`` at
  its root (always ``""`` for home/claude). ``.key``: one path component for vault paths ``projects/<key>/...``;
  ``ProjectIdentity.from_key(key) -> ProjectIdentity | None``; a kind "claude" key is the Claude folder name
  itself; every other key contains ``=``, so it never equals a Claude name. ``.name``, ``.describe()``
  (``github.com/alice/webapp``, ``github.com/alice/mono › packages/api``, ``~/code/scratch``).
- remote.py: ``normalise_remote(url, base=None) -> str | None``.
- claude_names.py: ``claude_dir_name(path) -> str | None``, ``is_claude_name(name)``, ``names_path(name, path)``
  (also true for Claude's hash-suffixed names of long paths), ``NameIndex``.
- git.py: ``repository_of(path) -> Repository | None``: ``.root`` (main checkout, where Claude keys memory),
  ``.checkout`` (differs from root in a linked worktree), ``.remote`` (already normalised; never a raw URL, so no
  token can leak through it).
- identify.py: ``identity_of(path, home, *, claude_folder=None) -> ProjectIdentity`` (UsageError only when a path
  outside home, without remote, has a name too long for Claude's rule and no ``claude_folder`` is given).
- discovery.py: ``discover(home, *, claude_dir=None, remembered=None) -> Discovery`` with ``.projects:
  list[LocalProject]``, ``.ambiguous: dict[key, list[LocalProject]]``, ``.places: dict[key, Path]`` (checkouts the
  transcripts revealed) and ``.project(claude_folder)``. ``LocalProject(claude_folder, checkout, identity,
  problem, claimed, worktree)``. ``remembered`` (Claude folder -> identity) is the caller's memory of earlier
  runs, used when a folder can no longer be identified.
- named_place.py: ``FoldersOnDisk().named(name) -> Path | None``: the one existing folder a Claude folder name
  stands for (used by discovery when transcripts are gone).
- transcripts.py: ``recorded_folders(claude_folder) -> list[str]``: the ``cwd`` values naming that folder.
- search.py: ``find_checkouts(identities, home, *, max_depth=4, max_dirs=20_000, max_seconds=5.0) ->
  dict[key, Path]``.
- pathmap.py: ``PathMap`` protocol (``to_vault``, ``to_disk``, ``parked``), ``IdentityMap``,
  ``ClaudeProjectsMap(discovery, links=None, checkouts=None)`` with also ``key_of(folder)``, ``folder_of(key)``,
  ``place_of(key)``.
"""
