"""Offline sync through exported files (issue 6; DESIGN.md, "Sync contract").

* :mod:`.keys` — the community key and passphrase-sealed key files.
* :mod:`.bundle` — the bundle file format (header + encrypted, authenticated body).
* :mod:`.merge` — the merge rules (per-field LWW, grow-only sets, tombstones, conflicts).
* :mod:`.exchange` — export, import, the sync folder, gaps.
* :mod:`.peers` — what each peer holds (acknowledgements), station names, clock skew.
* :mod:`.duplicates` — probable duplicate residents and merging them.
* :mod:`.views` — what the sync screen shows; resolving conflicts.

Submodules are imported where used: this package stays light to import.
"""
