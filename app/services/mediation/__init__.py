"""Mediation 调解.

* :mod:`.drafts` — what crosses the boundary: drafts, choices, the refusal, parsing.
* :mod:`.rules` — every check that refuses an operation, per field.
* :mod:`.records` — the writes (records, parties, sessions, terms, outcome, follow-ups).
* :mod:`.forms` — form text to drafts, checks as typed, saves.
* :mod:`.conventions` — residents' conventions 公约; :mod:`.agreement_doc` the
  人民调解协议书 (Markdown, PDF); :mod:`.views` the lists and one record in full.
"""
